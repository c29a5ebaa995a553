"""tf.train.ExponentialMovingAverage: shadow variables tracking averages of variables (or tensors).

As TF: a variable's average starts at its current value; each `apply` moves it by
(1 - decay) * (value - average), with decay = min(decay, (1 + n) / (10 + n)) when
`num_updates` is given. Averages of plain tensors start at zero and, with `zero_debias`, are
debiased as in Adam (a biased accumulator and a step count per average).
"""
from __future__ import annotations

from ..framework import dtypes
from ..framework.context import ctx, init_scope
from ..framework.convert import convert_to_tensor
from ..framework.variables import Variable
from ..ops import array_ops, math_ops

__all__ = ["ExponentialMovingAverage"]

_FLOATS = (dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64)


def _base_name(v) -> str:
    name = getattr(v, "name", None) or "Variable"
    return name[:-2] if name.endswith(":0") else name


class ExponentialMovingAverage:
    """Maintains moving averages of variables with exponential decay.

    Example:

    >>> v = tf.Variable([1.0, 2.0])
    >>> ema = tf.train.ExponentialMovingAverage(decay=0.9)
    >>> ema.apply([v])
    >>> _ = v.assign([3.0, 6.0])
    >>> ema.apply([v])
    >>> ema.average(v).numpy().tolist()
    [1.2000000476837158, 2.4000000953674316]
    """

    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}   # id(var) -> (var, average, debias state or None)

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Creates the averages of new entries of `var_list`, then updates all of them.

        Returns None eagerly; inside a tf.function, the op that updates them (tf.group).
        """
        if var_list is None:
            raise ValueError("var_list must be given (TF2 has no collection of trainable variables).")
        for var in var_list:
            if var.dtype not in _FLOATS:
                raise TypeError("The variables must be half, float, or double: %s" % _base_name(var))
            if id(var) not in self._averages:
                with init_scope():
                    if isinstance(var, Variable):
                        avg = Variable(var.read_value(), trainable=False,
                                       name="%s/%s" % (_base_name(var), self._name))
                        debias = None
                    else:
                        value = convert_to_tensor(var)
                        avg = Variable(array_ops.zeros_like(value), trainable=False, name="%s/%s" % (
                            _base_name(value), self._name))
                        debias = (Variable(array_ops.zeros_like(value), trainable=False, name="biased"),
                                  Variable(0.0, dtype=value.dtype, trainable=False, name="local_step")) \
                            if self._zero_debias else None
                self._averages[id(var)] = (var, avg, debias)
        decay = convert_to_tensor(self._decay, dtype=dtypes.float32)
        if self._num_updates is not None:
            n = math_ops.cast(convert_to_tensor(self._num_updates), dtypes.float32)
            decay = math_ops.minimum(decay, (1.0 + n) / (10.0 + n))
        updates = []
        for var in var_list:
            _, avg, debias = self._averages[id(var)]
            value = var.read_value() if isinstance(var, Variable) else convert_to_tensor(var)
            d = math_ops.cast(decay, avg.dtype)
            if debias is None:
                updates.append(avg.assign_sub((avg.read_value() - value) * (1 - d)))
            else:
                biased, step = debias
                b = biased.assign_sub((biased.read_value() - value) * (1 - d))
                t = step.assign_add(1.0)
                updates.append(avg.assign(b / (1 - math_ops.pow(d, t))))
        if ctx.graph is None:
            return None
        from ..graph.control_deps import group
        return group(*updates)

    def average(self, var):
        """The variable holding the average of `var` (None if `apply` never saw it)."""
        hit = self._averages.get(id(var))
        return None if hit is None else hit[1]

    def average_name(self, var) -> str:
        """The name of `var`'s average, '<var name>/<this name>'."""
        return "%s/%s" % (_base_name(var), self._name)

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """{average name: variable} for restoring averages into the variables (TF1-style savers)."""
        out = {}
        for var, _, _ in self._averages.values():
            if isinstance(var, Variable):
                out[self.average_name(var)] = var
        return out
