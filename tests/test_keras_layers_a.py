"""Keras layers (convolution, pooling, normalization, embedding, merging, reshaping): every layer through
run_layer_test in several configurations, numerics against NumPy references written from the
definitions, Keras 3's weights and config keys, and use inside tf.function and functional models."""
import itertools

import numpy as np
import pytest

import tensorforge as tf
from keras_layer_testing import run_layer_test

L = tf.keras.layers
RNG = np.random.default_rng(7)


def normal(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------- NumPy references
def same_pads(n, k, s, d=1):
    """TF's SAME padding: output ceil(n / s), the extra padding element after."""
    eff = (k - 1) * d + 1
    total = max((-(-n // s) - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def np_conv(x, w, strides, padding, dilation, groups=1):
    """Channels-last N-D cross-correlation of x [B, *spatial, C] with w [*k, C / groups, F]."""
    nsp = x.ndim - 2
    ks = w.shape[:nsp]
    pads = [(0, 0)] + [same_pads(x.shape[1 + i], ks[i], strides[i], dilation[i]) if padding == "same" else (0, 0)
                       for i in range(nsp)] + [(0, 0)]
    xp = np.pad(x.astype(np.float64), pads)
    out_sp = [(xp.shape[1 + i] - (ks[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(nsp)]
    cg, f = x.shape[-1] // groups, w.shape[-1]
    out = np.zeros((x.shape[0], *out_sp, f))
    for tap in itertools.product(*[range(k) for k in ks]):
        index = tuple(slice(t * d, t * d + (o - 1) * s + 1, s) for t, d, o, s in zip(tap, dilation, out_sp, strides))
        patch = xp[(slice(None),) + index]
        pg = patch.reshape(patch.shape[:-1] + (groups, cg))
        wg = w[tap].astype(np.float64).reshape(cg, groups, f // groups)
        out += np.einsum("...gc,cgf->...gf", pg, wg).reshape(out.shape)
    return out


def np_conv_transpose(x, w, strides, padding, out_spatial, dilation):
    """The adjoint of np_conv: the input of size `out_spatial` whose forward conv gives x (kernel
    w [*k, F, C]), computed from the forward conv of every one-hot input."""
    f = w.shape[-2]
    size = int(np.prod(out_spatial)) * f
    basis = np.eye(size).reshape((size, *out_spatial, f))
    forward = np_conv(basis, w, strides, padding, dilation)  # [size, *x_spatial, C]
    assert forward.shape[1:] == x.shape[1:], (forward.shape, x.shape)
    out = x.reshape(x.shape[0], -1).astype(np.float64) @ forward.reshape(size, -1).T
    return out.reshape((x.shape[0], *out_spatial, f))


def np_pool(x, pool, strides, padding, mode):
    """Channels-last max/average pooling; SAME windows average their real elements only."""
    nsp = x.ndim - 2
    pads = [(0, 0)] + [same_pads(x.shape[1 + i], pool[i], strides[i]) if padding == "same" else (0, 0)
                       for i in range(nsp)] + [(0, 0)]
    xp = np.pad(x.astype(np.float64), pads, constant_values=np.nan)
    out_sp = [(xp.shape[1 + i] - pool[i]) // strides[i] + 1 for i in range(nsp)]
    windows = []
    for tap in itertools.product(*[range(p) for p in pool]):
        index = tuple(slice(t, t + (o - 1) * s + 1, s) for t, o, s in zip(tap, out_sp, strides))
        windows.append(xp[(slice(None),) + index])
    stacked = np.stack(windows)
    return np.nanmax(stacked, 0) if mode == "max" else np.nanmean(stacked, 0)


def to_last(x):
    return np.moveaxis(x, 1, -1)


def to_first(x):
    return np.moveaxis(x, -1, 1)


def close(a, b, tol=1e-4):
    np.testing.assert_allclose(np.asarray(a), b, rtol=tol, atol=tol)


# ---------------------------------------------------------------- convolutions
CONV_CASES = [
    (L.Conv1D, dict(filters=3, kernel_size=2), (2, 5, 4), (2, 4, 3)),
    (L.Conv1D, dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2), (2, 9, 2), (2, 9, 4)),
    (L.Conv1D, dict(filters=4, kernel_size=3, strides=2, padding="same", groups=2, activation="tanh"), (2, 9, 2),
     (2, 5, 4)),
    (L.Conv1D, dict(filters=2, kernel_size=3, data_format="channels_first", padding="same"), (2, 3, 7), (2, 2, 7)),
    (L.Conv2D, dict(filters=4, kernel_size=3, padding="same", activation="relu"), (2, 6, 6, 2), (2, 6, 6, 4)),
    (L.Conv2D, dict(filters=4, kernel_size=(2, 3), strides=2, groups=2, use_bias=False), (2, 7, 6, 2), (2, 3, 2, 4)),
    (L.Conv2D, dict(filters=3, kernel_size=3, dilation_rate=2, padding="same"), (2, 7, 6, 2), (2, 7, 6, 3)),
    (L.Conv2D, dict(filters=2, kernel_size=3, strides=2, data_format="channels_first"), (2, 3, 7, 6), (2, 2, 3, 2)),
    (L.Conv3D, dict(filters=2, kernel_size=2, strides=(1, 2, 1), padding="same"), (1, 4, 5, 4, 3), (1, 4, 3, 4, 2)),
    (L.Conv3D, dict(filters=2, kernel_size=(1, 2, 2)), (2, 3, 4, 4, 2), (2, 3, 3, 3, 2)),
    (L.Conv3D, dict(filters=4, kernel_size=2, groups=2, data_format="channels_first"), (1, 2, 3, 3, 3),
     (1, 4, 2, 2, 2)),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape", CONV_CASES)
def test_conv_layer(cls, kwargs, in_shape, out_shape):
    layer = run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                           expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1,
                           expected_num_non_trainable_weights=0)
    assert layer.compute_output_shape((None,) + in_shape[1:]) == (None,) + out_shape[1:]
    rank = len(in_shape) - 2
    x = normal(*in_shape)
    weights = [normal(*w.shape) for w in layer.weights]
    layer.set_weights(weights)
    cf = kwargs.get("data_format") == "channels_first"
    xl = to_last(x) if cf else x
    strides = layer.strides
    dilation = layer.dilation_rate
    padding = kwargs.get("padding", "valid")
    if padding == "causal":
        xl = np.pad(xl, [(0, 0), ((layer.kernel_size[0] - 1) * dilation[0], 0), (0, 0)])
        padding = "valid"
    want = np_conv(xl, weights[0], strides, padding, dilation, kwargs.get("groups", 1))
    if len(weights) == 2:
        want = want + weights[1]
    want = {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh}.get(kwargs.get("activation"), lambda v: v)(want)
    close(layer(x), to_first(want) if cf else want)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["kernel", "bias"][:len(weights)]
    assert layer.weights[0].shape.as_list() == list(layer.kernel_size) + [
        (in_shape[1] if cf else in_shape[-1]) // kwargs.get("groups", 1), kwargs["filters"]]
    assert layer.rank == rank


def transpose_len(n, k, s, padding, op, d=1):
    """Keras's documented output length of a transposed convolution."""
    eff = (k - 1) * d + 1
    if padding == "valid":
        return (n - 1) * s + eff + (max(eff, s) - eff if op is None else op)
    return n * s if op is None else (n - 1) * s + eff % 2 + op


TRANSPOSE_CASES = [
    (L.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 4, 4, 2)),
    (L.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=2, output_padding=1), (2, 4, 5, 2)),
    (L.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=(2, 1), output_padding=(1, 0), padding="same"),
     (2, 4, 5, 2)),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=2, strides=3), (2, 3, 4, 2)),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=2, strides=3, padding="same"), (2, 3, 4, 2)),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=4, strides=2, padding="same", activation="relu"), (2, 3, 4, 2)),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=(3, 2), padding="same", use_bias=False), (1, 3, 4, 2)),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same", data_format="channels_first"),
     (2, 3, 4, 4)),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=2, dilation_rate=2), (1, 3, 4, 2)),
    (L.Conv1DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same"), (2, 5, 3)),
    (L.Conv3DTranspose, dict(filters=2, kernel_size=2, strides=2), (1, 2, 3, 2, 3)),
]


