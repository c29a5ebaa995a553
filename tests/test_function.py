"""tf.function: tracing rules, signatures, graphs, side effects, errors and gradients."""
import collections
import json
import os
import sys
import warnings

import numpy as np
import pytest

import tensorforge as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "..", "shared", "conformance", "golden")


def test_python_side_effects_run_only_while_tracing():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1.0

    f(tf.constant(1.0))
    f(tf.constant(2.0))
    assert len(calls) == 1 and f.experimental_get_tracing_count() == 1


def test_tf_print_runs_every_call_in_order(capsys):
    v = tf.Variable(0)

    @tf.function
    def f():
        tf.print("before", v, output_stream=sys.stdout)
        v.assign_add(1)
        tf.print("after", v, output_stream=sys.stdout)

    f()
    f()
    assert capsys.readouterr().out.splitlines() == ["before 0", "after 1", "before 1", "after 2"]


def test_python_arguments_are_part_of_the_signature():
    @tf.function
    def f(x, n):
        return x * n

    x = tf.constant(2.0)
    assert f(x, 2).numpy() == 4.0 and f(x, 3).numpy() == 6.0
    assert f.experimental_get_tracing_count() == 2
    f(x, 2)
    assert f.experimental_get_tracing_count() == 2


def test_new_shape_or_dtype_retraces_unless_relaxed():
    @tf.function
    def f(x):
        return x * 2

    f(tf.ones([2]))
    f(tf.ones([3]))
    f(tf.ones([3], tf.int32))
    assert f.experimental_get_tracing_count() == 3

    @tf.function(reduce_retracing=True)
    def g(x):
        return x * 2

    for n in range(2, 7):
        assert g(tf.ones([n])).shape == [n]
    assert g.experimental_get_tracing_count() == 2


def test_input_signature():
    f = tf.function(lambda a: tf.reduce_sum(a, axis=0), input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    assert f(tf.ones([4, 3])).numpy().tolist() == [4.0, 4.0, 4.0]
    assert f(tf.ones([1, 3])).numpy().tolist() == [1.0, 1.0, 1.0]
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError):
        f(tf.ones([2, 4]))
    with pytest.raises(TypeError):
        f(tf.ones([2, 3], tf.int32))


def test_nested_structures_in_and_out():
    Pair = collections.namedtuple("Pair", ["a", "b"])

    @tf.function
    def f(d, p):
        return {"sum": d["x"] + p.a, "pair": Pair(p.b * 2.0, [d["y"]])}

    out = f({"x": tf.constant(1.0), "y": tf.constant(5.0)}, Pair(tf.constant(2.0), tf.constant(3.0)))
    assert out["sum"].numpy() == 3.0
    assert isinstance(out["pair"], Pair) and out["pair"].a.numpy() == 6.0 and out["pair"].b[0].numpy() == 5.0


def test_concrete_function_api():
    @tf.function
    def f(x, scale=2.0):
        return {"y": tf.nn.relu(x) * scale}

    cf = f.get_concrete_function(tf.TensorSpec([None, 2], tf.float32))
    assert len(cf.inputs) == 1 and cf.inputs[0].shape.as_list() == [None, 2]
    assert len(cf.outputs) == 1 and cf.outputs[0].shape.as_list() == [None, 2]
    assert set(cf.structured_outputs) == {"y"}
    text = cf.graph.as_text()
    assert "Relu" in text and "Mul" in text
    sig = cf.pretty_printed_signature()
    assert "TensorSpec(shape=(None, 2), dtype=tf.float32" in sig and "scale" in sig
    np.testing.assert_allclose(cf(tf.constant([[1.0, -1.0]]))["y"].numpy(), [[2.0, 0.0]])
    # The spec-traced graph serves later calls of any batch size.
    f(tf.ones([5, 2]))
    assert f.experimental_get_tracing_count() == 1


