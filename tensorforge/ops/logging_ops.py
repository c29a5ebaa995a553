"""tf.print: formats tensors like TF (StringFormat) and prints them with a stateful op, so
inside tf.function it runs on every call, in program order."""
from __future__ import annotations

import sys

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor, is_tensor
from .registry import NON_DIFFERENTIABLE, bind, register
from . import string_ops

_STREAMS = {"stderr": lambda: sys.stderr, "stdout": lambda: sys.stdout}


def _print_kernel(xp, text, output_stream, end):
    s = text[()] if isinstance(text, np.ndarray) else text
    stream = _STREAMS[output_stream]()
    stream.write(s.decode("utf-8", "replace") + end)
    stream.flush()
    return ()


register("PrintV2", kernel=_print_kernel, infer=lambda s, a: [], grad=NON_DIFFERENTIABLE, api="tf.print",
         num_outputs=-1, stateful=True, args=("input",),
         samples=lambda: [([np.array(b"registry sample", dtype=object)], {"output_stream": "stdout", "end": "\n"})])


def _template(value, tensors: list) -> str:
    """The format template for one argument: '{}' where a tensor goes, Python text elsewhere."""
    if is_tensor(value) or isinstance(value, np.ndarray):
        tensors.append(convert_to_tensor(value))
        return "{}"
    if isinstance(value, dict):
        return "{" + ", ".join("%r: %s" % (k, _template(value[k], tensors)) for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_template(v, tensors) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_template(v, tensors) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value).replace("{}", "{ }")


@tf_export("print")
def print_v2(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None) -> None:
    """Prints the inputs, tensors formatted as TF does (tf.print).

    Unlike Python's print, inside tf.function this runs every time the function runs.

    Args:
      *inputs: tensors and Python values, nested structures allowed.
      output_stream: sys.stdout or sys.stderr (the default), or "stdout"/"stderr".
      summarize: how many leading and trailing elements of each dimension to show (-1: all).
      sep: the separator between inputs.
      end: appended after the last input.
    """
    stream = output_stream if isinstance(output_stream, str) else (
        "stdout" if output_stream is sys.stdout else "stderr" if output_stream is sys.stderr else None)
    if stream not in _STREAMS:
        raise ValueError("Unsupported output stream %r: use sys.stdout or sys.stderr." % (output_stream,))
    tensors: list = []
    template = sep.join(_template(v, tensors) for v in inputs)
    text = string_ops.format(template, tensors, summarize=summarize) if tensors else convert_to_tensor(
        template, dtype=dtypes.string)
    bind("PrintV2", [text], {"output_stream": stream, "end": end})
