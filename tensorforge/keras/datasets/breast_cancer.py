"""The UCI breast cancer Wisconsin (diagnostic) dataset (569 x 30 features, binary labels).

"Breast Cancer Wisconsin (Diagnostic)", W. Wolberg, W. N. Street, O. Mangasarian (1995),
UCI Machine Learning Repository, CC BY 4.0.
"""
from __future__ import annotations

from ._shipped import load_split


def load_data(test_split: float = 0.2, seed: int = 113):
    """Loads the breast cancer dataset.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: x float32 of shape (n, 30), y int64 with
      0 = malignant, 1 = benign.
    """
    return load_split("breast_cancer.npz", test_split, seed)
