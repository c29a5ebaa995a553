"""tf.cond, tf.case, tf.switch_case, tf.while_loop and tf.TensorArray: eager and in tf.function,
their errors, and gradients through them (eager tapes around a function, tapes inside one)."""
import numpy as np
import pytest

import tensorforge as tf


def _ops(fn, *args) -> list:
    """The op names of the traced graph of tf.function `fn` for `args`."""
    return [n.op.name for n in fn.get_concrete_function(*args).graph.nodes]


def _close(a, b, rtol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=1e-6)


X = np.array([0.3, -0.7, 1.2], np.float32)


# ---------------------------------------------------------------- cond
def test_cond_eager_runs_only_the_chosen_branch():
    calls = []
    x = tf.constant(X)

    def t():
        calls.append("t")
        return x * 2.0

    def f():
        calls.append("f")
        return x - 1.0
    _close(tf.cond(tf.reduce_sum(x) > 0, t, f), X * 2)
    _close(tf.cond(False, t, f), X - 1)
    assert calls == ["t", "f"]


def test_cond_in_function_picks_at_run_time():
    f = tf.function(lambda a: tf.cond(tf.reduce_sum(a) > 0, lambda: a * 2.0, lambda: a - 1.0))
    _close(f(tf.constant(X)), X * 2)
    _close(f(tf.constant(-X)), -X - 1)
    assert "If" in _ops(f, tf.constant(X))
    assert f.experimental_get_tracing_count() == 1


def test_cond_nested_structures_and_python_values():
    @tf.function
    def f(a):
        return tf.cond(a[0] > 0, lambda: {"s": a * 2.0, "t": (a[0], 1)}, lambda: {"s": -a, "t": (a[1], 2)})
    out = f(tf.constant(X))
    _close(out["s"], X * 2)
    _close(out["t"][0], X[0])
    assert int(out["t"][1]) == 1
    out = f(tf.constant(-X))
    _close(out["s"], X)
    assert int(out["t"][1]) == 2


def test_cond_output_shape_is_most_specific_compatible():
    @tf.function
    def f(a):
        y = tf.cond(a[0] > 0, lambda: a, lambda: a[:1])
        assert y.shape.as_list() == [None]
        return y
    assert f(tf.constant(X)).shape == (3,)
    assert f(tf.constant(-X)).shape == (1,)


def test_cond_returning_none_and_python_bool_pred_in_function():
    @tf.function
    def f(a):
        none = tf.cond(a[0] > 0, lambda: None, lambda: None)
        static = tf.cond(True, lambda: a + 1.0, lambda: a - 1.0)
        return none, static
    none, static = f(tf.constant(X))
    assert none is None
    _close(static, X + 1)


def test_cond_errors():
    x = tf.constant(X)
    f = tf.function(lambda a, fn: tf.cond(a[0] > 0, lambda: a, fn))
    with pytest.raises(TypeError, match="same number, type, and overall structure") as e:
        f(x, lambda: (x, x))
    assert "true_fn output" in str(e.value) and "false_fn output" in str(e.value)
    with pytest.raises(TypeError, match="have different types"):
        f(x, lambda: tf.cast(x, tf.int32))
    with pytest.raises(ValueError, match="Lengths of branch outputs of cond must match"):
        f(x, lambda: None)
    g = tf.function(lambda a: tf.cond(a[0] > 0, lambda: [a], lambda: (a,)))
    with pytest.raises(TypeError, match="overall structure"):
        g(x)
    h = tf.function(lambda a: tf.cond(tf.cast(a[0], tf.int32), lambda: a, lambda: a))
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected bool"):
        h(x)
    with pytest.raises(TypeError, match="'true_fn' must be callable"):
        tf.cond(x[0] > 0, 1, lambda: x)
    with pytest.raises(TypeError, match="'false_fn' argument required"):
        tf.cond(x[0] > 0, lambda: x)


