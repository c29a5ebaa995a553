"""AutoGraph: Python control flow inside tf.function becomes graph control flow on tensors
and stays Python on Python values; errors point at user lines."""
import inspect
import traceback

import numpy as np
import pytest

import tensorforge as tf
from tensorforge._api import EXPORTS
from tensorforge.graph import autograph
from tensorforge.graph.autograph_assert import Assert


def _line_of(fn, text):
    """The absolute line number of the first line of `fn` containing `text`."""
    lines, first = inspect.getsourcelines(fn)
    for i, line in enumerate(lines):
        if text in line:
            return first + i
    raise AssertionError(text)


def _user_frames(exc):
    return [(f.filename, f.lineno) for f in traceback.extract_tb(exc.__traceback__) if f.filename == __file__]


# ---------------------------------------------------------------- if
def test_if_elif_else_on_tensors_is_one_graph():
    @tf.function
    def f(x):
        if x > 10.0:
            y = x * 3.0
        elif x > 0.0:
            y = x + 100.0
        else:
            y = -x
        return y

    for v in (20.0, 5.0, -7.0):
        want = v * 3.0 if v > 10 else (v + 100.0 if v > 0 else -v)
        assert f(tf.constant(v)).numpy() == pytest.approx(want)
    assert f.experimental_get_tracing_count() == 1


def test_if_on_python_values_stays_python():
    trace_log = []

    @tf.function
    def f(x, flag):
        trace_log.append(flag)
        if flag:
            y = x * 2.0
        else:
            y = x - 1.0
        return y

    assert f(tf.constant(3.0), True).numpy() == 6.0
    assert f(tf.constant(3.0), False).numpy() == 2.0
    assert trace_log == [True, False]
    # Only the taken branch was traced: the graph holds a Mul and no Sub.
    ops = {n.op.name for n in f.get_concrete_function(tf.constant(3.0), True).graph.nodes}
    assert "Mul" in ops and "Sub" not in ops


def test_logical_operators_and_conditional_expression_on_tensors():
    @tf.function
    def f(x):
        if x > 0.0 and not x > 5.0:
            r = 1.0
        elif x < -5.0 or x > 100.0:
            r = 2.0
        else:
            r = 3.0
        return r + (10.0 if x > 0.0 else 20.0)

    for v, want in ((1.0, 11.0), (200.0, 12.0), (-10.0, 22.0), (7.0, 13.0)):
        assert f(tf.constant(v)).numpy() == want
    assert f.experimental_get_tracing_count() == 1


def test_python_values_in_branches_become_tensors():
    @tf.function
    def f(x):
        if x > 0:
            y = 1
        else:
            y = 2
        return y

    r = f(tf.constant(1.0))
    assert r.dtype == tf.int32 and r.numpy() == 1
    assert f(tf.constant(-1.0)).numpy() == 2


def test_variable_defined_in_one_branch_only():
    def f(x):
        if x > 0:
            y = x
        return y

    with pytest.raises(ValueError, match="'y' must also be initialized in the else branch"):
        tf.function(f)(tf.constant(1.0))

    def g(x):
        if x > 0:
            pass
        else:
            y = x
        return y

    with pytest.raises(ValueError, match="'y' must also be initialized in the main branch"):
        tf.function(g)(tf.constant(1.0))


def test_temporaries_of_one_branch_are_not_outputs():
    @tf.function
    def f(x):
        if x > 0:
            tmp = x * 2.0
            y = tmp + 1.0
        else:
            y = -x
        return y

    assert f(tf.constant(2.0)).numpy() == 5.0
    assert f(tf.constant(-2.0)).numpy() == 2.0


def test_branch_dtype_mismatch_names_the_variable():
    def f(x):
        if x > 0:
            y = tf.constant(1)
        else:
            y = tf.constant(1.0)
        return y

    with pytest.raises(TypeError, match="'y' has dtype int32 in the main branch, but dtype float32 in the else"):
        tf.function(f)(tf.constant(1.0))


def test_undefined_python_variable_raises_like_python():
    def f(x, flag):
        if flag:
            y = x
        return y

    with pytest.raises(UnboundLocalError, match="'y'"):
        tf.function(f)(tf.constant(1.0), False)


