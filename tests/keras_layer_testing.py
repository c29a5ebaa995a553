"""The one shared layer test: every Keras layer goes through `run_layer_test`."""
import os
import tempfile

import numpy as np

import tensorforge as tf


def run_layer_test(layer_cls, init_kwargs=None, input_shape=(2, 3), input_dtype="float32", input_data=None,
                   expected_output_shape=None, expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None, call_kwargs=None, supports_training=True,
                   save_load=True):
    """Checks a layer: output shape, weight counts, config round-trip, functional use, a
    save/load round-trip through a .keras file, and that one training step under GradientTape
    moves every trainable weight."""
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(0)
    if input_data is None:
        if np.dtype(input_dtype).kind in "iu":
            input_data = rng.integers(0, 5, input_shape).astype(input_dtype)
        else:
            input_data = rng.standard_normal(input_shape).astype(input_dtype)
    layer = layer_cls(**init_kwargs)
    out = layer(input_data, **call_kwargs)
    outs = tf.nest.flatten(out)
    if expected_output_shape is not None:
        shapes = [tuple(o.shape.as_list()) for o in outs]
        expected = expected_output_shape if isinstance(expected_output_shape, list) else [expected_output_shape]
        assert shapes == [tuple(s) for s in expected], "%s output shape %s, expected %s" % (
            layer_cls.__name__, shapes, expected)
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, layer.trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, layer.non_trainable_weights

    # Config round-trip: same config, and with the same weights the same output.
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config
    clone_out = clone(input_data, **call_kwargs)
    if layer.weights:
        clone.set_weights(layer.get_weights())
        clone_out = clone(input_data, **call_kwargs)
    for a, b in zip(outs, tf.nest.flatten(clone_out)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-5)

    # Functional use: symbolic shapes agree with the eager ones (batch left unknown).
    if isinstance(input_data, (list, tuple)):  # merge layers: one symbolic input per input
        sym = [tf.keras.Input(batch_shape=(None,) + tuple(np.shape(a))[1:], dtype=np.asarray(a).dtype.name)
               for a in input_data]
    else:
        sym = tf.keras.Input(batch_shape=(None,) + tuple(np.shape(input_data))[1:], dtype=input_dtype)
    sym_out = tf.nest.flatten(layer_cls(**init_kwargs)(sym, **call_kwargs))
    for s, o in zip(sym_out, outs):
        assert s.shape.is_compatible_with(o.shape), (s.shape, o.shape)

    # Save/load round-trip: the layer inside a model, through a .keras file, predicts the same.
    if save_load:
        model = tf.keras.Model(sym, layer_cls(**init_kwargs)(sym, **call_kwargs))
        expected = tf.nest.flatten(model(input_data))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "layer.keras")
            model.save(path)
            loaded = tf.keras.models.load_model(path)
        for a, b in zip(expected, tf.nest.flatten(loaded(input_data))):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)

    # A training step moves every trainable weight.
    if supports_training and layer.trainable_weights:
        before = [w.numpy().copy() for w in layer.trainable_weights]
        with tf.GradientTape() as tape:
            y = layer(input_data, training=True, **call_kwargs) if layer._call_has_training else layer(
                input_data, **call_kwargs)
            loss = tf.add_n([tf.reduce_sum(tf.square(tf.cast(o, tf.float32))) for o in tf.nest.flatten(y)])
        grads = tape.gradient(loss, layer.trainable_weights)
        assert all(g is not None for g in grads), "%s: a trainable weight got no gradient" % layer_cls.__name__
        for w, g in zip(layer.trainable_weights, grads):
            w.assign_sub(0.01 * tf.convert_to_tensor(g))
        moved = [not np.allclose(b, w.numpy()) for b, w in zip(before, layer.trainable_weights)]
        assert any(moved), "%s: no trainable weight changed after a training step" % layer_cls.__name__
    return layer
