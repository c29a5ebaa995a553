"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot (and their
functional forms add, subtract, ...). Each is called on a list of tensors."""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...framework.convert import convert_to_tensor, is_tensor
from ...ops import array_ops, linalg_ops, math_ops
from .._registry import keras_export
from .convolutional import shape_tuple
from .layer import Layer


def _shapes(input_shape) -> list:
    if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(
            input_shape[0], (list, tuple)) and not hasattr(input_shape[0], "as_list"):
        raise ValueError("A merge layer should be called on a list of inputs. Received: input_shape=%s (not a list "
                         "of shapes)" % (input_shape,))
    return [shape_tuple(s) for s in input_shape]


def _elementwise_shape(shape1, shape2):
    """Keras's broadcast of two per-sample shapes (None: unknown)."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return _elementwise_shape(shape2, shape1)
    if not shape2:
        return shape1
    out = list(shape1[:-len(shape2)])
    for i, j in zip(shape1[-len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1:
            out.append(j if i == 1 else i)
        elif i != j:
            raise ValueError("Inputs have incompatible shapes. Received shapes %s and %s" % (shape1, shape2))
        else:
            out.append(i)
    return tuple(out)


class Merge(Layer):
    """The base of the elementwise merge layers (Keras's Merge): inputs of different ranks are
    expanded at axis 1 to the highest rank, then combined by `_merge_function`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def build(self, input_shape):
        shapes = _shapes(input_shape)
        batch_sizes = {s[0] for s in shapes if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received tensors with shapes %s"
                             % (shapes,))
        out = None if shapes[0] is None else shapes[0][1:]
        for s in shapes[1:]:
            out = _elementwise_shape(out, None if s is None else s[1:])
        self._reshape_required = None in shapes or len({len(s) for s in shapes}) != 1
        self.built = True

    def _as_tensors(self, inputs) -> list:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. Received: inputs=%s (not a list of "
                             "tensors)" % (inputs,))
        return [x if is_tensor(x) else convert_to_tensor(x, dtype_hint=self.compute_dtype) for x in inputs]

    def call(self, inputs):
        inputs = self._as_tensors(inputs)
        if self._reshape_required:
            ranks = [x.shape.rank for x in inputs]
            if None in ranks:
                raise ValueError("Merge layers need inputs of known rank. Received ranks %s" % (ranks,))
            top = max(ranks)
            expanded = []
            for x in inputs:
                for _ in range(top - x.shape.rank):
                    x = array_ops.expand_dims(x, 1)
                expanded.append(x)
            inputs = expanded
        return self._merge_function(inputs)

    def _merge_function(self, inputs):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        if any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = math_ops.logical_or(out, m)
        return out

    def compute_output_shape(self, input_shape):
        shapes = _shapes(input_shape)
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = _elementwise_shape(out, s[1:])
        batch = {s[0] for s in shapes} - {None}
        return (batch.pop() if len(batch) == 1 else None,) + tuple(out)


def _fold(fn, inputs):
    out = inputs[0]
    for x in inputs[1:]:
        out = fn(out, x)
    return out


@keras_export("keras.layers.Add")
class Add(Merge):
    """The elementwise sum of a list of inputs (tf.keras.layers.Add).

    >>> tf.keras.layers.Add()([tf.ones([2, 3]), tf.ones([2, 3])]).numpy()[0]
    array([2., 2., 2.], dtype=float32)
    """

    def _merge_function(self, inputs):
        return _fold(math_ops.add, inputs)


@keras_export("keras.layers.Subtract")
class Subtract(Merge):
    """inputs[0] - inputs[1] for exactly two inputs (tf.keras.layers.Subtract)."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=%s"
                             % (_shapes(input_shape),))

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. Received: inputs=%s"
                             % (inputs,))
        return math_ops.subtract(inputs[0], inputs[1])


@keras_export("keras.layers.Multiply")
class Multiply(Merge):
    """The elementwise product of a list of inputs (tf.keras.layers.Multiply)."""

    def _merge_function(self, inputs):
        return _fold(math_ops.multiply, inputs)


