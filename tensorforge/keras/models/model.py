"""keras.Model (subclassing and functional) and keras.Sequential."""
from __future__ import annotations

from ...framework.nest import flatten, map_structure, pack_sequence_as
from .._registry import keras_export
from ..layers.input_layer import InputLayer, input_layer_of
from ..layers.layer import Layer
from ..trainer import Trainer


@keras_export("keras.Model", "keras.models.Model")
class Model(Trainer, Layer):
    """A layer with training and saving APIs (tf.keras.Model).

    `Model(inputs, outputs)` builds a functional model from Keras symbolic tensors; a
    subclass defines its layers in `__init__` and the computation in `call`.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and ("inputs" in kwargs or len(args) >= 2):
            return super().__new__(Functional)
        return super().__new__(cls)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """A model from `get_config()`: a functional config is rebuilt layer by layer, as Keras does."""
        if cls in (Model, Functional) and "input_layers" in config and "output_layers" in config:
            from ..saving import serialization
            return serialization.functional_from_config(config, custom_objects)
        return super().from_config(config)

    def get_layer(self, name=None, index=None):
        """The sublayer with this `name` (or at this `index`)."""
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError("Was asked to retrieve layer at index %d but model only has %d layers."
                                 % (index, len(self.layers)))
            return self.layers[index]
        for l in self.layers:
            if l.name == name:
                return l
        raise ValueError("No such layer: %s. Existing layers are: %s." % (name, [l.name for l in self.layers]))

    def to_json(self, **kwargs) -> str:
        """The model's architecture as JSON (Keras's config format; `json.dumps` keyword arguments)."""
        import json

        from ..saving import keras_archive
        return json.dumps(keras_archive.model_config(self), **kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints a table of the layers, their output shapes and parameter counts, as Keras does."""
        from .summary import print_summary
        print_summary(self, print_fn=print_fn)

    def save(self, filepath, overwrite: bool = True, zipped: bool = True, **kwargs) -> None:
        """Saves the model to a Keras 3 `.keras` file (config, weights and compile state)."""
        from ..saving import save_model
        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Saves the weights to a `.weights.h5` file in Keras 3's HDF5 layout."""
        from ..saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Loads weights from a `.weights.h5` (or `.keras`) file."""
        from ..saving import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)


@keras_export("keras.Functional")
class Functional(Model):
    """A model defined by connecting layers from `keras.Input` tensors to outputs."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        object.__setattr__(self, "_inputs_struct", inputs)
        object.__setattr__(self, "_outputs_struct", outputs)
        flat_in, flat_out = flatten(inputs), flatten(outputs)
        if not flat_in or any(getattr(t, "graph", None) is None for t in flat_in + flat_out):
            raise ValueError("All `inputs` and `outputs` of a functional Model must be Keras symbolic tensors "
                             "(from keras.Input and layers called on them).")
        graph = flat_in[0].graph
        needed = {id(t) for t in flat_out}
        nodes = []
        for node in reversed(graph.keras_history):
            layer, args, kwargs, outs = node
            if any(id(o) in needed for o in flatten(outs)):
                nodes.append(node)
                for t in flatten((list(args), kwargs)):
                    if getattr(t, "graph", None) is graph:
                        needed.add(id(t))
        input_ids = {id(t) for t in flat_in}
        missing = [t for t in flat_in if id(t) not in needed and id(t) not in {id(o) for o in flat_out}]
        if missing:
            raise ValueError("Input %s is not connected to the outputs of the model." % missing[0].name)
        # Bookkeeping attributes bypass layer tracking; `layers` is inputs first, then call order.
        object.__setattr__(self, "_nodes", list(reversed(nodes)))
        object.__setattr__(self, "_input_ids", input_ids)
        object.__setattr__(self, "_input_layers", [input_layer_of(t) or InputLayer(batch_shape=tuple(t.shape.as_list()))
                                                   for t in flat_in])
        self._layers.clear()
        for l in self._input_layers + [n[0] for n in self._nodes]:
            if isinstance(l, Layer) and not any(l is x for x in self._layers):  # not keras operations
                self._layers.append(l)
        self.built = True

    def _trackable_children(self) -> dict:
        """Checkpoint dependencies as Keras 3 names them: the layers under `_operations`, in Keras's
        operation order, and the optimizer once compiled."""
        out = {"_operations": _keras_operation_order(self)}
        if self.__dict__.get("optimizer") is not None:
            out["optimizer"] = self.__dict__["optimizer"]
        return out

    def get_config(self) -> dict:
        """The functional config: layers (and operations) with their inbound nodes, inputs and outputs."""
        from ..saving import serialization
        return serialization.functional_config(self)

    @property
    def inputs(self) -> list:
        return flatten(self._inputs_struct)

    @property
    def outputs(self) -> list:
        return flatten(self._outputs_struct)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    def call(self, inputs, training=None, mask=None):
        env = {}
        flat = flatten(inputs)
        sym = flatten(self._inputs_struct)
        if len(flat) != len(sym):
            raise ValueError("Model %s expects %d input(s), but it received %d input tensors."
                             % (self.name, len(sym), len(flat)))
        for s, v in zip(sym, flat):
            env[id(s)] = v

        def look(t):
            return env.get(id(t), t) if getattr(t, "graph", None) is not None else t

        for layer, args, kwargs, outs in self._nodes:
            a = map_structure(look, list(args))
            kw = map_structure(look, kwargs)
            if training is not None and layer._call_has_training and "training" not in kw:
                kw["training"] = training
            result = layer(*a, **kw)
            for o, r in zip(flatten(outs), flatten(result)):
                env[id(o)] = r
        return pack_sequence_as(self._outputs_struct, [look(t) for t in flatten(self._outputs_struct)])


