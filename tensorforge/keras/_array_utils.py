"""Keras 3's array helpers for tf.keras.utils: to_categorical, normalize, pad_sequences."""
from __future__ import annotations

import numpy as np

import tensorforge as tf


def to_categorical(x, num_classes: int | None = None):
    """One-hot encodes integer class labels (tf.keras.utils.to_categorical).

    A trailing axis of size 1 is dropped first. Tensors give a tensor (via `one_hot`), anything
    else a float NumPy array.

    Args:
      x: class labels (integers from 0 to num_classes - 1).
      num_classes: the number of classes; `max(x) + 1` when None.
    """
    if tf.is_tensor(x):
        shape = x.shape.as_list()
        if len(shape) > 1 and shape[-1] == 1:
            x = tf.squeeze(x, axis=-1)
        if num_classes is None:
            num_classes = int(tf.reduce_max(x).numpy()) + 1
        return tf.one_hot(tf.cast(x, tf.int64), num_classes)
    x = np.array(x, dtype="int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1
    categorical = np.zeros((x.shape[0], num_classes))
    categorical[np.arange(x.shape[0]), x] = 1
    return np.reshape(categorical, input_shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2):
    """Scales `x` to unit `order`-norm along `axis` (tf.keras.utils.normalize); NumPy in, NumPy out."""
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, axis or -1)
    from .ops_nn import normalize as _normalize
    return _normalize(x, axis=axis, order=order)


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pads (or truncates) a list of sequences to one length (tf.keras.utils.pad_sequences).

    Args:
      sequences: a list of sequences (lists or arrays, possibly with trailing feature axes).
      maxlen: the output length; the longest sequence's when None.
      dtype: the output dtype (strings allowed).
      padding: 'pre' or 'post': where to pad.
      truncating: 'pre' or 'post': which end to drop from sequences longer than `maxlen`.
      value: the padding value.

    Returns:
      A NumPy array of shape (len(sequences), maxlen, ...).
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)
    lengths, sample_shape, flag = [], (), True
    for x in sequences:
        try:
            lengths.append(len(x))
            if flag and len(x):
                sample_shape = np.asarray(x).shape[1:]
                flag = False
        except TypeError as e:
            raise ValueError("`sequences` must be a list of iterables. Found non-iterable: %s" % str(x)) from e
    if maxlen is None:
        maxlen = np.max(lengths) if lengths else 0
    is_dtype_str = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.str_)
    if isinstance(value, str) and dtype is not object and not is_dtype_str:
        raise ValueError("`dtype` %s is not compatible with `value`'s type: %s\nYou should set `dtype=object` "
                         "for variable length strings." % (dtype, type(value)))
    x = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        if truncating == "pre":
            trunc = s[-maxlen:]
        elif truncating == "post":
            trunc = s[:maxlen]
        else:
            raise ValueError('Truncating type "%s" not understood' % truncating)
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError("Shape of sample %s of sequence at position %s is different from expected shape %s"
                             % (trunc.shape[1:], idx, sample_shape))
        if padding == "post":
            x[idx, :len(trunc)] = trunc
        elif padding == "pre":
            x[idx, -len(trunc):] = trunc
        else:
            raise ValueError('Padding type "%s" not understood' % padding)
    return x