@pytest.mark.parametrize("cls,kwargs,in_shape", TRANSPOSE_CASES)
def test_conv_transpose_layer(cls, kwargs, in_shape):
    probe = cls(**kwargs)
    cf = probe.data_format == "channels_first"
    spatial = in_shape[2:] if cf else in_shape[1:-1]
    ops = probe.output_padding or (None,) * len(spatial)
    out_sp = tuple(transpose_len(n, probe.kernel_size[i], probe.strides[i], probe.padding, ops[i],
                                 probe.dilation_rate[i]) for i, n in enumerate(spatial))
    f = kwargs["filters"]
    out_shape = (in_shape[0],) + ((f,) + out_sp if cf else out_sp + (f,))
    layer = run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                           expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1)
    assert layer.compute_output_shape(in_shape) == out_shape
    in_channels = in_shape[1] if cf else in_shape[-1]
    assert layer.kernel.shape.as_list() == list(layer.kernel_size) + [f, in_channels]
    x = normal(*in_shape)
    weights = [normal(*w.shape) for w in layer.weights]
    layer.set_weights(weights)
    # TF's transposed convolution is the adjoint of a convolution whose input has the output's size,
    # with the same padding ('same' centred by TF's rule) and strides.
    want = np_conv_transpose(to_last(x) if cf else x, weights[0], layer.strides, layer.padding, out_sp,
                             layer.dilation_rate)
    if len(weights) == 2:
        want = want + weights[1]
    if kwargs.get("activation") == "relu":
        want = np.maximum(want, 0)
    close(layer(x), to_first(want) if cf else want)


def test_conv_transpose_unknown_spatial_dims_in_tf_function():
    layer = L.Conv2DTranspose(3, 3, strides=2, padding="same")
    x = normal(1, 3, 4, 2)
    eager = layer(x).numpy()
    f = tf.function(layer, input_signature=[tf.TensorSpec([None, None, None, 2], tf.float32)])
    close(f(tf.constant(x)), eager, 1e-6)
    y = normal(2, 2, 5, 2)  # a second shape reuses the same trace
    close(f(tf.constant(y)), layer(y).numpy(), 1e-6)
    sym = layer(tf.keras.Input(shape=(None, None, 2)))
    assert sym.shape.as_list() == [None, None, None, 3]