@keras_export("keras.layers.Average")
class Average(Merge):
    """The elementwise mean of a list of inputs (tf.keras.layers.Average)."""

    def _merge_function(self, inputs):
        return math_ops.divide(_fold(math_ops.add, inputs), len(inputs))


@keras_export("keras.layers.Maximum")
class Maximum(Merge):
    """The elementwise maximum of a list of inputs (tf.keras.layers.Maximum)."""

    def _merge_function(self, inputs):
        return _fold(math_ops.maximum, inputs)


@keras_export("keras.layers.Minimum")
class Minimum(Merge):
    """The elementwise minimum of a list of inputs (tf.keras.layers.Minimum)."""

    def _merge_function(self, inputs):
        return _fold(math_ops.minimum, inputs)


@keras_export("keras.layers.Concatenate")
class Concatenate(Merge):
    """Concatenates a list of inputs along `axis` (tf.keras.layers.Concatenate); the other
    dimensions must agree."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        shapes = _shapes(input_shape)
        if all(s is None for s in shapes):
            self.built = True
            return
        err = ("A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
               "Received: input_shape=%s" % (shapes,))
        ranks = {len(s) for s in shapes if s is not None}
        if len(ranks) != 1:
            raise ValueError(err)
        rank = ranks.pop()
        axis = self.axis % rank
        for i in range(rank):
            if i != axis and len({s[i] for s in shapes if s is not None and s[i] is not None}) > 1:
                raise ValueError(err)
        self.built = True

    def call(self, inputs):
        return array_ops.concat(self._as_tensors(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(array_ops.ones_like(x, dtype=dtypes.bool))
            elif m.shape.rank < x.shape.rank:
                masks.append(math_ops.logical_or(array_ops.expand_dims(m, -1), array_ops.zeros_like(x, dtype=dtypes.bool)))
            else:
                masks.append(m)
        return math_ops.reduce_any(array_ops.concat(masks, axis=self.axis), axis=-1)

    def compute_output_shape(self, input_shape):
        shapes = _shapes(input_shape)
        out = list(shapes[0])
        for s in shapes[1:]:
            if out[self.axis] is None or s[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] += s[self.axis]
        return tuple(out)

    def get_config(self) -> dict:
        c = super().get_config()
        c["axis"] = self.axis
        return c


def _l2_normalize(x, axis):
    """Keras's ops.normalize(order=2): x * min(rsqrt(sum(x^2)), 1 / epsilon)."""
    inv = math_ops.rsqrt(math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True))
    return math_ops.multiply(x, math_ops.minimum(inv, 1.0 / 1e-7))


def batch_dot(x, y, axes):
    """Keras's batch_dot: per-sample dot products of `x` and `y` contracting `axes` = (ax, ay).

    The result has x's remaining axes then y's (without its batch axis); a rank-1 result becomes (batch, 1).
    """
    rx, ry = x.shape.rank, y.shape.rank
    if rx < 2 or ry < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes %s and %s."
                         % (x.shape, y.shape))
    ax, ay = axes[0] % rx, axes[1] % ry
    if ax == 0 or ay == 0:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch "
                         "dimension to your inputs using keras.ops.expand_dims(x, 0)")
    dx, dy = x.shape[ax], y.shape[ay]
    if dx is not None and dy is not None and dx != dy:
        raise ValueError("Cannot do batch_dot on inputs with shapes %s and %s with axes=%s. x.shape[%d] != "
                         "y.shape[%d] (%d != %d)." % (x.shape, y.shape, [ax, ay], ax, ay, dx, dy))
    letters = iter("acdefghijklmnopqrstuvwxy")
    xs = ["b" if i == 0 else "z" if i == ax else next(letters) for i in range(rx)]
    ys = ["b" if i == 0 else "z" if i == ay else next(letters) for i in range(ry)]
    out = [c for c in xs if c != "z"] + [c for c in ys[1:] if c != "z"]
    result = linalg_ops.einsum("%s,%s->%s" % ("".join(xs), "".join(ys), "".join(out)), x, y)
    return array_ops.expand_dims(result, 1) if len(out) == 1 else result


