"""The Assert op (tf.debugging.Assert): what a converted `assert` on a tensor stages.

Stateful, so inside a graph it is kept and runs in program order; when its condition is
false it raises InvalidArgumentError("assertion failed: [data] ..."), like TF's kernel.
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, bind, register


def _format(a, summarize: int) -> str:
    a = np.asarray(a)
    if a.dtype.kind in "OSU":
        items = [x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x) for x in a.ravel()[:summarize]]
        more = a.size > summarize
        if a.ndim == 0:
            return items[0]
    else:
        flat = a.ravel()
        items = [str(x) for x in flat[:summarize].tolist()]
        more = flat.size > summarize
        if a.ndim == 0:
            return items[0]
    return "[" + " ".join(items) + ("..." if more else "") + "]"


def _assert_kernel(xp, condition, *data, summarize=3):
    if not bool(np.all(condition)):
        raise InvalidArgumentError(None, None, "assertion failed: %s"
                                   % " ".join("[%s]" % _format(d, summarize) for d in data))
    return ()


def _assert_infer(specs, attrs):
    cond = specs[0]
    sh.check_dtype("tf.debugging.Assert", "Assert", cond, (dtypes.bool,), "condition")
    d = sh.dims(cond)
    if d is not None and any(x is not None and x != 1 for x in d):
        raise sh.error("tf.debugging.Assert", "Assert", "In[0] should be a scalar: %s" % sh.fmt(d))
    return []


register("Assert", kernel=_assert_kernel, infer=_assert_infer, grad=NON_DIFFERENTIABLE,
         api="tf.debugging.Assert", num_outputs=-1, stateful=True, args=("condition", "data"),
         samples=lambda: [([np.array(True), np.array(b"never shown", dtype=object), np.arange(4.0)],
                           {"summarize": 3})])


@tf_export("debugging.Assert", "Assert")
def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name
    """Asserts that `condition` is true; if not, raises InvalidArgumentError listing `data`.

    Inside tf.function the check runs every time the function runs (it is a stateful op).

    Args:
      condition: a scalar boolean tensor (or Python bool).
      data: tensors (or Python values) printed when the condition is false.
      summarize: how many entries of each tensor to print (default 3).
      name: unused.

    Returns:
      None.
    """
    cond = convert_to_tensor(condition, dtype=dtypes.bool)
    tensors = [convert_to_tensor(d) for d in data]
    bind("Assert", [cond] + tensors, {"summarize": 3 if summarize is None else int(summarize)})
    return None