def test_cond_captures_outer_tensors_and_variables():
    v = tf.Variable(3.0)
    outer = tf.constant(10.0)

    @tf.function
    def f(a):
        b = a * 2.0
        return tf.cond(a > 0, lambda: b + v + outer, lambda: b * v)
    assert float(f(tf.constant(1.0))) == 15.0
    assert float(f(tf.constant(-1.0))) == -6.0
    v.assign(4.0)
    assert float(f(tf.constant(-1.0))) == -8.0  # the variable is read when the function runs
    assert f.get_concrete_function(tf.constant(1.0)).variables == (v,)


def test_cond_assigns_a_variable_only_in_the_taken_branch():
    v = tf.Variable(1.0)
    w = tf.Variable(10.0)

    @tf.function
    def f(a):
        def t():
            v.assign_add(1.0)
            return v.read_value() * a

        def e():
            w.assign_sub(1.0)
            return w * a
        return tf.cond(a > 0, t, e)
    assert float(f(tf.constant(2.0))) == 4.0
    assert (float(v.numpy()), float(w.numpy())) == (2.0, 10.0)
    assert float(f(tf.constant(-2.0))) == -18.0
    assert (float(v.numpy()), float(w.numpy())) == (2.0, 9.0)
    assert set(f.get_concrete_function(tf.constant(2.0)).variables) == {v, w}


def test_cond_stateful_node_keeps_program_order():
    v = tf.Variable(0.0)

    @tf.function
    def f(a):
        tf.cond(a > 0, lambda: v.assign(a), lambda: v.assign(-a))
        return v.read_value()
    assert float(f(tf.constant(5.0))) == 5.0
    assert float(f(tf.constant(-7.0))) == 7.0


def test_nested_cond_in_function():
    @tf.function
    def f(a):
        return tf.cond(a[0] > 0, lambda: tf.cond(a[1] > 0, lambda: a * 1.0, lambda: a * 2.0), lambda: a * 3.0)
    for sign0, sign1, k in ((1, 1, 1), (1, -1, 2), (-1, 1, 3)):
        x = np.array([sign0, sign1], np.float32)
        _close(f(tf.constant(x)), x * k)


# ---------------------------------------------------------------- case / switch_case
def test_case_eager_and_in_function():
    x = tf.constant(2.0)
    pairs = lambda a: [(a > 5.0, lambda: a), (a > 1.0, lambda: a * 10.0)]  # noqa: E731
    assert float(tf.case(pairs(x), default=lambda: -x)) == 20.0
    assert float(tf.case(pairs(x * 0), default=lambda: x * 0 - 1)) == -1.0
    assert float(tf.case([(x > 5.0, lambda: [x])], default=lambda: [x + 1])) == 3.0  # singletons unpacked
    f = tf.function(lambda a: tf.case(pairs(a), default=lambda: -a))
    assert [float(f(tf.constant(v))) for v in (7.0, 2.0, 0.5)] == [7.0, 20.0, -0.5]
    assert "Case" in _ops(f, tf.constant(1.0))


