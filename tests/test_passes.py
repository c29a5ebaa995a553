"""Graph passes (tensorforge/graph/passes): each pass changes the graph as intended, results
are the same with the pass on and off, and tf.config.optimizer switches them."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import config
from tensorforge.graph.passes import remapping
from tensorforge.ops.registry import REGISTRY, bind

ALL_OFF = {"constant_folding": False, "arithmetic_optimization": False, "dependency_optimization": False,
           "remapping": False, "debug_stripper": False, "disable_model_pruning": True}


@pytest.fixture(autouse=True)
def _restore_options():
    saved = dict(config._optimizer_options)
    config._optimizer_options.clear()
    yield
    config._optimizer_options.clear()
    config._optimizer_options.update(saved)


def trace(fn, *specs, **options):
    """The ConcreteFunction of a fresh tf.function(fn) traced with these optimizer options."""
    saved = dict(config._optimizer_options)
    tf.config.optimizer.set_experimental_options(options)
    try:
        return tf.function(fn).get_concrete_function(*specs)
    finally:
        config._optimizer_options.clear()
        config._optimizer_options.update(saved)


def types(concrete) -> list:
    return [n.type for n in concrete.graph.nodes]


def check_same(fn, specs, args, **options):
    """fn traced with `options` and with every pass off: same outputs, dtypes and static shapes."""
    on, off = trace(fn, *specs, **options), trace(fn, *specs, **ALL_OFF)
    a, b = tf.nest.flatten(on(*args)), tf.nest.flatten(off(*args))
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    for x, y in zip(on.outputs, off.outputs):
        assert x.dtype is y.dtype and x.shape.as_list() == y.shape.as_list()
    on.graph.as_text()
    return on, off


F3 = tf.TensorSpec([3], tf.float32)
X3 = tf.constant([1.0, -2.0, 3.5])


# ---------------------------------------------------------------- tf.config.optimizer
def test_options_are_reported_in_tfs_form():
    opt = tf.config.optimizer
    assert opt.get_experimental_options() == {"disable_model_pruning": False, "disable_meta_optimizer": False}
    opt.set_experimental_options({"remapping": False, "constant_folding": True, "min_graph_nodes": 5, "bogus": 1})
    opt.set_experimental_options({"debug_stripper": True})
    got = opt.get_experimental_options()
    assert got == {"constant_folding": True, "remapping": False, "debug_stripper": True,
                   "disable_model_pruning": False, "disable_meta_optimizer": False, "min_graph_nodes": 5}
    assert list(got)[:3] == ["constant_folding", "remapping", "debug_stripper"]  # TF's order
    assert opt.get_jit() == ""
    opt.set_jit("autoclustering")
    assert opt.get_jit() == "autoclustering"
    opt.set_jit(False)
    assert opt.get_jit() == ""


def test_disable_meta_optimizer_and_min_graph_nodes_skip_everything():
    def f(x):
        return tf.identity(x * 1.0) + tf.constant(2.0) * 3.0
    base = trace(f, F3, **ALL_OFF)
    assert types(trace(f, F3, disable_meta_optimizer=True)) == types(base)
    assert types(trace(f, F3, min_graph_nodes=len(base.graph.nodes) + 1)) == types(base)
    assert len(trace(f, F3, min_graph_nodes=len(base.graph.nodes)).graph.nodes) < len(base.graph.nodes)
    assert len(trace(f, F3).graph.nodes) < len(base.graph.nodes)


# ---------------------------------------------------------------- pruning (dead-code elimination)
def test_pruning_removes_dead_nodes_but_keeps_inputs_and_side_effects():
    v = tf.Variable([1.0, 2.0, 3.0])

    def f(x, unused):
        tf.exp(x) * 2.0  # dead
        v.assign_add(x)  # a side effect: kept
        tf.random.uniform([2])  # stateful: kept, as TF keeps it
        return x + 1.0
    spec = [F3, F3]
    off = trace(f, *spec, **dict(ALL_OFF, disable_model_pruning=True))
    on = trace(f, *spec, **dict(ALL_OFF, disable_model_pruning=False))
    assert "Exp" in types(off) and "Exp" not in types(on)
    assert {"AssignAddVariableOp", "RandomUniform"} <= set(types(on))
    assert types(on).count("Placeholder") == 2
    assert [n.id for n in on.graph.nodes] == list(range(len(on.graph.nodes)))
    np.testing.assert_array_equal(on(X3, X3).numpy(), X3.numpy() + 1.0)
    np.testing.assert_array_equal(v.numpy(), [2.0, 0.0, 6.5])
    assert "Exp" not in on.graph.as_text()


# ---------------------------------------------------------------- constant folding
def test_constant_folding_replaces_constant_subgraphs():
    def f(x):
        c = tf.reduce_sum(tf.constant([[1.0, 2.0], [3.0, 4.0]]) * 2.0, axis=0)  # [8, 12]
        k = tf.cast(tf.range(3), tf.float32) + 1.0
        return x * k + c[0]
    on, off = check_same(f, [F3], [X3], constant_folding=True, arithmetic_optimization=False, remapping=False)
    assert {"Sum", "Range", "Cast", "StridedSlice"} <= set(types(off))
    assert set(types(on)) == {"Placeholder", "Const", "Mul", "AddV2"}
    consts = [n.payload for n in on.graph.nodes if n.type == "Const"]
    assert any(np.array_equal(c, [1.0, 2.0, 3.0]) and c.dtype == np.float32 for c in consts)


def test_constant_folding_materializes_known_shapes():
    def f(x):
        return tf.cast(tf.shape(x), tf.float32) * 2.0, tf.size(x), tf.rank(x)
    on = trace(f, tf.TensorSpec([2, 3], tf.float32), remapping=False)
    assert set(types(on)) == {"Placeholder", "Const"}
    np.testing.assert_array_equal(on(tf.ones([2, 3]))[0].numpy(), [4.0, 6.0])
    partial = trace(f, tf.TensorSpec([None, 3], tf.float32), remapping=False)
    assert {"Shape", "Size"} <= set(types(partial)) and "Rank" not in types(partial)
    out = partial(tf.ones([4, 3]))
    assert out[1].numpy() == 12 and out[2].numpy() == 2 and out[2].dtype == tf.int32


def test_constant_folding_limits():
    def big(x):
        return x + tf.reduce_sum(tf.zeros([2000, 2000]) + 1.0)  # 16 MB intermediate: not folded
    on = trace(big, F3)
    assert "Fill" in types(on) and "Sum" in types(on)
    np.testing.assert_array_equal(on(X3).numpy(), X3.numpy() + 4e6)

    def small(x):
        return x + tf.reduce_sum(tf.zeros([100, 100]) + 1.0)
    assert "Fill" not in types(trace(small, F3))

    def bad(x):  # the kernel fails: not folded, the error comes at run time
        return x + tf.debugging.check_numerics(tf.constant(np.nan), "bad value")
    concrete = trace(bad, F3)
    assert "CheckNumerics" in types(concrete)
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad value"):
        concrete(X3)


def test_constant_folding_leaves_random_and_input_dependent_nodes():
    def f(x):
        return tf.random.uniform([3]) * 2.0, tf.exp(x)
    on = trace(f, F3)
    assert "RandomUniform" in types(on) and "Exp" in types(on)
    a, b = on(X3)[0].numpy(), on(X3)[0].numpy()
    assert not np.array_equal(a, b)


def test_constant_folding_keeps_multi_output_and_dtypes():
    def f(x):
        a, b = tf.unstack(tf.constant([[1, 2], [3, 4]], dtype=tf.int64))
        return x + tf.cast(a * b, tf.float32)
    on, _ = check_same(f, [tf.TensorSpec([2], tf.float32)], [tf.constant([1.0, 2.0])])
    assert "Unpack" not in types(on)


# ---------------------------------------------------------------- arithmetic simplification
def test_arithmetic_removes_neutral_operands():
    def f(x):
        return ((x * 1.0) + 0.0 - 0.0) / 1.0, 1.0 * (0.0 + x), tf.pow(x, 1.0)
    on, off = check_same(f, [F3], [X3], remapping=False)
    assert {"Mul", "AddV2", "Sub", "RealDiv", "Pow"} <= set(types(off))
    assert types(on) == ["Placeholder"]
    assert all(o is on.inputs[0] for o in on.outputs)


def test_arithmetic_keeps_rewrites_that_would_change_values_or_shapes():
    def f(x, m):
        zeros = tf.zeros([2, 3])
        return (x + zeros,           # broadcasting enlarges x: kept
                x * 0.0,             # 0 * inf is nan: kept
                m + 0,               # int: simplified
                x * tf.constant([1.0, 1.0, 2.0]))
    on, _ = check_same(f, [F3, tf.TensorSpec([3], tf.int32)], [tf.constant([1.0, np.inf, -1.0]), tf.constant([1, 2, 3])],
                       remapping=False)
    assert types(on).count("AddV2") == 1 and types(on).count("Mul") == 2
    assert on.outputs[2] is on.inputs[1]
    assert on.outputs[0].shape.as_list() == [2, 3]


def test_arithmetic_unknown_dims_use_broadcast_rules():
    def f(x):
        return x * tf.ones([1, 3]), x + tf.zeros([4, 3])
    on = trace(f, tf.TensorSpec([None, 3], tf.float32), remapping=False)
    assert on.outputs[0] is on.inputs[0]  # [1, 3] cannot enlarge [?, 3]
    assert on.outputs[1].node.type == "AddV2"  # [4, 3] could (when ? is 1)
    assert on(tf.ones([1, 3]))[1].shape == (4, 3)


def test_arithmetic_involutions_transposes_reshapes_and_casts():
    def f(x, b):
        t = tf.transpose(tf.transpose(x, [1, 2, 0]), [2, 0, 1])
        same = tf.transpose(x, [0, 1, 2])
        r = tf.reshape(tf.reshape(x, [6, 4]), [4, 3, 2])
        c = bind("Cast", [x], {"DstT": tf.float32})
        return tf.negative(tf.negative(x)), tf.logical_not(tf.logical_not(b)), t, same, r, c, tf.reshape(x, [2, 3, 4])
    specs = [tf.TensorSpec([2, 3, 4], tf.float32), tf.TensorSpec([3], tf.bool)]
    args = [tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4)), tf.constant([True, False, True])]
    on, off = check_same(f, specs, args, remapping=False)
    assert types(on).count("Reshape") == 1 and types(off).count("Reshape") == 3
    r = on.outputs[4].node
    assert r.type == "Reshape" and r.inputs[0] is on.inputs[0]  # reshape(reshape(x)) reads x
    x, b = on.inputs
    assert [o is x for o in on.outputs] == [True, False, True, True, False, True, True]
    assert on.outputs[1] is b
    assert not {"Neg", "LogicalNot", "Transpose", "Cast"} & set(types(on))

    def kept(x):
        return tf.transpose(tf.transpose(x, [1, 2, 0]), [1, 2, 0])  # not the identity
    assert types(trace(kept, specs[0], remapping=False)).count("Transpose") == 2


def test_arithmetic_never_removes_stop_gradient():
    def f(x):
        return tf.stop_gradient(tf.identity(x)) * x
    on = trace(f, F3)
    assert "StopGradient" in types(on)
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = on(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), x.numpy())


# ---------------------------------------------------------------- common subexpression elimination
def test_dedup_merges_equal_nodes():
    def f(x, y):
        a = tf.exp(x * y) + tf.exp(y * x)  # commutative: the same product
        b = tf.reduce_sum(x, axis=0) - tf.reduce_sum(x, axis=0)
        return a, b, tf.reduce_sum(x, axis=0, keepdims=True)
    specs = [tf.TensorSpec([2, 3], tf.float32)] * 2
    args = [tf.constant(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))] * 2
    on, off = check_same(f, specs, args, remapping=False)
    assert types(on).count("Exp") == 1 and types(off).count("Exp") == 2
    assert types(on).count("Mul") == 1
    assert types(on).count("Sum") == 2  # different attrs (keepdims) are different nodes


def test_dedup_merges_equal_constants_and_leaves_stateful_nodes():
    v = tf.Variable([1.0, 2.0, 3.0])

    def f(x):
        r1, r2 = tf.random.uniform([3]), tf.random.uniform([3])
        before = v.read_value()
        v.assign_add(x)
        after = v.read_value()
        return x * 2.0 + x * 2.0, r1 - r2, before, after
    on = trace(f, F3, remapping=False)
    assert types(on).count("RandomUniform") == 2 and types(on).count("ReadVariableOp") == 2
    assert types(on).count("Mul") == 1
    _, diff, before, after = on(X3)
    assert np.all(diff.numpy() != 0)
    np.testing.assert_array_equal(after.numpy() - before.numpy(), X3.numpy())


def test_dedup_off_with_arithmetic_optimization():
    def f(x):
        return tf.exp(x) + tf.exp(x)
    assert types(trace(f, F3, arithmetic_optimization=False, remapping=False)).count("Exp") == 2


# ---------------------------------------------------------------- dependency optimization, debug stripper
def test_dependency_optimization_removes_identities():
    def f(x, y):
        a, b = tf.identity_n([x, y])
        return tf.identity(tf.identity(a) + b)
    specs = [F3, F3]
    on, _ = check_same(f, specs, [X3, X3], remapping=False)
    assert not {"Identity", "IdentityN"} & set(types(on))
    kept = trace(f, *specs, dependency_optimization=False, remapping=False)
    assert {"Identity", "IdentityN"} <= set(types(kept))


def test_debug_stripper_is_off_by_default():
    def f(x):
        return tf.debugging.check_numerics(x, "checked") * 2.0
    assert "CheckNumerics" in types(trace(f, F3))
    stripped = trace(f, F3, debug_stripper=True)
    assert "CheckNumerics" not in types(stripped)
    assert np.isnan(stripped(tf.constant([np.nan, 1.0, 2.0])).numpy()[0])


# ---------------------------------------------------------------- remapping (elementwise fusion)
@pytest.mark.parametrize("name", sorted(remapping.PROGRAMS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_programs_match_the_kernels_bit_for_bit(name, dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(64) * 4).astype(dtype)
    x[:6] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 7.0]
    y = (rng.standard_normal(64) * 4).astype(dtype)
    y[:3] = [0.0, np.nan, -1.0]
    arity = 2 if any("y" in args for _, args in remapping.PROGRAMS[name]) else 1
    arrays = [x, y][:arity]
    expected = REGISTRY[name].kernel(np, *arrays)
    program = [(u, tuple(("a", {"x": 0, "y": 1, "r": -1}[a]) if isinstance(a, str) else ("c", a) for a in args))
               for u, args in remapping.PROGRAMS[name]]
    got = remapping.compile_program(program, arity, dtype)(*arrays)[0]
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got.view(np.uint8), np.asarray(expected).view(np.uint8))


def _mlp_tail(x, w, b):
    return tf.nn.sigmoid(tf.nn.relu(x * w + b) * 0.5 - 1.0)


def test_remapping_fuses_elementwise_chains():
    specs = [tf.TensorSpec([4, 3], tf.float32), tf.TensorSpec([3], tf.float32), tf.TensorSpec([4, 3], tf.float32)]
    args = [tf.constant(np.linspace(-3, 3, 12, dtype=np.float32).reshape(4, 3)), tf.constant([1.0, -2.0, 0.5]),
            tf.constant(np.ones((4, 3), np.float32))]
    on, off = check_same(lambda x, w, b: _mlp_tail(x, w, b), specs, args, remapping=True)
    assert types(on) == ["Placeholder"] * 3 + ["Const", "Const", "_FusedElementwise"]
    fused = on.graph.nodes[-1]
    assert fused.attrs["fused_ops"] == ("Mul", "AddV2", "Relu", "Mul", "Sub", "Sigmoid")
    assert "_FusedElementwise" in on.graph.as_text()
    assert "_FusedElementwise" not in types(trace(lambda x, w, b: _mlp_tail(x, w, b), *specs, remapping=False))


def test_remapping_never_writes_into_inputs_constants_or_variables():
    v = tf.Variable(np.arange(3, dtype=np.float32))
    c = tf.constant([5.0, 6.0, 7.0])

    def f(x):
        return tf.exp(x + v) * 2.0 + c, tf.nn.relu(c * 3.0 - 1.0 + x)
    on = trace(f, F3)
    assert types(on).count("_FusedElementwise") == 2
    x = tf.constant([1.0, 2.0, 3.0])
    x_before, v_before = x.numpy().copy(), v.numpy().copy()
    for _ in range(2):
        out = on(x)
    np.testing.assert_allclose(out[0].numpy(), np.exp(x_before + v_before) * 2.0 + [5.0, 6.0, 7.0], rtol=1e-6)
    np.testing.assert_array_equal(x.numpy(), x_before)
    np.testing.assert_array_equal(v.numpy(), v_before)
    np.testing.assert_array_equal(c.numpy(), [5.0, 6.0, 7.0])


def test_remapping_stops_at_shared_returned_enlarging_and_non_float_tensors():
    def fan_out(x):
        a = tf.exp(x)
        return tf.sin(a) + a  # `a` has two readers: sin(a) may not overwrite it
    on, _ = check_same(fan_out, [F3], [X3])
    assert on.graph.nodes[-1].attrs.get("fused_ops") == ("Sin", "AddV2")
    assert "Exp" in types(on)

    def two_chains(x):
        a = tf.exp(x) * 2.0  # read twice: ends the first chain
        return (a + 1.0) * a
    on, _ = check_same(two_chains, [F3], [X3])
    assert [n.attrs.get("fused_ops") for n in on.graph.nodes if n.type == "_FusedElementwise"] == [
        ("Exp", "Mul"), ("AddV2", "Mul")]

    def returned(x):
        a = tf.exp(x)
        return a, a * 2.0
    assert "_FusedElementwise" not in types(check_same(returned, [F3], [X3])[0])

    def enlarging(x, m):
        return tf.exp(x) + m  # [3] + [2, 3]: the result is larger than exp's buffer
    on, _ = check_same(enlarging, [F3, tf.TensorSpec([2, 3], tf.float32)], [X3, tf.ones([2, 3])])
    assert "_FusedElementwise" not in types(on)

    def ints(x):
        return tf.abs(x) * 2
    assert "_FusedElementwise" not in types(trace(ints, tf.TensorSpec([3], tf.int32)))

    def unknown_batch(x, b):
        return (tf.nn.relu(x) + b) * 2.0  # b's size 4 against relu(x)'s unknown size: not in place
    on = trace(unknown_batch, tf.TensorSpec([None], tf.float32), tf.TensorSpec([4], tf.float32))
    assert on.graph.nodes[-1].attrs.get("fused_ops") == ("AddV2", "Mul")  # the head may broadcast
    assert "Relu" in types(on)
    np.testing.assert_array_equal(on(tf.constant([1.0]), tf.constant([-1.0, 0.0, 1.0, 2.0])).numpy(), [0, 2, 4, 6])
    np.testing.assert_array_equal(on(tf.constant([1.0, 2.0, 3.0, 4.0]), tf.constant([0.0, 0.0, 1.0, 1.0])).numpy(),
                                  [2, 4, 8, 10])


def test_remapping_chain_does_not_cross_side_effects():
    v = tf.Variable([1.0, 2.0, 3.0])

    def f(x):
        a = tf.exp(x)
        v.assign(x)
        return a * 2.0
    assert "_FusedElementwise" not in types(trace(f, F3))


def test_gradients_through_optimized_functions():
    w = tf.Variable([0.5, -1.0, 2.0])

    def loss_fn(x):
        h = tf.nn.relu(x * w + 1.0) * 1.0
        return tf.reduce_sum(tf.nn.sigmoid(tf.identity(h)) * 2.0)

    x = tf.constant([1.0, 2.0, -3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        eager = loss_fn(x)
    g_eager = tape.gradient(eager, [x, w])

    on = trace(loss_fn, F3)
    assert "_FusedElementwise" in types(on)
    with tf.GradientTape() as tape:  # a tape outside: the optimized graph is replayed op by op
        tape.watch(x)
        y = on(x)
    g = tape.gradient(y, [x, w])
    np.testing.assert_allclose(y.numpy(), eager.numpy(), rtol=1e-6)
    for a, b in zip(g, g_eager):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)

    def step(x):  # a tape inside the traced function: the gradient is part of the graph
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = loss_fn(x)
        return tape.gradient(y, [x, w])
    inside = trace(step, F3)
    for a, b in zip(inside(x), g_eager):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_optimized_function_called_inside_another_trace():
    inner = tf.function(lambda x: tf.nn.relu(x * 2.0 + 1.0) * 1.0)
    inner.get_concrete_function(F3)

    @tf.function
    def outer(x):
        return inner(x) - 1.0
    c = outer.get_concrete_function(F3)
    assert [n.attrs.get("fused_ops") for n in c.graph.nodes if n.type == "_FusedElementwise"] == [
        ("Mul", "AddV2", "Relu", "Sub")]
    np.testing.assert_array_equal(outer(X3).numpy(), np.maximum(X3.numpy() * 2 + 1, 0) - 1)


def test_all_passes_together_on_a_training_step():
    w = tf.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    b = tf.Variable(np.zeros(3, np.float32))

    def make():
        @tf.function
        def train(x, y):
            with tf.GradientTape() as tape:
                h = tf.nn.relu(tf.matmul(x, w) + b)
                loss = tf.reduce_mean(tf.square(h - y))
            gw, gb = tape.gradient(loss, [w, b])
            w.assign_sub(0.1 * gw)
            b.assign_sub(0.1 * gb)
            return loss
        return train

    x = tf.constant(np.linspace(-2, 2, 20, dtype=np.float32).reshape(5, 4))
    y = tf.constant(np.linspace(0, 1, 15, dtype=np.float32).reshape(5, 3))
    start = (w.numpy().copy(), b.numpy().copy())
    losses = {}
    for name, options in (("on", {}), ("off", ALL_OFF)):
        w.assign(start[0])
        b.assign(start[1])
        tf.config.optimizer.set_experimental_options(options)
        train = make()
        losses[name] = [float(train(x, y).numpy()) for _ in range(3)] + [w.numpy().copy()]
        config._optimizer_options.clear()
    assert losses["on"][:3] == losses["off"][:3]
    np.testing.assert_array_equal(losses["on"][3], losses["off"][3])


_FOLDABLE = sorted(name for name, op in REGISTRY.items() if not op.stateful and op.samples is not None)


@pytest.mark.parametrize("name", _FOLDABLE)
def test_folding_every_registered_op_matches_the_executor(name):
    op = REGISTRY[name]
    def make(arrays, attrs):
        def f():
            out = bind(name, [tf.constant(a) for a in arrays], attrs)
            return list(out) if isinstance(out, tuple) else [out]
        return f
    for arrays, attrs in op.samples():
        f = make(arrays, attrs)
        folded, plain = trace(f), trace(f, **ALL_OFF)
        assert all(n.type in ("Const", "Placeholder") for n in folded.graph.nodes) or name == "CheckNumerics"
        for a, b, sa, sb in zip(folded(), plain(), folded.outputs, plain.outputs):
            assert a.dtype == b.dtype and sa.dtype is sb.dtype
            assert sa.shape.is_compatible_with(sb.shape)
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_passes_around_control_flow():
    v = tf.Variable(1.0)

    def f(x, n):
        y = tf.identity(x * 1.0)

        def yes():
            v.assign_add(1.0)
            return tf.exp(y) * 2.0 + 1.0
        z = tf.cond(tf.reduce_sum(y) > 0, yes, lambda: -y * 3.0)
        _, z = tf.while_loop(lambda i, z: i < n, lambda i, z: (i + 1, tf.nn.relu(z * 0.5 + 0.1)), [0, z])
        return z, tf.exp(x) * 2.0 + 1.0
    specs = [F3, tf.TensorSpec([], tf.int32)]
    on, off = trace(f, *specs), trace(f, *specs, **ALL_OFF)
    assert {"If", "While", "_FusedElementwise"} <= set(types(on)) and "Identity" not in types(on)
    for xv in ([1.0, 2.0, -2.0], [-1.0, -2.0, 0.5]):
        grads, outs = [], []
        for c in (on, off):
            x = tf.constant(xv)
            with tf.GradientTape() as tape:
                tape.watch(x)
                out = c(x, tf.constant(3))
            grads.append(tape.gradient(out, x).numpy())
            outs.append([o.numpy() for o in out] + [c(x, tf.constant(2))[0].numpy()])
        np.testing.assert_array_equal(grads[0], grads[1])
        for a, b in zip(*outs):
            np.testing.assert_array_equal(a, b)
    assert v.numpy() == 5.0  # the first input took the branch with the side effect, 2 calls x 2 functions