DEPTHWISE_CASES = [
    (L.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=2, padding="same"), (2, 5, 5, 2), (2, 5, 5, 4)),
    (L.DepthwiseConv2D, dict(kernel_size=2, strides=2, use_bias=False), (2, 5, 5, 3), (2, 2, 2, 3)),
    (L.DepthwiseConv2D, dict(kernel_size=3, dilation_rate=2, data_format="channels_first"), (1, 2, 6, 6),
     (1, 2, 2, 2)),
    (L.DepthwiseConv1D, dict(kernel_size=3, depth_multiplier=2, padding="same", activation="relu"), (2, 6, 2),
     (2, 6, 4)),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape", DEPTHWISE_CASES)
def test_depthwise_layer(cls, kwargs, in_shape, out_shape):
    layer = run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                           expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1)
    assert layer.compute_output_shape(in_shape) == out_shape
    cf = layer.data_format == "channels_first"
    c, m = (in_shape[1] if cf else in_shape[-1]), layer.depth_multiplier
    assert layer.kernel.shape.as_list() == list(layer.kernel_size) + [c, m]
    x = normal(*in_shape)
    weights = [normal(*w.shape) for w in layer.weights]
    layer.set_weights(weights)
    w = weights[0].reshape(layer.kernel_size + (1, c * m))  # depthwise == grouped conv, one group per channel
    want = np_conv(to_last(x) if cf else x, w, layer.strides, layer.padding, layer.dilation_rate, groups=c)
    if len(weights) == 2:
        want = want + weights[1]
    if kwargs.get("activation") == "relu":
        want = np.maximum(want, 0)
    close(layer(x), to_first(want) if cf else want)


SEPARABLE_CASES = [
    (L.SeparableConv2D, dict(filters=3, kernel_size=3, depth_multiplier=2), (2, 5, 5, 2), (2, 3, 3, 3)),
    (L.SeparableConv2D, dict(filters=3, kernel_size=3, strides=2, padding="same", use_bias=False), (2, 6, 5, 2),
     (2, 3, 3, 3)),
    (L.SeparableConv1D, dict(filters=3, kernel_size=3, padding="same", dilation_rate=2), (2, 8, 2), (2, 8, 3)),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape", SEPARABLE_CASES)
def test_separable_layer(cls, kwargs, in_shape, out_shape):
    layer = run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                           expected_num_trainable_weights=3 if kwargs.get("use_bias", True) else 2)
    assert layer.compute_output_shape(in_shape) == out_shape
    assert [w.path.split("/")[-1] for w in layer.weights][:2] == ["depthwise_kernel", "pointwise_kernel"]
    c, m = in_shape[-1], layer.depth_multiplier
    x = normal(*in_shape)
    weights = [normal(*w.shape) for w in layer.weights]
    layer.set_weights(weights)
    depth = np_conv(x, weights[0].reshape(layer.kernel_size + (1, c * m)), layer.strides, layer.padding,
                    layer.dilation_rate, groups=c)
    want = np_conv(depth, weights[1], (1,) * layer.rank, "valid", (1,) * layer.rank)
    if len(weights) == 3:
        want = want + weights[2]
    close(layer(x), want)