def test_variables_captured_by_handle_and_updated():
    v = tf.Variable(tf.zeros([3]))

    @tf.function
    def step(a):
        v.assign_add(a)
        return v.read_value()

    step(tf.ones([3]))
    np.testing.assert_allclose(step(tf.ones([3])).numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(v.numpy(), [2.0, 2.0, 2.0])


def test_variable_creation_only_on_first_trace():
    class Scale(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = None

        @tf.function
        def __call__(self, x):
            if self.w is None:
                self.w = tf.Variable(tf.ones([2]) * 3.0)
            return x * self.w

    m = Scale()
    np.testing.assert_allclose(m(tf.constant([1.0, 2.0])).numpy(), [3.0, 6.0])
    np.testing.assert_allclose(m(tf.constant([1.0, 1.0])).numpy(), [3.0, 3.0])

    @tf.function
    def bad(x):
        return x + tf.Variable(1.0)

    bad(tf.constant(1.0))
    with pytest.raises(ValueError, match="first call"):
        bad(tf.constant([1.0, 2.0]))


def test_retrace_warning_names_the_changed_argument():
    @tf.function
    def f(x, n):
        return x * n

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(1, 4):
            f(tf.constant(1.0), n)
        for size in (2, 3):
            f(tf.ones([size]), 3)
    messages = [str(w.message) for w in caught if "retracing" in str(w.message)]
    assert messages, "no retracing warning after 5 traces"
    assert "argument 'x' changed from TensorSpec(shape=(2,)" in messages[-1] and "shape=(3,)" in messages[-1]


def test_runtime_error_names_the_op_and_user_line():
    @tf.function
    def f(x, i):
        return tf.gather(x, i)  # the failing line

    line = f.python_function.__code__.co_firstlineno + 2
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        f(tf.ones([3]), tf.constant([7]))
    msg = str(info.value)
    assert "GatherV2" in msg and "test_function.py:%d" % line in msg


def test_gradients_inside_tf_function_become_graph_nodes():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def grad(x):
        with tf.GradientTape() as t:
            y = tf.reduce_sum(w * w * x)
        return t.gradient(y, w)

    np.testing.assert_allclose(grad(tf.constant(3.0)).numpy(), [6.0, 12.0])
    ops = {n.op.name for n in grad.get_concrete_function(tf.constant(3.0)).graph.nodes}
    assert "Mul" in ops and "ReadVariableOp" in ops


def test_eager_tape_through_a_tf_function_call():
    f = tf.function(lambda a: tf.reduce_sum(tf.nn.relu(a) * a))
    x = tf.constant([1.0, -2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [2.0, 0.0, 6.0])


def test_function_called_inside_function_is_inlined():
    inner = tf.function(lambda a: a * 2.0)

    @tf.function
    def outer(a):
        return inner(a) + 1.0

    assert outer(tf.constant(1.0)).numpy() == 3.0
    assert inner.experimental_get_tracing_count() == 1


def test_run_functions_eagerly():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x

    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1.0))
        f(tf.constant(1.0))
    finally:
        tf.config.run_functions_eagerly(False)
    assert len(calls) == 2


def test_symbolic_tensor_misuse_errors():
    @tf.function
    def f(x):
        return x.numpy()

    with pytest.raises(NotImplementedError, match="symbolic"):
        f(tf.constant(1.0))


# ---------------------------------------------------------------- tape. cases inside tf.function
def _tape_cases():
    path = os.path.join(GOLDEN, "manifest.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [c for c in json.load(f)["cases"] if c["id"].startswith("tape.")]


@pytest.mark.parametrize("case", _tape_cases(), ids=lambda c: c["id"])
def test_tape_case_inside_tf_function(case):
    data = np.load(os.path.join(GOLDEN, case["id"] + ".npz"))
    names = sorted(case["inputs"])
    arrays = [data["in_" + k] for k in names]

    tensors = {k: tf.constant(a) for k, a in zip(names, arrays)}

    def body():
        # The inputs are captured eager tensors, as TF requires for variable initial values.
        ns = {"tf": tf, "np": np}
        ns.update(tensors)
        ns.update({"np_" + k: a for k, a in zip(names, arrays)})
        exec(compile(case["code"], "<case %s>" % case["id"], "exec"), ns)
        return ns["out"]

    f = tf.function(body, autograph=False)
    out = f()
    assert all(not hasattr(o, "graph") for o in tf.nest.flatten(out))
    assert f.experimental_get_tracing_count() == 1
    flat = tf.nest.flatten(out)
    assert len(flat) == case["n_out"]
    for j, o in enumerate(flat):
        want = data["out_%d" % j]
        np.testing.assert_allclose(np.asarray(o), want, rtol=case.get("rtol", 1e-5), atol=case.get("atol", 1e-6))


def test_functions_return_sparse_and_ragged_tensors():
    @tf.function
    def f(x):
        return tf.sparse.from_dense(x), {"r": tf.RaggedTensor.from_row_splits(tf.reshape(x, [-1]), [0, 1, 4])}

    x = tf.constant([[0.0, 1.0], [2.0, 0.0]])
    sp, d = f(x)
    assert isinstance(sp, tf.SparseTensor)
    np.testing.assert_array_equal(tf.sparse.to_dense(sp).numpy(), x.numpy())
    assert d["r"].to_list() == [[0.0], [1.0, 2.0, 0.0]]


def test_fast_path_tells_a_tensor_from_a_tuple_of_tensors():
    f = tf.function(lambda a: a if not isinstance(a, tuple) else a[0] + 1.0)
    x = tf.constant([1.0, 2.0])
    for _ in range(2):  # second round: the fast path
        np.testing.assert_array_equal(f(x).numpy(), [1.0, 2.0])
        np.testing.assert_array_equal(f((x,)).numpy(), [2.0, 3.0])
        np.testing.assert_array_equal(f((x, x)).numpy(), [2.0, 3.0])


def test_function_returns_indexed_slices_and_ragged_uniform_rows():
    @tf.function
    def sparse_grad(x):
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.reduce_sum(tf.gather(x, [0, 2]))
        return t.gradient(y, x)

    g = sparse_grad(tf.ones([4, 3]))
    assert isinstance(g, tf.IndexedSlices)
    assert g.indices.numpy().tolist() == [0, 2] and g.values.numpy().tolist() == [[1.0] * 3] * 2
    assert g.dense_shape.numpy().tolist() == [4, 3]

    @tf.function
    def uniform(v):
        return tf.RaggedTensor.from_uniform_row_length(v, 2)

    assert uniform(tf.constant([1, 2, 3, 4])).shape.as_list() == [2, 2]