def test_case_without_default_requires_a_true_predicate():
    x = tf.constant(1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
        tf.case([(x > 5.0, lambda: x), (x > 6.0, lambda: x + 1)])
    f = tf.function(lambda a: tf.case([(a > 5.0, lambda: a), (a > 6.0, lambda: a + 1)]))
    assert float(f(tf.constant(5.5))) == 5.5
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
        f(x)
    with pytest.raises(TypeError, match="pred must be a Tensor"):
        tf.case([(True, lambda: x)])
    with pytest.raises(TypeError, match="2-tuple"):
        tf.case([[x > 0, lambda: x]])


def test_switch_case_eager_and_in_function():
    x = tf.constant(X)
    fns = [lambda: x, lambda: x + 1.0, lambda: x * 5.0]
    _close(tf.switch_case(tf.constant(1), fns), X + 1)
    _close(tf.switch_case(tf.constant(9), fns), X * 5)  # out of range: the last branch
    _close(tf.switch_case(tf.constant(-1), fns[:2], default=lambda: x * 0), X * 0)
    _close(tf.switch_case(tf.constant(1), {1: fns[0], 0: fns[1]}), X)
    g = tf.function(lambda i: tf.switch_case(i, fns))
    for i, want in ((-3, X * 5), (0, X), (1, X + 1), (2, X * 5), (7, X * 5)):
        _close(g(tf.constant(i)), want)
    assert g.experimental_get_tracing_count() == 1


def test_switch_case_errors():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="'branch_index' must be a Tensor"):
        tf.switch_case(1, [lambda: x])
    with pytest.raises(TypeError, match="must be an integer Tensor"):
        tf.switch_case(tf.constant(1.0), [lambda: x])
    with pytest.raises(ValueError, match="contiguous range"):
        tf.switch_case(tf.constant(1), {0: lambda: x, 2: lambda: x})
    with pytest.raises(ValueError, match="at least one item"):
        tf.switch_case(tf.constant(0), [])
    g = tf.function(lambda i: tf.switch_case(i, [lambda: x, lambda: [x]]))
    with pytest.raises(TypeError, match=r"branches\[0\] and branches\[1\] arguments to tf.switch_case"):
        g(tf.constant(0))


# ---------------------------------------------------------------- while_loop
def test_while_loop_eager_nested_structures():
    i, d = tf.while_loop(lambda i, d: i < 3, lambda i, d: (i + 1, {"a": d["a"] * 2.0, "b": d["b"]}),
                         (0, {"a": tf.constant(1.0), "b": tf.constant([1, 2])}))
    assert int(i) == 3 and float(d["a"]) == 8.0
    assert isinstance(i, tf.Tensor)
    assert int(tf.while_loop(lambda i: i < 10, lambda i: i + 1, tf.constant(0))) == 10
    assert [int(t) for t in tf.while_loop(lambda i: i < 10, lambda i: [i + 1], [0], maximum_iterations=4)] == [4]


def test_while_loop_in_function():
    @tf.function
    def f(n, x):
        return tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * 1.5), (tf.constant(0), x))
    i, s = f(tf.constant(5), tf.constant(X))
    assert int(i) == 5
    _close(s, X * 1.5 ** 5)
    i, s = f(tf.constant(0), tf.constant(X))
    assert int(i) == 0
    _close(s, X)
    assert "While" in _ops(f, tf.constant(5), tf.constant(X))


def test_while_loop_in_function_structures_and_maximum_iterations():
    @tf.function
    def f(x):
        r = tf.while_loop(lambda i, d: i < 100, lambda i, d: [i + 1, {"a": d["a"] + x}], (0, {"a": x}),
                          maximum_iterations=tf.constant(4))
        single = tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0])
        return r, single
    (i, d), single = f(tf.constant(1.0))
    assert int(i) == 4 and float(d["a"]) == 5.0
    assert isinstance(single, list) and int(single[0]) == 3


def test_while_loop_shape_invariants():
    x = tf.constant(X)
    grow = lambda i, s: (i + 1, tf.concat([s, s], 0))  # noqa: E731
    f = tf.function(lambda a: tf.while_loop(lambda i, s: i < 3, grow, (0, a)))
    with pytest.raises(ValueError, match=r"enters the loop with shape \(3,\), but has shape \(6,\)"):
        f(x)

    @tf.function
    def g(a):
        r = tf.while_loop(lambda i, s: i < 3, grow, (0, a),
                          shape_invariants=(tf.TensorShape([]), tf.TensorShape([None])))
        assert r[1].shape.as_list() == [None]
        return r
    assert g(x)[1].shape == (24,)


