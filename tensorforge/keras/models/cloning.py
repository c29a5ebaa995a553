"""tf.keras.models.clone_model and model_from_json."""
from __future__ import annotations

import json

from .._registry import keras_export


def _default_clone(layer):
    return layer.__class__.from_config(layer.get_config())


@keras_export("keras.models.clone_model")
def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False, **kwargs):
    """A copy of `model` with new layers (new weights, not copied) (tf.keras.models.clone_model).

    Args:
      model: a Sequential or functional model (a subclassed model is rebuilt from its config).
      input_tensors: Keras tensors to build the copy on instead of new `keras.Input`s.
      clone_function: `layer -> new layer`, called for every layer except input layers
        (default: `layer.__class__.from_config(layer.get_config())`).
      call_function: `(layer, *args, **kwargs) -> outputs`, how a functional copy calls its layers.
      recursive: clone nested Sequential/functional models layer by layer with `clone_function`.

    Returns:
      The new model.
    """
    from ..saving import serialization
    from .model import Functional, Model, Sequential
    if kwargs:
        raise ValueError("Unexpected keyword argument(s): %s" % ", ".join(kwargs))
    if not isinstance(model, Model):
        raise ValueError("Expected `model` argument to be a `Model` instance. Received: model=%r" % (model,))
    if type(model) not in (Sequential, Functional):
        if clone_function is not None or input_tensors is not None:
            raise ValueError("Arguments `clone_function` and `input_tensors` are only supported for Sequential "
                             "models or Functional models. Received model of type '%s', with clone_function=%s and "
                             "input_tensors=%s" % (type(model).__name__, clone_function, input_tensors))
        return model.__class__.from_config(model.get_config())
    fn = clone_function or _default_clone
    if clone_function is not None and not callable(clone_function):
        raise ValueError("Expected `clone_function` argument to be a callable. Received: clone_function=%r"
                         % (clone_function,))
    originals = {layer.name: layer for layer in model.layers}

    def make_layer(layer_config):
        name = layer_config.get("name") or layer_config["config"]["name"]
        layer = originals.get(name)
        if layer is None or layer_config["class_name"] == "InputLayer":
            return None
        if recursive and type(layer) in (Sequential, Functional):
            return clone_model(layer, clone_function=clone_function, call_function=call_function, recursive=True)
        return fn(layer)

    config = serialization.serialize_layer(model)
    if isinstance(model, Sequential):
        if input_tensors is not None:
            from ..layers.input_layer import InputLayer
            tensor = input_tensors[0] if isinstance(input_tensors, (list, tuple)) else input_tensors
            layers = [fn(l) if not (recursive and type(l) in (Sequential, Functional)) else
                      clone_model(l, clone_function=clone_function, recursive=True) for l in model.layers]
            first = InputLayer(batch_shape=tuple(tensor.shape.as_list()), dtype=tensor.dtype)
            return Sequential([first] + layers, name=model.name)
        return serialization.sequential_from_config(config["config"], make_layer=make_layer)
    inputs = None
    if input_tensors is not None:
        tensors = input_tensors if isinstance(input_tensors, (list, tuple)) else [input_tensors]
        names = [ref[0] for ref in _input_refs(config["config"]["input_layers"])]
        if len(tensors) != len(names):
            raise ValueError("Expected %d input tensors, received %d" % (len(names), len(tensors)))
        inputs = dict(zip(names, tensors))
    return serialization.functional_from_config(config["config"], make_layer=make_layer, call_layer=call_function,
                                                input_tensors=inputs)


def _input_refs(spec) -> list:
    """The [name, node, index] references of a functional config's input_layers, flattened."""
    if isinstance(spec, dict):
        return [r for v in spec.values() for r in _input_refs(v)]
    if isinstance(spec, list) and spec and isinstance(spec[0], str):
        return [spec]
    return [r for s in spec for r in _input_refs(s)]


@keras_export("keras.models.model_from_json")
def model_from_json(json_string: str, custom_objects: dict | None = None):
    """A model (new weights) from the JSON `Model.to_json()` wrote (tf.keras.models.model_from_json)."""
    from ..saving import deserialize_keras_object
    return deserialize_keras_object(json.loads(json_string), custom_objects=custom_objects)
