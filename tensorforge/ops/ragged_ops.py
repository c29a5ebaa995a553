"""tf.RaggedTensor and tf.ragged."""
from __future__ import annotations
