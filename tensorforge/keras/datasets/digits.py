"""The UCI optical digits dataset (1797 8x8 images, classes 0-9), shipped with the package.

"Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998), UCI Machine
Learning Repository, CC BY 4.0.
"""
from __future__ import annotations

from ._shipped import load_split


def load_data(test_split: float = 0.2, seed: int = 113):
    """Loads the digits dataset.

    Args:
      test_split: fraction of the data to reserve as the test set.
      seed: random seed for shuffling before the split.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: x uint8 of shape (n, 8, 8) with values 0..16,
      y int64 labels 0..9.
    """
    return load_split("digits.npz", test_split, seed)
