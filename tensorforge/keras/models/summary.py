"""model.summary(): Keras 3's table of layers, output shapes and parameter counts."""
from __future__ import annotations

_WIDTHS = (33, 24, 15)


def _fmt_bytes(n: int) -> str:
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= size:
            return "%.2f %s" % (n / size, unit)
    return "%.2f B" % n


def _row(cells, left="│", mid="│", right="│"):
    a, b, c = cells
    return "%s %s%s %s%s %s%s" % (left, a.ljust(_WIDTHS[0] - 1), mid, b.ljust(_WIDTHS[1] - 1), mid,
                                    c.rjust(_WIDTHS[2] - 2) + " ", right)


def _rule(l, m, r, ch="─"):
    return l + m.join(ch * w for w in _WIDTHS) + r


def _output_shape(layer, model):
    for node in getattr(model, "_nodes", []):
        if node[0] is layer:
            outs = node[3]
            shape = getattr(outs, "shape", None)
            return str(tuple(shape.as_list())) if shape is not None and shape.rank is not None else "?"
    shapes = getattr(model, "_layer_output_shapes", {})
    return str(shapes.get(id(layer), "?"))


def print_summary(model, print_fn=None) -> None:
    from ..layers.input_layer import InputLayer
    out = print_fn or print
    if not getattr(model, "_nodes", None) and getattr(model, "_input_layer", None) is not None:
        _sequential_shapes(model)
    lines = ['Model: "%s"' % model.name, _rule("┏", "┳", "┓", "━"),
             _row(("Layer (type)", "Output Shape", "Param #"), "┃", "┃", "┃"), _rule("┡", "╇", "┩", "━")]
    layers = [l for l in model.layers if not isinstance(l, InputLayer)]
    for i, l in enumerate(layers):
        built = l.built
        lines.append(_row(("%s (%s)" % (l.name, type(l).__name__), _output_shape(l, model),
                           "{:,}".format(l.count_params()) if built else "0 (unbuilt)")))
        if i < len(layers) - 1:
            lines.append(_rule("├", "┼", "┤"))
    lines.append(_rule("└", "┴", "┘"))
    total = sum(w.shape.num_elements() * w.dtype.size for w in model.weights)
    trainable = sum(w.shape.num_elements() for w in model.trainable_weights)
    tb = sum(w.shape.num_elements() * w.dtype.size for w in model.trainable_weights)
    non = sum(w.shape.num_elements() for w in model.non_trainable_weights)
    lines.append(" Total params: {:,} ({})".format(model.count_params(), _fmt_bytes(total)))
    lines.append(" Trainable params: {:,} ({})".format(trainable, _fmt_bytes(tb)))
    lines.append(" Non-trainable params: {:,} ({})".format(non, _fmt_bytes(total - tb)))
    for line in lines:
        out(line)


def _sequential_shapes(model):
    shapes = {}
    x = model._input_layer.output
    graph_history = x.graph.keras_history
    for node in graph_history:
        if any(node[0] is l for l in model.layers):
            shapes[id(node[0])] = tuple(node[3].shape.as_list())
    model._layer_output_shapes = shapes