@keras_export("keras.layers.Dot")
class Dot(Merge):
    """Per-sample dot products of two inputs along `axes` (tf.keras.layers.Dot).

    Args:
      axes: an int, or a pair (axis of the first input, axis of the second); never the batch axis.
      normalize: L2-normalize both inputs along the dot axes first (the cosine proximity).
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an int. Received: axes=%s"
                                % (axes,))
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two elements. Received: "
                                 "axes=%s" % (axes,))
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError("Invalid format for argument `axes`: list elements should be integers. Received: "
                                 "axes=%s" % (axes,))
        self.axes = axes
        self.normalize = normalize

    def _axes(self, rank1, rank2):
        if isinstance(self.axes, int):
            return [self.axes % rank1, self.axes % rank2] if self.axes < 0 else [self.axes] * 2
        return [a % r if a < 0 else a for a, r in zip(self.axes, (rank1, rank2))]

    def build(self, input_shape):
        shapes = _shapes(input_shape)
        if len(shapes) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=%s"
                             % (shapes,))
        s1, s2 = shapes
        if s1 is not None and s2 is not None:
            a1, a2 = self._axes(len(s1), len(s2))
            if s1[a1] != s2[a2]:
                raise ValueError("Incompatible input shapes: axis values %s (at axis %d) != %s (at axis %d). Full "
                                 "input shapes: %s, %s" % (s1[a1], a1, s2[a2], a2, s1, s2))
        self.built = True

    def call(self, inputs):
        inputs = self._as_tensors(inputs)
        if len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs. Received: inputs=%s" % (inputs,))
        x1, x2 = inputs
        axes = self._axes(x1.shape.rank, x2.shape.rank)
        if self.normalize:
            x1, x2 = _l2_normalize(x1, axes[0]), _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        s1, s2 = (list(s) for s in _shapes(input_shape))
        a1, a2 = self._axes(len(s1), len(s2))
        s1.pop(a1)
        s2.pop(a2)
        out = s1 + s2[1:]
        return tuple(out + [1] if len(out) == 1 else out)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(axes=self.axes, normalize=self.normalize)
        return c


@keras_export("keras.layers.add")
def add(inputs, **kwargs):
    """Functional form of Add: `Add(**kwargs)(inputs)`."""
    return Add(**kwargs)(inputs)


@keras_export("keras.layers.subtract")
def subtract(inputs, **kwargs):
    """Functional form of Subtract: `Subtract(**kwargs)(inputs)`."""
    return Subtract(**kwargs)(inputs)


@keras_export("keras.layers.multiply")
def multiply(inputs, **kwargs):
    """Functional form of Multiply: `Multiply(**kwargs)(inputs)`."""
    return Multiply(**kwargs)(inputs)


@keras_export("keras.layers.average")
def average(inputs, **kwargs):
    """Functional form of Average: `Average(**kwargs)(inputs)`."""
    return Average(**kwargs)(inputs)


@keras_export("keras.layers.maximum")
def maximum(inputs, **kwargs):
    """Functional form of Maximum: `Maximum(**kwargs)(inputs)`."""
    return Maximum(**kwargs)(inputs)


@keras_export("keras.layers.minimum")
def minimum(inputs, **kwargs):
    """Functional form of Minimum: `Minimum(**kwargs)(inputs)`."""
    return Minimum(**kwargs)(inputs)


@keras_export("keras.layers.concatenate")
def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of Concatenate: `Concatenate(axis=axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


@keras_export("keras.layers.dot")
def dot(inputs, axes=-1, **kwargs):
    """Functional form of Dot: `Dot(axes=axes, **kwargs)(inputs)`."""
    return Dot(axes=axes, **kwargs)(inputs)