def test_while_loop_errors():
    x = tf.constant(X)
    f = tf.function(lambda a, body: tf.while_loop(lambda i, s: i < 3, body, (0, a)))
    with pytest.raises(TypeError, match="type should remain constant"):
        f(x, lambda i, s: (i + 1, tf.cast(s, tf.int32)))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        f(x, lambda i, s: (i + 1,))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1,), (0, x))
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected bool"):
        tf.function(lambda: tf.while_loop(lambda i: i, lambda i: i + 1, [0]))()
    with pytest.raises(TypeError, match="'cond' must be callable"):
        tf.while_loop(1, lambda i: i, [0])
    with pytest.raises(TypeError, match="'body' must be callable"):
        tf.while_loop(lambda i: i < 1, 1, [0])
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda i: i < 1, lambda i: i, [])
    with pytest.raises(ValueError, match="maximum_iterations"):
        tf.function(lambda: tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0], maximum_iterations=2.0))()


def test_nested_cond_inside_while_in_function():
    @tf.function
    def collatz_steps(n):
        def body(k, m):
            m = tf.cond(m % 2 == 0, lambda: m // 2, lambda: 3 * m + 1)
            return k + 1, m
        return tf.while_loop(lambda k, m: m > 1, body, (0, n))[0]
    assert int(collatz_steps(tf.constant(27))) == 111
    assert int(collatz_steps(tf.constant(1))) == 0


def test_while_body_assigns_a_variable_read_each_iteration():
    d = tf.Variable(0.0)
    e = tf.Variable(1.0)

    @tf.function
    def f(a):
        def body(i, s):
            s = s + e.read_value() * a  # read before the assign: must see the previous iteration's value
            e.assign(e * 2.0)
            d.assign_add(1.0)
            return i + 1, s
        return tf.while_loop(lambda i, s: d < 3.0, body, [0, 0.0])
    i, s = f(tf.constant(1.0))
    assert int(i) == 3 and float(s) == 7.0
    assert float(d.numpy()) == 3.0 and float(e.numpy()) == 8.0


# ---------------------------------------------------------------- TensorArray
def test_tensor_array_eager():
    x = tf.constant([1.0, 2.0])
    ta = tf.TensorArray(tf.float32, size=2)
    ta = ta.write(0, x)
    _close(ta.stack(), [[1, 2], [0, 0]])
    assert ta.element_shape == tf.TensorShape([2])
    assert int(ta.size()) == 2
    dyn = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(3, x)
    assert dyn.stack().shape == (4, 2)
    u = tf.TensorArray(tf.float32, size=3, clear_after_read=False).unstack(tf.reshape(tf.range(6.0), [3, 2]))
    _close(u.gather([2, 0]), [[4, 5], [0, 1]])
    _close(u.read(1), [2, 3])
    _close(u.read(1), [2, 3])
    _close(u.concat(), np.arange(6.0))
    s = tf.TensorArray(tf.float32, size=3).scatter([2, 0], tf.ones([2, 2]))
    _close(s.stack(), [[1, 1], [0, 0], [1, 1]])
    sp = tf.TensorArray(tf.float32, size=3).split(tf.range(6.0), [1, 2, 3])
    _close(sp.read(2), [3, 4, 5])
    assert tf.TensorArray(tf.float32, size=0, element_shape=[2]).stack().shape == (0, 2)


def test_tensor_array_errors():
    x = tf.constant([1.0, 2.0])
    ta = tf.TensorArray(tf.float32, size=2)
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable"):
        ta.write(5, x)
    with pytest.raises(tf.errors.OutOfRangeError, match="negative indices"):
        ta.write(-1, x)
    ta = ta.write(0, x)
    with pytest.raises(ValueError, match="Incompatible shape"):
        ta.write(1, x[:1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray dtype is float32"):
        ta.write(1, tf.constant([1, 2]))
    with pytest.raises(tf.errors.OutOfRangeError, match="read from index 7"):
        ta.read(7)
    ta.read(0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="cleared after a previous read"):
        ta.read(0)
    with pytest.raises(ValueError, match="Size must be declared"):
        tf.TensorArray(tf.float32)
    with pytest.raises(ValueError, match="Cannot unstack 4 tensors"):
        tf.TensorArray(tf.float32, size=3).unstack(tf.ones([4, 2]))


def test_tensor_array_as_while_loop_variable_in_function():
    x = tf.constant([1.0, 2.0])

    @tf.function
    def f(n):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        _, ta = tf.while_loop(lambda i, t: i < n, lambda i, t: (i + 1, t.write(i, x * tf.cast(i, tf.float32))),
                              (0, ta))
        later = ta.write(0, x * 100.0)  # functional: `ta` itself is unchanged
        stacked = ta.stack()
        assert stacked.shape.as_list() == [None, 2]
        return stacked, ta.size(), ta.read(2), ta.gather([1, 2]), ta.concat(), later.stack()
    stacked, size, r2, g, c, later = f(tf.constant(3))
    want = np.array([[0, 0], [1, 2], [2, 4]], np.float32)
    _close(stacked, want)
    assert int(size) == 3
    _close(r2, want[2])
    _close(g, want[1:])
    _close(c, want.reshape(-1))
    _close(later, np.concatenate([[[100, 200]], want[1:]]))
    loop = [n for n in f.get_concrete_function(tf.constant(3)).graph.nodes if n.op.name == "While"][0]
    assert "TensorListSetItem" in [n.op.name for n in loop.payload.body.graph.nodes]


def test_tensor_array_through_cond_in_function():
    @tf.function
    def f(a):
        ta = tf.TensorArray(tf.float32, size=2)
        ta = tf.cond(a[0] > 0, lambda: ta.write(0, a), lambda: ta.write(1, a))
        return ta.stack()
    _close(f(tf.constant([1.0, 2.0])), [[1, 2], [0, 0]])
    _close(f(tf.constant([-1.0, 2.0])), [[0, 0], [-1, 2]])


def test_tensor_array_unwritten_read_in_function_errors():
    @tf.function
    def f():
        return tf.TensorArray(tf.float32, size=2).read(0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="uninitialized tensor"):
        f()


# ---------------------------------------------------------------- gradients
def _model(a):
    """cond inside while, nested conds, variables of the input: a workout for every gradient path."""
    def body(i, s):
        s = tf.cond(tf.reduce_sum(s) > 0, lambda: tf.sin(s) * a + tf.exp(s * 0.1), lambda: tf.tanh(s) * a * a)
        return i + 1, s
    y = tf.while_loop(lambda i, s: i < 4, body, (tf.constant(0), a * 1.5))[1]
    return tf.cond(tf.reduce_max(y) > 0.5,
                   lambda: tf.cond(y[0] > 0, lambda: tf.reduce_sum(tf.sin(y) ** 2), lambda: tf.reduce_sum(y * y)),
                   lambda: tf.reduce_sum(tf.exp(y)))


def _eager_grad(fn, a):
    with tf.GradientTape() as t:
        t.watch(a)
        y = fn(a)
    return t.gradient(y, a)


@pytest.mark.parametrize("scale", [1.0, -1.0, 0.1, 3.0])
def test_gradients_match_eager_for_every_placement(scale):
    a = tf.constant(X * scale)
    want = _eager_grad(_model, a)
    f = tf.function(_model)
    _close(_eager_grad(f, a), want)  # an eager tape around the call: replay records the taken ops

    @tf.function
    def inner(b):  # a tape inside the function: If/While gradients
        return _eager_grad(_model, b)
    _close(inner(a), want)

    @tf.function
    def inlined(b):  # a tape inside, around a call of another tf.function (inlined)
        return _eager_grad(f, b)
    _close(inlined(a), want)


def test_cond_gradient_against_finite_differences():
    f = tf.function(lambda a: tf.cond(tf.reduce_sum(a) > 0, lambda: tf.reduce_sum(tf.sin(a) * a),
                                      lambda: tf.reduce_sum(a ** 3)))
    x = np.array([0.3, 0.9, -0.2])

    @tf.function
    def grad(b):
        return _eager_grad(f, b)
    for sign in (1.0, -1.0):
        p = sign * x
        g = grad(tf.constant(p)).numpy()
        eps = 1e-6
        num = [(float(f(tf.constant(p + eps * e))) - float(f(tf.constant(p - eps * e)))) / (2 * eps)
               for e in np.eye(3)]
        np.testing.assert_allclose(g, num, rtol=1e-5)


def test_while_gradient_inside_function():
    @tf.function
    def f(a):
        with tf.GradientTape() as t:
            t.watch(a)
            y = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * a), (tf.constant(0), tf.ones_like(a)))[1]
        return t.gradient(y, a)
    _close(f(tf.constant(X)), 3 * X ** 2)
    assert "WhileGrad" in _ops(f, tf.constant(X))


def test_gradients_with_respect_to_variables_in_branches_and_loops():
    v = tf.Variable(2.0)

    @tf.function
    def g_cond(a):
        with tf.GradientTape() as t:
            y = tf.cond(a > 0, lambda: v * a, lambda: v * v)
        return t.gradient(y, v)
    assert float(g_cond(tf.constant(3.0))) == 3.0
    assert float(g_cond(tf.constant(-3.0))) == 4.0

    @tf.function
    def g_while(a):
        with tf.GradientTape() as t:
            y = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * v), (0, a))[1]
        return t.gradient(y, v)
    assert float(g_while(tf.constant(3.0))) == pytest.approx(3 * 3 * 2.0 ** 2)

    f = tf.function(lambda a: tf.cond(a > 0, lambda: v * a, lambda: v * v))
    with tf.GradientTape() as t:
        y = f(tf.constant(-1.0))
    assert float(t.gradient(y, v)) == 4.0


