"""Graph optimisation passes (the Grappler role), applied to every traced function.

`optimize(graph, inputs, outputs)` rewrites `graph` in place and returns the (possibly
replaced) output tensors. Each pass is a module with one function
`(graph, outputs) -> (outputs, changed)`, switched by TF's option name through
tf.config.optimizer.set_experimental_options:

  option (default)                  pass
  disable_model_pruning (False)     pruning.prune: dead-code elimination
  constant_folding (on)             constant_folding.fold_constants (+ Shape/Size/Rank of known shapes)
  arithmetic_optimization (on)      arithmetic.simplify (x*1, x+0, --x, transpose/reshape/cast no-ops, ...)
                                    and dedup.dedup (common subexpression elimination, TF's "dedup" stage)
  dependency_optimization (on)      dependency.remove_identities (Identity / IdentityN)
  debug_stripper (off)              debug_stripper.strip_debug_ops (CheckNumerics)
  remapping (on)                    remapping.fuse_elementwise (elementwise chains -> one in-place kernel;
                                    Conv2D+BiasAdd+Relu[+MaxPool] -> _FusedConv2D; MaxPoolGrad+ReluGrad)
  disable_meta_optimizer (False)    True skips every pass
  min_graph_nodes (0)               graphs with fewer nodes are left as they are (0 or less: none)

TF's other names (layout_optimizer, shape_optimization, loop_optimization, function_optimization,
scoped_allocator_optimization, pin_to_host_optimization, implementation_selector,
auto_mixed_precision, ...) are accepted by tf.config but have no pass here: nested tf.function
calls are already inlined while tracing, and there is no device layout or precision to choose.

Like TF's meta optimizer, the simplifying passes repeat while they still change something
(TF runs them twice by default; here until nothing changes, at most `MAX_ROUNDS` times),
since one pass's result feeds another (a folded shape becomes a reshape that simplifies).
"""
from __future__ import annotations

from ... import config
from .arithmetic import simplify
from .constant_folding import fold_constants
from .debug_stripper import strip_debug_ops
from .dedup import dedup
from .dependency import remove_identities
from .pruning import prune
from .remapping import fuse_elementwise

MAX_ROUNDS = 4

# (option, whether the pass runs when the option was never set, pass functions)
_SIMPLIFYING = (
    ("constant_folding", True, (fold_constants,)),
    ("arithmetic_optimization", True, (simplify, dedup)),
    ("dependency_optimization", True, (remove_identities,)),
    ("debug_stripper", False, (strip_debug_ops,)),
)
# On by default, as in TF: fused chains measured 1.1x-1.5x faster than the same ops run one by
# one, from 16 to 4M float32 elements (bench/graph_fusion.py has one such workload).
REMAPPING_DEFAULT = True


def _enabled(option: str, default: bool) -> bool:
    value = config._optimizer_option(option)
    return default if value is None else bool(value)


def optimize(graph, inputs, outputs) -> list:
    """Runs the enabled passes over `graph` (in place); returns the tensors to return instead of `outputs`.

    Args:
      graph: the FuncGraph of a traced function.
      inputs: its input placeholders (kept, used or not).
      outputs: the SymbolicTensors it returns.

    Returns:
      The output tensors after rewriting (a returned tensor may now be another node's output,
      a constant or an input). `graph.outputs` is set to them.
    """
    outputs = list(outputs)
    min_nodes = config._optimizer_option("min_graph_nodes") or 0
    if config._optimizer_option("disable_meta_optimizer") or (min_nodes > 0 and len(graph.nodes) < min_nodes):
        return outputs
    pruning = not config._optimizer_option("disable_model_pruning")
    if pruning:
        outputs, _ = prune(graph, outputs)
    passes = [fn for option, default, fns in _SIMPLIFYING if _enabled(option, default) for fn in fns]
    for _ in range(MAX_ROUNDS):
        changed = False
        for fn in passes:
            outputs, c = fn(graph, outputs)
            changed = changed or c
        if not changed:
            break
    if pruning:
        outputs, _ = prune(graph, outputs)
    if _enabled("remapping", REMAPPING_DEFAULT):
        outputs, _ = fuse_elementwise(graph, outputs)
    graph.outputs = list(outputs)
    return outputs