def test_conv_config_and_errors():
    layer = L.Conv2D(4, 3)
    config = layer.get_config()
    assert set(config) == {"name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding",
                           "data_format", "dilation_rate", "groups", "activation", "use_bias", "kernel_initializer",
                           "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                           "kernel_constraint", "bias_constraint"}
    assert config["kernel_size"] == (3, 3) and config["strides"] == (1, 1) and config["activation"] == "linear"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    transpose = L.Conv2DTranspose(2, 3).get_config()
    assert transpose["output_padding"] is None and "groups" not in transpose
    assert "depthwise_initializer" in L.DepthwiseConv2D(3).get_config()
    with pytest.raises(ValueError, match="evenly divisible by the number of groups"):
        L.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="strides > 1"):
        L.Conv2D(3, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="padding"):
        L.Conv2D(3, 3, padding="causal")
    with pytest.raises(ValueError, match="kernel_size"):
        L.Conv2D(3, (3, 3, 3))
    with pytest.raises(ValueError, match="output_padding"):
        L.Conv2DTranspose(3, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        L.Conv2D(3, 3)(normal(2, 5, 5))
    conv = L.Conv2D(3, 3)
    conv(normal(1, 5, 5, 2))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 2"):
        conv(normal(1, 5, 5, 3))


# ---------------------------------------------------------------- pooling
POOL_CASES = [
    (L.MaxPooling1D, dict(), (2, 6, 3), "max"),
    (L.MaxPooling1D, dict(pool_size=3, strides=1, padding="same"), (2, 5, 3), "max"),
    (L.MaxPooling2D, dict(), (2, 4, 5, 3), "max"),
    (L.MaxPooling2D, dict(pool_size=3, strides=2, padding="same", data_format="channels_first"), (2, 3, 5, 5), "max"),
    (L.MaxPooling1D, dict(pool_size=3, data_format="channels_first"), (2, 3, 7), "max"),
    (L.MaxPooling3D, dict(pool_size=(2, 1, 2)), (1, 4, 3, 4, 2), "max"),
    (L.AveragePooling3D, dict(pool_size=2, strides=1, data_format="channels_first"), (1, 2, 3, 3, 4), "avg"),
    (L.AveragePooling1D, dict(pool_size=3, padding="same"), (2, 7, 3), "avg"),
    (L.AveragePooling2D, dict(pool_size=2), (2, 4, 4, 3), "avg"),
    (L.AveragePooling2D, dict(pool_size=3, strides=2, padding="same"), (2, 5, 6, 2), "avg"),
    (L.AveragePooling3D, dict(pool_size=2, padding="same"), (1, 3, 4, 4, 2), "avg"),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,mode", POOL_CASES)
def test_pooling_layer(cls, kwargs, in_shape, mode):
    probe = cls(**kwargs)
    cf = probe.data_format == "channels_first"
    x = normal(*in_shape)
    want = np_pool(to_last(x) if cf else x, probe.pool_size, probe.strides, str(probe.padding).lower(), mode)
    want = to_first(want) if cf else want
    layer = run_layer_test(cls, kwargs, input_data=x, expected_output_shape=want.shape,
                           expected_num_trainable_weights=0)
    close(layer(x), want, 1e-5)
    assert layer.compute_output_shape((None,) + in_shape[1:]) == (None,) + want.shape[1:]


@pytest.mark.parametrize("cls,kwargs,in_shape,reduce", [
    (L.GlobalAveragePooling1D, dict(), (2, 5, 3), np.mean),
    (L.GlobalAveragePooling1D, dict(data_format="channels_first", keepdims=True), (2, 5, 3), np.mean),
    (L.GlobalAveragePooling2D, dict(), (2, 4, 4, 3), np.mean),
    (L.GlobalAveragePooling2D, dict(keepdims=True), (2, 4, 4, 3), np.mean),
    (L.GlobalAveragePooling3D, dict(), (2, 2, 3, 4, 3), np.mean),
    (L.GlobalMaxPooling1D, dict(data_format="channels_first"), (2, 5, 3), np.max),
    (L.GlobalMaxPooling2D, dict(), (2, 4, 4, 3), np.max),
    (L.GlobalMaxPooling2D, dict(keepdims=True, data_format="channels_first"), (2, 3, 4, 4), np.max),
    (L.GlobalMaxPooling3D, dict(keepdims=True), (2, 2, 3, 4, 3), np.max),
])
def test_global_pooling_layer(cls, kwargs, in_shape, reduce):
    x = normal(*in_shape)
    first = 2 if kwargs.get("data_format") == "channels_first" else 1
    want = reduce(x, axis=tuple(range(first, first + len(in_shape) - 2)), keepdims=kwargs.get("keepdims", False))
    layer = run_layer_test(cls, kwargs, input_data=x, expected_output_shape=want.shape)
    close(layer(x), want, 1e-5)
    assert layer.compute_output_shape((None,) + in_shape[1:]) == (None,) + want.shape[1:]
    assert set(cls().get_config()) == {"name", "trainable", "dtype", "data_format", "keepdims"}


def test_pooling_config_and_mask():
    config = L.AveragePooling2D(3, padding="same").get_config()
    assert config["pool_size"] == (3, 3) and config["strides"] == (3, 3) and config["padding"] == "same"
    assert set(config) == {"name", "trainable", "dtype", "pool_size", "padding", "strides", "data_format"}
    assert L.MaxPooling1D().pool_size == (2,) and L.MaxPooling3D().strides == (2, 2, 2)
    with pytest.raises(TypeError):
        L.AveragePooling2D()  # Keras: pool_size is required for average pooling
    x = normal(2, 4, 3)
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    want = np.stack([x[0, :2].mean(0), x[1].mean(0)])
    close(L.GlobalAveragePooling1D()(x, mask=tf.constant(mask)), want, 1e-6)


# ---------------------------------------------------------------- normalization
def np_batchnorm(x, mean, var, gamma, beta, eps, axis):
    shape = [1] * x.ndim
    shape[axis] = -1
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if gamma is not None:
        out = out * gamma.reshape(shape)
    return out + (0 if beta is None else beta.reshape(shape))


@pytest.mark.parametrize("kwargs,in_shape", [
    (dict(), (4, 3)),
    (dict(axis=1, center=False), (4, 3, 2, 2)),
    (dict(momentum=0.9, epsilon=1e-2, scale=False, beta_initializer="ones"), (3, 5, 2)),
])
def test_batch_normalization(kwargs, in_shape):
    layer = run_layer_test(L.BatchNormalization, kwargs, input_shape=in_shape, expected_output_shape=in_shape,
                           expected_num_trainable_weights=int(kwargs.get("center", True)) + int(kwargs.get("scale", True)),
                           expected_num_non_trainable_weights=2)
    names = [w.path.split("/")[-1] for w in layer.weights]
    assert names == [n for n, on in (("gamma", kwargs.get("scale", True)), ("beta", kwargs.get("center", True)),
                                     ("moving_mean", True), ("moving_variance", True)) if on]
    axis = kwargs.get("axis", -1) % len(in_shape)
    c = in_shape[axis]
    weights = [normal(c) for _ in layer.weights]
    weights[-1] = np.abs(weights[-1]) + 0.5
    layer.set_weights(weights)
    values = dict(zip(names, weights))
    eps, momentum = kwargs.get("epsilon", 1e-3), kwargs.get("momentum", 0.99)
    x = normal(*in_shape)
    # Inference: the moving statistics.
    want = np_batchnorm(x, values["moving_mean"], values["moving_variance"], values.get("gamma"), values.get("beta"),
                        eps, axis)
    close(layer(x), want, 1e-5)
    close(layer(x, training=False), want, 1e-5)
    # Training: the batch statistics, and Keras's moving-average update.
    axes = tuple(i for i in range(len(in_shape)) if i != axis)
    bm, bv = x.astype(np.float64).mean(axes), x.astype(np.float64).var(axes)
    close(layer(x, training=True), np_batchnorm(x, bm, bv, values.get("gamma"), values.get("beta"), eps, axis), 1e-4)
    close(layer.moving_mean.numpy(), values["moving_mean"] * momentum + bm * (1 - momentum), 1e-5)
    close(layer.moving_variance.numpy(), values["moving_variance"] * momentum + bv * (1 - momentum), 1e-5)
    # A frozen layer uses (and keeps) the moving statistics even when training.
    layer.trainable = False
    before = layer.moving_mean.numpy().copy()
    layer(x, training=True)
    close(layer.moving_mean.numpy(), before, 0)


def test_batch_normalization_in_tf_function_and_config():
    layer = L.BatchNormalization(momentum=0.5)
    x = normal(8, 3)
    step = tf.function(lambda v: layer(v, training=True))
    step(tf.constant(x))
    step(tf.constant(x))
    mean = x.astype(np.float64).mean(0)
    close(layer.moving_mean.numpy(), mean * 0.75, 1e-5)  # 0 -> mean/2 -> 3 mean/4
    config = layer.get_config()
    assert config["momentum"] == 0.5 and config["epsilon"] == 0.001 and config["axis"] == -1
    assert {"moving_mean_initializer", "moving_variance_initializer", "renorm", "renorm_clipping",
            "renorm_momentum", "synchronized", "beta_initializer", "gamma_initializer"} <= set(config)
    assert config["gamma_initializer"]["class_name"] == "Ones"


def np_layernorm(x, axes, gamma, beta, eps):
    x = x.astype(np.float64)
    mean = x.mean(axes, keepdims=True)
    var = x.var(axes, keepdims=True)
    out = (x - mean) / np.sqrt(var + eps)
    return out * (1 if gamma is None else gamma) + (0 if beta is None else beta)


@pytest.mark.parametrize("kwargs,in_shape", [
    (dict(), (4, 6)),
    (dict(axis=(1, 2), scale=False), (2, 3, 4)),
    (dict(axis=1, epsilon=1e-5), (2, 3, 4)),
    (dict(axis=[-1, -2], center=False), (2, 3, 4)),
])
def test_layer_normalization(kwargs, in_shape):
    layer = run_layer_test(L.LayerNormalization, kwargs, input_shape=in_shape, expected_output_shape=in_shape,
                           expected_num_trainable_weights=int(kwargs.get("center", True)) + int(kwargs.get("scale", True)))
    ndim = len(in_shape)
    axis = kwargs.get("axis", -1)
    axes = sorted(a % ndim for a in (axis if isinstance(axis, (list, tuple)) else [axis]))
    assert layer.axis == sorted(axis) if isinstance(axis, (list, tuple)) else [axis]
    bshape = [in_shape[a] if a in axes else 1 for a in range(ndim)]
    weights = [normal(*w.shape) for w in layer.weights]
    layer.set_weights(weights)
    named = dict(zip([w.path.split("/")[-1] for w in layer.weights], weights))
    gamma = named["gamma"].reshape(bshape) if "gamma" in named else None
    beta = named["beta"].reshape(bshape) if "beta" in named else None
    x = normal(*in_shape)
    close(layer(x), np_layernorm(x, tuple(axes), gamma, beta, kwargs.get("epsilon", 1e-3)), 1e-5)
    assert "rms_scaling" in layer.get_config()


@pytest.mark.parametrize("kwargs,in_shape", [
    (dict(groups=2), (2, 5, 4)),
    (dict(groups=3, axis=1), (2, 6, 4, 2)),
    (dict(groups=-1, center=False), (2, 3, 4)),
])
def test_group_normalization(kwargs, in_shape):
    layer = run_layer_test(L.GroupNormalization, kwargs, input_shape=in_shape, expected_output_shape=in_shape)
    axis = kwargs.get("axis", -1) % len(in_shape)
    c = in_shape[axis]
    groups = layer.groups
    weights = [normal(*w.shape) for w in layer.weights]
    layer.set_weights(weights)
    named = dict(zip([w.path.split("/")[-1] for w in layer.weights], weights))
    x = normal(*in_shape)
    xl = np.moveaxis(x, axis, -1).astype(np.float64)
    xg = xl.reshape(xl.shape[:-1] + (groups, c // groups))
    axes = tuple(range(1, xg.ndim - 2)) + (xg.ndim - 1,)
    norm = ((xg - xg.mean(axes, keepdims=True)) / np.sqrt(xg.var(axes, keepdims=True) + 1e-3)).reshape(xl.shape)
    norm = norm * named.get("gamma", 1) + named.get("beta", 0)
    close(layer(x), np.moveaxis(norm, -1, axis), 1e-4)


def test_group_normalization_errors_and_unknown_dims():
    with pytest.raises(ValueError, match="groups"):
        L.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="cannot be more than the number of channels"):
        L.GroupNormalization(groups=8)(normal(2, 4))
    layer = L.GroupNormalization(groups=2)
    f = tf.function(layer, input_signature=[tf.TensorSpec([None, None, 4], tf.float32)])
    x = normal(2, 3, 4)
    close(f(tf.constant(x)), layer(x).numpy(), 1e-6)


# ---------------------------------------------------------------- embedding
@pytest.mark.parametrize("kwargs,in_shape", [
    (dict(input_dim=10, output_dim=3), (2, 4)),
    (dict(input_dim=5, output_dim=2, mask_zero=True), (3,)),
    (dict(input_dim=6, output_dim=4, embeddings_initializer="ones"), (2, 2, 3)),
])
def test_embedding(kwargs, in_shape):
    layer = run_layer_test(L.Embedding, kwargs, input_shape=in_shape, input_dtype="int32",
                           expected_output_shape=in_shape + (kwargs["output_dim"],),
                           expected_num_trainable_weights=1)
    assert layer.weights[0].path.endswith("/embeddings")
    table = normal(kwargs["input_dim"], kwargs["output_dim"])
    layer.set_weights([table])
    ids = RNG.integers(0, 5, in_shape).astype(np.int32)
    close(layer(ids), table[ids], 0)
    close(layer(ids.astype(np.float32)), table[ids], 0)
    mask = layer.compute_mask(tf.constant(ids))
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(mask.numpy(), ids != 0)
    else:
        assert mask is None


def test_embedding_gradient_is_indexed_slices():
    layer = L.Embedding(10, 3)
    ids = tf.constant([[1, 2], [2, 7]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(ids) * 2.0)
    grad = tape.gradient(loss, layer.embeddings)
    assert isinstance(grad, tf.IndexedSlices)
    dense = np.zeros((10, 3))
    np.add.at(dense, ids.numpy().ravel(), 2.0)
    close(tf.convert_to_tensor(grad), dense, 0)
    config = layer.get_config()
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    assert config["embeddings_initializer"]["config"]["minval"] == -0.05
    assert {"input_dim", "output_dim", "mask_zero", "embeddings_regularizer", "embeddings_constraint",
            "activity_regularizer", "quantization_config"} <= set(config)
    preset = L.Embedding(4, 2, weights=[np.ones((4, 2), np.float32)])
    close(preset(tf.constant([3])), np.ones((1, 2)), 0)
    with pytest.raises(ValueError, match="input_dim"):
        L.Embedding(0, 3)


# ---------------------------------------------------------------- merging
MERGE_CASES = [
    (L.Add, dict(), lambda a, b: a + b),
    (L.Subtract, dict(), lambda a, b: a - b),
    (L.Multiply, dict(), lambda a, b: a * b),
    (L.Average, dict(), lambda a, b: (a + b) / 2),
    (L.Maximum, dict(), np.maximum),
    (L.Minimum, dict(), np.minimum),
    (L.Concatenate, dict(), lambda a, b: np.concatenate([a, b], -1)),
    (L.Concatenate, dict(axis=1), lambda a, b: np.concatenate([a, b], 1)),
    (L.Dot, dict(axes=-1), lambda a, b: np.einsum("bi,bi->b", a, b)[:, None]),
    (L.Dot, dict(axes=1, normalize=True), lambda a, b: np.einsum(
        "bi,bi->b", a / np.linalg.norm(a, axis=1, keepdims=True), b / np.linalg.norm(b, axis=1, keepdims=True))[:, None]),
]


@pytest.mark.parametrize("cls,kwargs,reference", MERGE_CASES)
def test_merge_numerics_and_functional(cls, kwargs, reference):
    a, b = normal(2, 3), normal(2, 3)
    close(cls(**kwargs)([a, b]), reference(a, b), 1e-5)
    x, y = tf.keras.Input(shape=(3,)), tf.keras.Input(shape=(3,))
    out = cls(**kwargs)([x, y])
    assert out.shape.as_list() == [None] + list(reference(a, b).shape[1:])
    model = tf.keras.Model([x, y], out)
    close(model([a, b]), reference(a, b), 1e-5)


@pytest.mark.parametrize("cls,kwargs,reference", MERGE_CASES)
def test_merge_layer_test(cls, kwargs, reference):
    a, b = normal(2, 3), normal(2, 3)
    run_layer_test(cls, kwargs, input_data=[a, b], expected_output_shape=reference(a, b).shape,
                   expected_num_trainable_weights=0)


def test_merge_broadcast_ranks_dot_axes_and_errors():
    a, b = normal(2, 3, 4), normal(2, 4)
    close(L.Add()([a, b]), a + b[:, None, :], 1e-6)
    c, d = normal(2, 3, 4), normal(2, 5, 3)
    close(L.Dot(axes=(1, 2))([c, d]), np.einsum("bik,bji->bkj", c, d), 1e-5)
    e = normal(2, 4, 2, 5)
    close(L.Dot(axes=(2, 1))([c, e]), np.einsum("bik,bkjl->bijl", c, e), 1e-5)
    assert L.Dot(axes=(1, 2)).compute_output_shape([(None, 3, 4), (None, 5, 3)]) == (None, 4, 5)
    close(L.concatenate([a, a], axis=1), np.concatenate([a, a], 1), 0)
    close(L.add([b, b, b]), 3 * b, 1e-6)
    close(L.subtract([b, b]), 0 * b, 0)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([b, b, b])
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.Add()([normal(2, 3), normal(2, 4)])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate()([normal(2, 3, 4), normal(2, 2, 4)])
    with pytest.raises(ValueError, match="list of inputs"):
        L.Add()(normal(2, 3))
    with pytest.raises(ValueError, match="Incompatible input shapes"):
        L.Dot(axes=1)([normal(2, 3), normal(2, 4)])
    assert L.Concatenate(axis=2).get_config()["axis"] == 2
    assert L.Dot(axes=(1, 2), normalize=True).get_config()["axes"] == (1, 2)


# ---------------------------------------------------------------- reshaping, Lambda, Rescaling
RESHAPE_CASES = [
    (L.Permute, dict(dims=(2, 1)), (2, 3, 4), lambda x: x.transpose(0, 2, 1)),
    (L.Permute, dict(dims=(3, 1, 2)), (2, 3, 4, 5), lambda x: x.transpose(0, 3, 1, 2)),
    (L.RepeatVector, dict(n=3), (2, 4), lambda x: np.repeat(x[:, None], 3, 1)),
    (L.UpSampling2D, dict(), (1, 2, 3, 2), lambda x: x.repeat(2, 1).repeat(2, 2)),
    (L.UpSampling2D, dict(size=(2, 3), data_format="channels_first"), (1, 2, 2, 3),
     lambda x: x.repeat(2, 2).repeat(3, 3)),
    (L.ZeroPadding2D, dict(), (1, 2, 2, 1), lambda x: np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)])),
    (L.ZeroPadding2D, dict(padding=((1, 2), (0, 1))), (1, 2, 2, 3), lambda x: np.pad(x, [(0, 0), (1, 2), (0, 1), (0, 0)])),
    (L.ZeroPadding2D, dict(padding=(2, 1), data_format="channels_first"), (1, 3, 2, 2),
     lambda x: np.pad(x, [(0, 0), (0, 0), (2, 2), (1, 1)])),
    (L.Cropping2D, dict(cropping=1), (1, 4, 4, 2), lambda x: x[:, 1:-1, 1:-1]),
    (L.Cropping2D, dict(cropping=((1, 0), (0, 2))), (1, 4, 5, 2), lambda x: x[:, 1:, :-2]),
    (L.Cropping2D, dict(cropping=(1, 2), data_format="channels_first"), (1, 2, 4, 5), lambda x: x[:, :, 1:-1, 2:-2]),
    (L.Rescaling, dict(scale=1 / 255.0), (2, 3), lambda x: x / 255.0),
    (L.Rescaling, dict(scale=2.0, offset=-1), (2, 3), lambda x: x * 2 - 1),
    (L.Rescaling, dict(scale=np.array([1.0, 2.0, 3.0], np.float32), offset=0.5), (2, 3),
     lambda x: x * np.array([1.0, 2.0, 3.0]) + 0.5),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,reference", RESHAPE_CASES)
def test_reshaping_layer(cls, kwargs, in_shape, reference):
    x = normal(*in_shape)
    want = reference(x.astype(np.float64))
    layer = run_layer_test(cls, kwargs, input_data=x, expected_output_shape=want.shape,
                           expected_num_trainable_weights=0)
    close(layer(x), want, 1e-5)
    assert layer.compute_output_shape((None,) + in_shape[1:]) == (None,) + want.shape[1:]


def test_upsampling_bilinear_and_reshaping_configs():
    x = normal(1, 2, 3, 1)
    out = L.UpSampling2D(interpolation="bilinear")(x)
    close(out, tf.image.resize(x, [4, 6], method="bilinear").numpy(), 1e-6)
    assert L.UpSampling2D(interpolation="Bilinear").get_config()["interpolation"] == "bilinear"
    assert L.ZeroPadding2D(2).get_config()["padding"] == ((2, 2), (2, 2))
    assert L.Cropping2D(((1, 0), (2, 3))).get_config()["cropping"] == ((1, 0), (2, 3))
    with pytest.raises(ValueError, match="smaller than the corresponding spatial dimension"):
        L.Cropping2D(2)(normal(1, 4, 4, 1))
    with pytest.raises(ValueError, match="consecutive"):
        L.Permute((1, 3))
    with pytest.raises(TypeError):
        L.RepeatVector(2.0)
    config = L.Rescaling(np.array([1.0, 2.0], np.float32)).get_config()
    assert config["scale"] == {"class_name": "__numpy__", "config": {"value": [1.0, 2.0], "dtype": "float32"}}
    close(L.Rescaling(1 / 255)(np.full((1, 2), 255, np.uint8)), np.ones((1, 2)), 1e-6)


@tf.keras.register_keras_serializable(package="layers_a_test")
def times_two_plus(x, offset=0.0):
    return x * 2.0 + offset


@pytest.mark.parametrize("kwargs", [dict(function=times_two_plus),
                                    dict(function=times_two_plus, arguments={"offset": 1.5}, output_shape=(3,))])
def test_lambda_named_function(kwargs):
    x = normal(2, 3)
    layer = run_layer_test(L.Lambda, kwargs, input_data=x, expected_output_shape=(2, 3))
    close(layer(x), x * 2.0 + kwargs.get("arguments", {}).get("offset", 0.0), 1e-6)
    config = layer.get_config()
    assert config["function"] == {"module": "builtins", "class_name": "function",
                                  "config": "layers_a_test>times_two_plus", "registered_name": "function"}


def test_lambda_python_lambda_needs_unsafe_mode():
    scale = 3.0
    layer = L.Lambda(lambda x, bias=1.0: x * scale + bias, output_shape=(4,))
    config = layer.get_config()
    assert config["function"]["class_name"] == "__lambda__"
    assert config["function"]["config"]["defaults"] == (1.0,) and config["function"]["config"]["closure"] == (3.0,)
    assert config["output_shape"] == (4,) and config["arguments"] == {}
    with pytest.raises(ValueError, match="safe_mode=False"):
        L.Lambda.from_config(config)
    clone = L.Lambda.from_config(config, safe_mode=False)
    x = normal(2, 4)
    close(clone(x), x * 3.0 + 1.0, 1e-6)
    assert clone.compute_output_shape((None, 4)) == (None, 4)
    # training/mask are passed only to functions that take them
    seen = {}

    def fn(x, training=None):
        seen["training"] = training
        return x
    L.Lambda(fn)(x, training=True)
    assert seen["training"] is True


# ---------------------------------------------------------------- tf.function and functional models
def _model_layers():
    return [L.Conv2D(4, 3, padding="same", activation="relu"), L.BatchNormalization(), L.DepthwiseConv2D(3),
            L.SeparableConv2D(3, 1), L.Conv2DTranspose(2, 3, strides=2, padding="same"), L.MaxPooling2D(),
            L.AveragePooling2D(2, padding="same"), L.ZeroPadding2D(1), L.Cropping2D(1), L.UpSampling2D(),
            L.GroupNormalization(groups=2), L.LayerNormalization(), L.Permute((2, 1, 3)),
            L.GlobalAveragePooling2D(), L.RepeatVector(2), L.Conv1D(3, 2, padding="causal"), L.GlobalMaxPooling1D(),
            L.Rescaling(0.5)]


def test_functional_model_and_tf_function_agree_with_eager():
    layers = _model_layers()
    inputs = tf.keras.Input(shape=(6, 6, 3))
    h = inputs
    for layer in layers:
        h = layer(h)
    assert h.shape.as_list() == [None, 3]
    model = tf.keras.Model(inputs, h)
    x = normal(2, 6, 6, 3)
    eager = x
    for layer in layers:
        eager = layer(eager)
    close(model(x), eager.numpy(), 1e-5)
    traced = tf.function(lambda v: model(v))
    close(traced(tf.constant(x)), eager.numpy(), 1e-5)
    # the gradients of a training step agree eagerly and traced; BN's moving statistics move
    moving = layers[1].moving_mean.numpy().copy()

    def grads(v):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(v, training=True)))
        return tape.gradient(loss, model.trainable_weights)
    eager_grads = grads(tf.constant(x))
    assert not np.allclose(moving, layers[1].moving_mean.numpy())
    assert all(g is not None for g in eager_grads) and len(eager_grads) == len(model.trainable_weights)
    for a, b in zip(eager_grads, tf.function(grads)(tf.constant(x))):
        close(b, a.numpy(), 1e-4)


def test_embedding_and_merge_in_functional_model():
    ids = tf.keras.Input(shape=(4,), dtype="int32")
    emb = L.Embedding(10, 3)(ids)
    pooled = L.GlobalAveragePooling1D()(emb)
    other = tf.keras.Input(shape=(3,))
    merged = L.Concatenate()([pooled, L.Multiply()([pooled, other])])
    model = tf.keras.Model([ids, other], merged)
    i = RNG.integers(0, 10, (2, 4)).astype(np.int32)
    o = normal(2, 3)
    table = [lyr for lyr in model.layers if isinstance(lyr, L.Embedding)][0].embeddings.numpy()
    p = table[i].mean(1)
    close(model([i, o]), np.concatenate([p, p * o], -1), 1e-5)