def test_gradient_of_unused_branch_input_is_zero_in_the_other_branch():
    @tf.function
    def f(a, b):
        with tf.GradientTape() as t:
            t.watch([a, b])
            y = tf.cond(a > 0, lambda: a * 2.0, lambda: b * 3.0)
        return t.gradient(y, [a, b])
    ga, gb = f(tf.constant(1.0), tf.constant(5.0))
    assert (float(ga), float(gb)) == (2.0, 0.0)
    ga, gb = f(tf.constant(-1.0), tf.constant(5.0))
    assert (float(ga), float(gb)) == (0.0, 3.0)


def test_while_back_prop_false_stops_gradients():
    @tf.function
    def f(a):
        with tf.GradientTape() as t:
            t.watch(a)
            y = tf.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s * a), (0, a), back_prop=False)[1]
        return t.gradient(y, a, unconnected_gradients="zero")
    assert float(f(tf.constant(2.0))) == 0.0


def test_tensor_array_gradients_eagerly_and_through_a_function_call():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        ta = tf.TensorArray(tf.float32, size=2).write(0, x * 2.0).write(1, x * x)
        y = tf.reduce_sum(ta.stack())
    _close(t.gradient(y, x), 2.0 + 2 * np.array([1.0, 2.0]))

    @tf.function
    def k(a):
        ta = tf.TensorArray(tf.float32, size=3)
        ta = tf.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t.write(i, a * tf.cast(i, tf.float32))),
                           (0, ta))[1]
        return tf.reduce_sum(ta.stack())
    with tf.GradientTape() as t:
        t.watch(x)
        y = k(x)
    _close(t.gradient(y, x), [3.0, 3.0])