# ---------------------------------------------------------------- return
def test_early_return_inside_if():
    @tf.function
    def f(a):
        if tf.reduce_sum(a) > 0:
            return a * 2.0
        return -a

    x = tf.constant([1.0, 2.0])
    np.testing.assert_allclose(f(x).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(f(-x).numpy(), [1.0, 2.0])
    assert f.experimental_get_tracing_count() == 1


def test_return_in_one_branch_only_is_an_error():
    def f(x):
        if x > 0:
            return 1.0

    with pytest.raises(ValueError, match="the else branch must also have a return statement"):
        tf.function(f)(tf.constant(1.0))


def test_return_inside_tensor_loop():
    # As in TF: a return under a tensor condition inside a tensor loop cannot be staged...
    def first_multiple(n, k):
        i = tf.constant(1)
        while i < n:
            if i % k == 0:
                return i
            i += 1
        return -1

    with pytest.raises(NotImplementedError, match="a return statement cannot be placed inside this TensorFlow"):
        tf.function(first_multiple)(tf.constant(20), tf.constant(7))

    # ... while break does, and an unconditional return in the loop body stages.
    @tf.function
    def with_break(n, k):
        i = tf.constant(1)
        r = tf.constant(-1)
        while i < n:
            if i % k == 0:
                r = i
                break
            i += 1
        return r

    assert with_break(tf.constant(20), tf.constant(7)).numpy() == 7
    assert with_break(tf.constant(5), tf.constant(7)).numpy() == -1

    @tf.function
    def first_step(n):
        for i in tf.range(n):
            return i + 100
        return -1

    assert first_step(tf.constant(3)).numpy() == 100


# ---------------------------------------------------------------- loops
def test_while_with_tensor_condition():
    @tf.function
    def collatz_steps(n):
        steps = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        return steps

    def reference(n):
        steps = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        return steps

    for n in (1, 6, 27):
        assert collatz_steps(tf.constant(n)).numpy() == reference(n)
    assert collatz_steps.experimental_get_tracing_count() == 1


def test_for_over_tf_range_with_break_and_continue():
    @tf.function
    def f(n):
        s = 0
        for i in tf.range(n):
            if i % 3 == 0:
                continue
            if s > 20:
                break
            s += i
        return s

    def reference(n):
        s = 0
        for i in range(n):
            if i % 3 == 0:
                continue
            if s > 20:
                break
            s += i
        return s

    for n in (0, 4, 10, 50):
        assert f(tf.constant(n)).numpy() == reference(n)
    assert f.experimental_get_tracing_count() == 1


def test_for_over_tf_range_conformance_case():
    @tf.function
    def f(a):
        s = tf.zeros_like(a)
        for i in tf.range(4):
            s = s + a * tf.cast(i, tf.float32)
        return s

    x = tf.constant([1.0, -2.0, 3.0])
    np.testing.assert_allclose(f(x).numpy(), x.numpy() * 6.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x) * tf.constant([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [6.0, 12.0, 18.0])


def test_nested_loops():
    @tf.function
    def f(n):
        total = 0
        for i in tf.range(n):
            j = 0
            while j < i:
                if (i + j) % 2 == 0:
                    total += i * j
                j += 1
        return total

    def reference(n):
        return sum(i * j for i in range(n) for j in range(i) if (i + j) % 2 == 0)

    for n in (0, 3, 7):
        assert f(tf.constant(n)).numpy() == reference(n)


def test_for_over_tensor_iterates_first_dimension():
    @tf.function
    def f(m):
        s = tf.zeros([3])
        for row in m:
            s = s + row
        return s

    m = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_allclose(f(tf.constant(m)).numpy(), m.sum(0))
    # A leading dimension unknown at trace time is iterated with a graph loop too.
    g = f.get_concrete_function(tf.TensorSpec([None, 3], tf.float32))
    np.testing.assert_allclose(g(tf.constant(m[:2])).numpy(), m[:2].sum(0))


def test_for_over_python_list_unrolls():
    @tf.function
    def f(x):
        out = []
        for k in [1.0, 2.0, 3.0]:
            out.append(x * k)
        return tf.add_n(out)

    assert f(tf.constant(2.0)).numpy() == 12.0


def test_variable_first_defined_in_tensor_loop():
    @tf.function
    def f(n):
        for i in tf.range(n):
            y = i * 2
        return y

    assert f(tf.constant(4)).numpy() == 6
    with pytest.raises(tf.errors.InvalidArgumentError, match="loop must iterate at least once to initialize y"):
        f(tf.constant(0))


def test_loop_variable_shape_change_is_reported():
    def f(x):
        s = tf.constant([1.0])
        while x > 0:
            s = tf.concat([s, s], 0)
            x -= 1
        return s

    with pytest.raises(ValueError, match=r"'s' has shape \(1,\) before the loop, but shape \(2,\) after one"):
        tf.function(f)(tf.constant(3))


def test_variable_updates_in_tensor_loop():
    v = tf.Variable(0.0)

    @tf.function
    def f(n):
        for i in tf.range(n):
            v.assign_add(tf.cast(i, tf.float32))
        return v.read_value()

    assert f(tf.constant(5)).numpy() == 10.0
    assert f(tf.constant(3)).numpy() == 13.0


# ---------------------------------------------------------------- assert
def test_assert_on_tensor_is_a_runtime_check():
    @tf.function
    def f(x):
        assert tf.reduce_all(x > 0.0), "x must be positive"
        return x * 2.0

    np.testing.assert_allclose(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="x must be positive") as info:
        f(tf.constant([1.0, -2.0]))
    assert "%s:%d" % (__file__, _line_of(test_assert_on_tensor_is_a_runtime_check, "assert tf.")) in str(info.value)
    assert f.experimental_get_tracing_count() == 1


def test_assert_on_python_value_is_python_assert():
    @tf.function
    def f(x, n):
        assert n > 0, "n must be positive"
        return x * n

    assert f(tf.constant(2.0), 3).numpy() == 6.0
    with pytest.raises(AssertionError, match="n must be positive"):
        f(tf.constant(2.0), -1)


def test_debugging_assert_eager():
    Assert(tf.constant(True), ["never"])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[bad\] \[\[1 2 3\.\.\.\]\]"):
        Assert(tf.constant(False), ["bad", tf.constant([1, 2, 3, 4])])


# ---------------------------------------------------------------- Python semantics
def test_python_side_effects_run_only_while_tracing(capsys):
    calls = []

    @tf.function
    def f(x):
        calls.append("body")
        print("tracing f")
        if x > 0:
            calls.append("then")
            y = x
        else:
            calls.append("else")
            y = -x
        return y

    for v in (1.0, -1.0, 2.0):
        f(tf.constant(v))
    # Both branches are traced once; nothing runs again on later calls.
    assert calls == ["body", "then", "else"]
    assert capsys.readouterr().out == "tracing f\n"


def test_called_user_functions_are_converted():
    def helper(v):
        if v > 0:
            return v * 10.0
        return v

    @tf.function
    def f(x):
        def inner(v):
            if v > 0:
                return v
            return -v
        double_or_keep = lambda v: v * 2.0 if v > 0 else v  # noqa: E731
        return helper(x) + inner(x) + double_or_keep(x)

    assert f(tf.constant(2.0)).numpy() == 20.0 + 2.0 + 4.0
    assert f(tf.constant(-2.0)).numpy() == -2.0 + 2.0 - 2.0


def test_methods_and_super_are_converted():
    class Base:
        def scale(self, x):
            return x * 2.0

    class Model(Base):
        def __init__(self):
            self.offset = 1.0

        @tf.function
        def __call__(self, x):
            if x > 0:
                y = super().scale(x) + self.offset
            else:
                y = x
            return y

    m = Model()
    assert m(tf.constant(3.0)).numpy() == 7.0
    assert m(tf.constant(-3.0)).numpy() == -3.0


def test_converted_function_shares_globals_closure_and_defaults():
    scale = [2.0]
    factor = 3.0

    def f(x, bias=1.0):
        if x > 0:
            x = x * factor
        return x * scale[0] + bias

    conv = autograph.to_graph(f)
    assert conv(1.0) == f(1.0) == 7.0
    factor = 5.0  # the converted function reads the same closure cell  # noqa: F841
    assert conv(1.0) == f(1.0) == 11.0
    assert conv.__name__ == "f" and conv.__defaults__ == (1.0,)


# ---------------------------------------------------------------- errors and fallbacks
def test_error_in_converted_code_reports_user_line():
    def f(x):
        if x > 0:
            raise ValueError("bad branch")
        return x

    with pytest.raises(ValueError, match="bad branch") as info:
        tf.function(f)(tf.constant(1.0))
    assert (__file__, _line_of(f, "raise ValueError")) in _user_frames(info.value)

    def g(x):
        for _ in tf.range(3):
            x = tf.matmul(x, x)
        return x

    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.function(g)(tf.constant(1.0))
    assert (__file__, _line_of(g, "tf.matmul")) in _user_frames(info.value)


def test_function_without_source_runs_unconverted():
    namespace = {}
    exec("def f(x, flag):\n    if flag:\n        return x * 2.0\n    return x\n", namespace)  # noqa: S102
    f = namespace["f"]
    assert autograph.convert(f) is f
    g = tf.function(f)
    assert g(tf.constant(3.0), True).numpy() == 6.0
    h = tf.function(eval("lambda x: x + 1.0"))  # noqa: S307
    assert h(tf.constant(1.0)).numpy() == 2.0
    assert autograph.convert(abs) is abs
    assert tf.function(tf.math.abs)(tf.constant(-2.0)).numpy() == 2.0


def test_library_functions_are_not_converted():
    assert autograph.convert(tf.reduce_sum) is tf.reduce_sum
    assert autograph.convert(np.sum) is np.sum
    assert autograph.convert(inspect.getsource) is inspect.getsource


def test_do_not_convert():
    @autograph.do_not_convert
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(TypeError, match="as a Python `bool`"):
        tf.function(f)(tf.constant(1.0))
    assert f(3.0) == 3.0


def test_to_code_and_to_graph():
    def f(x):
        while x > 10:
            x = x // 2
        if x > 3:
            x = x - 3
        return x

    code = autograph.to_code(f)
    assert "ag__.while_stmt" in code and "ag__.if_stmt" in code
    conv = autograph.to_graph(f)
    for v in (1, 5, 100):
        assert conv(v) == f(v)
    with pytest.raises(ValueError, match="source code is not available"):
        autograph.to_code(eval("lambda x: x"))  # noqa: S307


def test_exports():
    assert EXPORTS["autograph.to_graph"] is autograph.to_graph
    assert EXPORTS["autograph.to_code"] is autograph.to_code
    assert EXPORTS["autograph.experimental.do_not_convert"] is autograph.do_not_convert
    assert EXPORTS["autograph.experimental.set_loop_options"] is autograph.set_loop_options
    assert EXPORTS["debugging.Assert"] is Assert


def test_set_loop_options_shape_invariants():
    @tf.function
    def f(n):
        s = tf.constant([1.0])
        for _ in tf.range(n):
            autograph.set_loop_options(shape_invariants=[(s, tf.TensorShape([None]))])
            s = tf.concat([s, s], 0)
        return s

    assert f(tf.constant(3)).shape == (8,)


def test_gradient_through_converted_cond():
    @tf.function
    def f(a):
        if tf.reduce_sum(a) > 0:
            return a * a
        return -a

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 4.0])