def _keras_operation_order(model) -> list:
    """The layers of a functional model in the order of Keras 3's `Functional._operations` (keras/src/ops/
    function.py `map_graph`): by decreasing depth (longest path to an output), ties by first visit in a
    depth-first walk from the outputs; checkpoints index layers by this order."""
    flat_in = flatten(model._inputs_struct)
    producer = {id(t): ("in", i) for i, t in enumerate(flat_in)}
    for i, (_, _, _, outs) in enumerate(model._nodes):
        for t in flatten(outs):
            producer.setdefault(id(t), ("node", i))

    def op_of(key):
        return model._input_layers[key[1]] if key[0] == "in" else model._nodes[key[1]][0]

    def parents(key):
        if key[0] == "in":
            return []
        _, args, kwargs, _ = model._nodes[key[1]]
        return [producer[id(t)] for t in flatten((list(args), kwargs)) if id(t) in producer]

    op_index, finished, post_order = {}, set(), []

    def visit(key):
        if key in finished:
            return
        op = op_of(key)
        op_index.setdefault(id(op), len(op_index))
        for p in parents(key):
            visit(p)
        finished.add(key)
        post_order.append(key)

    for t in flatten(model._outputs_struct):
        if id(t) in producer:
            visit(producer[id(t)])
    node_depth, op_depth, ops = {}, {}, {}
    for key in reversed(post_order):
        op = op_of(key)
        depth = max(node_depth.setdefault(key, 0), op_depth.get(id(op), 0))
        op_depth[id(op)], node_depth[key], ops[id(op)] = depth, depth, op
        for p in parents(key):
            node_depth[p] = max(depth + 1, node_depth.get(p, 0))
    for layer in model._input_layers:
        if id(layer) not in op_depth:
            op_depth[id(layer)], op_index[id(layer)], ops[id(layer)] = 0, -1, layer
    return [ops[k] for k in sorted(op_depth, key=lambda k: (-op_depth[k], op_index[k]))]


@keras_export("keras.Sequential", "keras.models.Sequential")
class Sequential(Model):
    """A linear stack of layers (tf.keras.Sequential)."""

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        object.__setattr__(self, "_input_layer", None)  # not one of `layers`, as in Keras
        for l in layers or []:
            self.add(l)

    def get_config(self) -> dict:
        from ..saving import serialization
        return serialization.sequential_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from ..saving import serialization
        return serialization.sequential_from_config(config, custom_objects)

    def add(self, layer):
        """Appends a layer (an InputLayer sets the input shape and builds the model)."""
        if getattr(layer, "graph", None) is not None and input_layer_of(layer) is not None:
            layer = input_layer_of(layer)  # keras.Input(...) passed as a layer
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential model. Received: %r"
                             % (layer,))
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError("Sequential model '%s' has already been configured to use an input layer."
                                 % self.name)
            object.__setattr__(self, "_input_layer", layer)
            return
        self._layers.append(layer)
        self.built = False
        if self._input_layer is not None:
            self._build_from_input()

    def _build_from_input(self):
        from ..layers.layer import _NameScope
        x = self._input_layer.output
        with _NameScope(self):  # Keras builds a Sequential's layers in its name scope
            for l in self._layers:
                x = l(x)
        self._build_shapes = tuple(self._input_layer.batch_shape)
        self.built = True

    def build(self, input_shape=None):
        if self._input_layer is None and input_shape is not None:
            object.__setattr__(self, "_input_layer", InputLayer(batch_shape=tuple(input_shape)))
        if self._input_layer is not None:
            self._build_from_input()
        self.built = True

    def pop(self):
        self._layers.pop()
        self.built = False

    def _trackable_children(self) -> dict:
        """Checkpoint dependencies as Keras 3 names them: its functional graph's operations (the
        input layer, then the layers) under `_functional/_operations`, and the optimizer once compiled."""
        out = {"_functional": {"_operations": [self._input_layer] + list(self._layers)}}
        if self.__dict__.get("optimizer") is not None:
            out["optimizer"] = self.__dict__["optimizer"]
        return out

    @property
    def input_shape(self):
        return None if self._input_layer is None else self._input_layer.batch_shape

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for l in self._layers:
            kw = {"training": training} if training is not None and l._call_has_training else {}
            x = l(x, **kw)
        return x