def test_second_order_gradient_through_cond_inside_function():
    def fn(a):
        return tf.cond(tf.reduce_sum(a) > 0, lambda: tf.reduce_sum(tf.sin(a) * a), lambda: tf.reduce_sum(a ** 3))

    @tf.function
    def hessian_diag(b):
        with tf.GradientTape() as t2:
            t2.watch(b)
            with tf.GradientTape() as t1:
                t1.watch(b)
                y = fn(b)
            g = t1.gradient(y, b)
        return t2.gradient(g, b)
    x = np.array([0.3, 0.9, -0.2], np.float32)
    _close(hessian_diag(tf.constant(x)), -np.sin(x) * x + 2 * np.cos(x), rtol=1e-4)
    _close(hessian_diag(tf.constant(-x)), -6 * x, rtol=1e-4)


def test_persistent_tape_differentiates_control_flow_twice():
    @tf.function
    def f(a, b):
        with tf.GradientTape(persistent=True) as t:
            t.watch([a, b])
            y = tf.cond(a > 0, lambda: tf.sin(a) * b, lambda: tf.exp(b) * a)
            z = tf.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s * b), (0, a))[1]
        return t.gradient(y, a), t.gradient(y, b), t.gradient(z, a), t.gradient(z, b)
    for a in (0.5, -0.5):
        got = [float(v) for v in f(tf.constant(a), tf.constant(2.0))]
        want = [np.cos(a) * 2.0, np.sin(a)] if a > 0 else [np.exp(2.0), np.exp(2.0) * a]
        np.testing.assert_allclose(got, want + [4.0, 4.0 * a], rtol=1e-5)