def test_tensor_loops_match_python_semantics():
    def scan(n):
        s = tf.constant(0)
        for i in tf.range(n):
            for j in tf.range(i):
                if j > 2:
                    break
                s += j
            else:
                s += 100
        k = tf.constant(0)
        while k < n and s < 1000:
            k += 1
            if k % 2 == 0:
                continue
            s += k
        return s, k

    staged = tf.function(scan)
    for n in (0, 1, 3, 6):
        want = scan(tf.constant(n))  # eager: plain Python control flow
        got = staged(tf.constant(n))
        assert [int(g.numpy()) for g in got] == [int(w.numpy()) for w in want]
    assert staged.experimental_get_tracing_count() == 1


def test_python_loop_with_tensor_break_is_rejected_like_tf():
    def f(x):
        for k in [1.0, 2.0]:
            if x > k:
                break
            x = x + 1.0
        return x

    with pytest.raises(NotImplementedError, match="not supported in Python for loops"):
        tf.function(f)(tf.constant(0.0))


def test_for_dispatches_to_autograph_for_hook():
    seen = []

    class Source:
        """Stands in for tf.data.Dataset: owns how `for x in source` is staged."""

        def _autograph_for(self, extra_test, body, get_state, set_state, symbol_names, opts):
            seen.append(symbol_names)
            for v in (1.0, 2.0, 3.0):
                body(tf.constant(v))

    @tf.function
    def f(x):
        total = x
        for v in Source():
            total = total + v
        return total

    assert f(tf.constant(10.0)).numpy() == 16.0
    assert seen == [("total",)]


def test_lambda_spread_over_lines_is_converted():
    f = tf.function(
        lambda a,
        b: a + b if a > b else a - b)
    assert f(tf.constant(3.0), tf.constant(1.0)).numpy() == 4.0
    assert f(tf.constant(1.0), tf.constant(3.0)).numpy() == -2.0
    assert f.experimental_get_tracing_count() == 1


def test_to_code_of_tf_function():
    @tf.function
    def f(x):
        if x > 0:
            x = -x
        return x

    assert "ag__.if_stmt" in autograph.to_code(f)