_V = tf.Variable([0.5, -0.25])


def _while_in_cond(a):
    return tf.cond(tf.reduce_sum(a) > 0,
                   lambda: tf.reduce_sum(tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, tf.sin(s) * a),
                                                       (0, a))[1]),
                   lambda: tf.reduce_sum(a * a))


def _while_in_while(a):
    def outer(j, s):
        return j + 1, tf.while_loop(lambda i, t: i < j, lambda i, t: (i + 1, tf.tanh(t * a) + s), (0, s))[1]
    return tf.reduce_sum(tf.while_loop(lambda j, s: j < 3, outer, (0, a))[1])


def _variable_in_cond_in_while_in_cond(a):
    def body(i, s):
        return i + 1, tf.cond(s[0] > 0, lambda: s * _V, lambda: s + _V)
    return tf.cond(a[1] < 0, lambda: tf.reduce_sum(tf.while_loop(lambda i, s: i < 2, body, (0, a))[1]),
                   lambda: tf.reduce_sum(_V * a))


@pytest.mark.parametrize("model", [_while_in_cond, _while_in_while, _variable_in_cond_in_while_in_cond])
@pytest.mark.parametrize("x", [[0.4, -0.3], [-0.4, 0.3]])
def test_nested_control_flow_gradients(model, x):
    a = tf.constant(np.array(x, np.float32))

    def grads(fn, b):
        with tf.GradientTape() as t:
            t.watch(b)
            y = fn(b)
        return t.gradient(y, [b, _V])
    want = grads(model, a)
    got_inside = tf.function(lambda b: grads(model, b))(a)
    got_around = grads(tf.function(model), a)
    for w, gi, ga in zip(want, got_inside, got_around):
        if w is None:
            assert gi is None and ga is None
        else:
            _close(gi, w)
            _close(ga, w)


def test_tensor_array_static_shapes_in_function():
    @tf.function
    def f(n):
        ta = tf.TensorArray(tf.float32, size=3).write(0, [1.0, 2.0])
        assert ta.stack().shape.as_list() == [3, 2] and ta.read(0).shape.as_list() == [2]
        assert ta.gather([0, 1]).shape.as_list() == [2, 2] and ta.concat().shape.as_list() == [None]
        looped = tf.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t.write(i, [1.0, 2.0])),
                               (0, tf.TensorArray(tf.float32, size=3)))[1]
        assert looped.stack().shape.as_list() == [3, 2]
        assert tf.TensorArray(tf.float32, size=n).write(0, 1.0).stack().shape.as_list() == [None]
        assert tf.TensorArray(tf.float32, size=1, dynamic_size=True).write(3, 1.0).stack().shape.as_list() == [None]
        return looped.stack()
    _close(f(tf.constant(2)), np.tile([1.0, 2.0], (3, 1)))
