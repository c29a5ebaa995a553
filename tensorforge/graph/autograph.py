"""AutoGraph: Python `if`/`while`/`for` on tensors become graph control flow (TF 2's AutoGraph).

tf.function calls `convert(fn)` once and traces the result. Conversion reads the function's
source (inspect.getsource), rewrites its syntax tree (autograph_lowering.py,
autograph_transform.py) and compiles it with the original file name and line numbers, so
tracebacks show the user's lines. The rewritten code calls the `ag__` operators
(autograph_operators.py), which pick tf.cond / tf.while_loop for graph tensors and plain
Python otherwise. Calls inside converted code go through `ag__.converted_call`, which
converts user functions they reach (not tensorforge, the standard library or installed
packages). A function whose source cannot be read runs unconverted.

The converted function shares the original's globals and closure cells, so it sees later
changes to them, and keeps its defaults and name.
"""
from __future__ import annotations

import __future__
import ast
import functools
import inspect
import linecache
import os
import sys
import sysconfig
import types
import warnings
import weakref

from .._api import tf_export
from . import autograph_assert  # noqa: F401 - registers the Assert op
from . import autograph_operators as operators
from .autograph_lowering import at, name
from .autograph_transform import transform_function, transform_lambda

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_SKIP_MODULES = {"tensorforge", "numpy", "builtins", "functools", "collections", "abc", "typing"}
_FUTURE_FLAGS = 0
for _f in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _f).compiler_flag
_NOT_CONVERTIBLE_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | \
    inspect.CO_ITERABLE_COROUTINE


def _library_dirs() -> tuple:
    dirs = set()
    for base in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        paths = sysconfig.get_paths(vars={"base": base, "platbase": base, "installed_base": base,
                                          "installed_platbase": base})
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            if paths.get(key):
                dirs.add(os.path.abspath(paths[key]) + os.sep)
    return tuple(sorted(dirs))


_LIBRARY_DIRS = _library_dirs()

# id(original code) -> (weakref to it, factory code or None, converted source or None)
_factories: dict = {}
# original function -> converted function (or itself when it is not converted)
_converted: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# every code object produced by conversion: never converted again
_converted_codes: weakref.WeakSet = weakref.WeakSet()


class _NoSource(Exception):
    """The function's source cannot be found or matched: it runs unconverted (TF falls back too)."""


def is_user_code(fn) -> bool:
    """Whether `fn` is user code: not tensorforge, numpy, the standard library or site-packages."""
    module = getattr(fn, "__module__", None) or ""
    if module.partition(".")[0] in _SKIP_MODULES:
        return False
    filename = fn.__code__.co_filename
    if filename.startswith("<frozen") or os.path.abspath(filename).startswith(_PACKAGE_DIR):
        return False
    return not (filename[:1] != "<" and os.path.abspath(filename).startswith(_LIBRARY_DIRS))


def converted_function(fn):
    """`fn` converted if it is user code (cached per function object), else `fn` itself."""
    try:
        hit = _converted.get(fn)
    except TypeError:
        return fn
    if hit is not None:
        return hit
    result = fn
    if fn.__code__ not in _converted_codes and is_user_code(fn):
        result = _convert_function(fn) or fn
    try:
        _converted[fn] = result
    except TypeError:
        pass
    return result


def convert(entity):
    """`entity` with AutoGraph applied: what tf.function traces.

    Functions, bound methods and functools.partial objects of user code are converted; any
    other callable, and functions whose source is unavailable, are returned unchanged.
    """
    if isinstance(entity, functools.partial):
        conv = convert(entity.func)
        return entity if conv is entity.func else functools.partial(conv, *entity.args, **entity.keywords)
    if isinstance(entity, types.MethodType):
        conv = convert(entity.__func__)
        return entity if conv is entity.__func__ else types.MethodType(conv, entity.__self__)
    if type(entity) is not types.FunctionType:
        return entity
    return converted_function(entity)


# ---------------------------------------------------------------- conversion
def _convert_function(fn):
    """The converted function, or None when it cannot be converted."""
    entry = _factory_entry(fn)
    if entry[1] is None:
        return None
    return _instantiate(fn, entry[1])


def _factory_entry(fn):
    code = fn.__code__
    entry = _factories.get(id(code))
    if entry is not None and entry[0]() is code:
        return entry
    factory, source = None, None
    if not code.co_flags & _NOT_CONVERTIBLE_FLAGS:
        try:
            factory, source = _compile(fn)
        except _NoSource:
            pass
        except Exception as e:  # noqa: BLE001 - an unsupported construct: run the function as written
            warnings.warn("AutoGraph could not transform %s and will run it as-is. Cause: %s: %s"
                          % (getattr(fn, "__qualname__", fn), type(e).__name__, e), stacklevel=4)
    entry = (weakref.ref(code), factory, source)
    _factories[id(code)] = entry
    weakref.finalize(code, _factories.pop, id(code), None)
    return entry


def _parse_source(fn):
    """(tree, line offset) of the source lines holding `fn`."""
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError, IndexError) as e:
        raise _NoSource(str(e)) from None
    text = "".join(lines)
    offset = max(first, 1) - 1
    if text[:1] in (" ", "\t"):  # a method or nested function: parse it as an indented block
        text = "if 1:\n" + text
        offset -= 1
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise _NoSource("unparsable source: %s" % e) from None
    ast.increment_lineno(tree, offset)
    return tree


def _arg_names(args: ast.arguments) -> list:
    names = [a.arg for a in args.posonlyargs + args.args]
    names += [a.arg for a in args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


def _code_arg_names(code) -> list:
    n = code.co_argcount + code.co_kwonlyargcount
    n += bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    names = list(code.co_varnames[:n])
    return names


def _find_node(fn):
    """The FunctionDef or Lambda of `fn` in its source."""
    code = fn.__code__
    want_args = _code_arg_names(code)
    if code.co_name == "<lambda>":
        try:
            return _find_lambda(_parse_source(fn), code, want_args)
        except _NoSource:  # e.g. a lambda spread over the lines of a call: parse its whole file
            return _find_lambda(_parse_file(code.co_filename), code, want_args)
    for n in ast.walk(_parse_source(fn)):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == code.co_name \
                and _arg_names(n.args) == want_args:
            first = min([n.lineno] + [d.lineno for d in n.decorator_list])
            if first == code.co_firstlineno or n.lineno == code.co_firstlineno:
                return n
    raise _NoSource("the source does not match the function")


def _find_lambda(tree, code, want_args):
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno
             and _arg_names(n.args) == want_args]
    if len(found) > 1:  # several on one line: match the body's position
        starts = {(p[0], p[2]) for p in code.co_positions() if p[0] is not None and p[2] is not None}
        found = [n for n in found if (n.body.lineno, n.body.col_offset) in starts]
    if len(found) != 1:
        raise _NoSource("cannot identify the lambda in its source")
    return found[0]


_file_trees: dict = {}


def _parse_file(filename):
    lines = linecache.getlines(filename)
    if not lines:
        raise _NoSource("no source for %s" % filename)
    text = "".join(lines)
    hit = _file_trees.get(filename)
    if hit is None or hit[0] != text:
        try:
            hit = _file_trees[filename] = (text, ast.parse(text))
        except SyntaxError as e:
            raise _NoSource("unparsable source: %s" % e) from None
    return hit[1]


def _strip_evaluated(args: ast.arguments) -> None:
    """Drops defaults and annotations (evaluated at definition; the originals are reused)."""
    args.defaults = []
    args.kw_defaults = [None] * len(args.kwonlyargs)
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            a.annotation = None


def _compile(fn):
    """(factory code, converted source) for `fn`.

    The factory is `def __ag_factory(ag__): def f(...): ...; return f`, nested in a function
    that binds the original's free variables, so the factory's closure can be the original
    cells (TF's loader does the same)."""
    code = fn.__code__
    node = _find_node(fn)
    if isinstance(node, ast.Lambda):
        conv = transform_lambda(node)
        source = ast.unparse(conv)
        _strip_evaluated(conv.args)
        inner_body = [at(ast.Return(value=conv), node)]
    else:
        conv = transform_function(node, class_cell="__class__" in code.co_freevars)
        source = ast.unparse(conv)
        _strip_evaluated(conv.args)
        conv.returns = None
        inner_body = [conv, at(ast.Return(value=name(conv.name)), node)]
    inner = ast.FunctionDef(name="__ag_factory", args=_params("ag__"), body=inner_body, decorator_list=[],
                            returns=None, type_comment=None)
    outer_body = [ast.Assign(targets=[name(v, True)], value=ast.Constant(None)) for v in code.co_freevars]
    outer = ast.FunctionDef(name="__ag_outer", args=_params(), body=outer_body + [inner, ast.Return(
        value=name("__ag_factory"))], decorator_list=[], returns=None, type_comment=None)
    module = ast.Module(body=[at(outer, node)], type_ignores=[])
    compiled = compile(module, code.co_filename, "exec", flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True)
    namespace: dict = {}
    exec(compiled, namespace)  # noqa: S102 - defines __ag_outer only
    factory = namespace["__ag_outer"]().__code__
    _register_codes(factory)
    return factory, source


def _params(*names) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names], vararg=None, kwonlyargs=[],
                         kw_defaults=[], kwarg=None, defaults=[])


def _register_codes(code) -> None:
    _converted_codes.add(code)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _register_codes(c)


def _instantiate(fn, factory):
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    closure = tuple(cells[v] for v in factory.co_freevars)
    make = types.FunctionType(factory, fn.__globals__, "__ag_factory", None, closure or None)
    conv = make(operators)
    conv.__defaults__ = fn.__defaults__
    conv.__kwdefaults__ = fn.__kwdefaults__
    conv.__annotations__ = dict(getattr(fn, "__annotations__", {}) or {})
    conv.__doc__ = fn.__doc__
    conv.__qualname__ = fn.__qualname__
    conv.__module__ = fn.__module__
    return conv


def _plain_function(entity):
    """The Python function behind a partial, bound method or tf.function."""
    while True:
        if isinstance(entity, functools.partial):
            entity = entity.func
        elif isinstance(entity, types.MethodType):
            entity = entity.__func__
        elif type(entity) is not types.FunctionType and hasattr(entity, "python_function"):
            entity = entity.python_function
        else:
            return entity


# ---------------------------------------------------------------- public API
@tf_export("autograph.to_graph")
def to_graph(entity, recursive=True, experimental_optional_features=None):
    """Converts a Python function (or method) with AutoGraph (tf.autograph.to_graph).

    The result runs Python control flow on Python values and stages tf.cond/tf.while_loop
    for control flow on graph tensors; call it inside a tf.function or graph.

    Args:
      entity: a Python function, bound method or functools.partial.
      recursive: accepted for compatibility; user functions called from converted code
        are always converted when they are called.
      experimental_optional_features: unused.

    Returns:
      The converted callable.

    Raises:
      ValueError: if the source of `entity` cannot be read.
    """
    del recursive, experimental_optional_features
    fn = _plain_function(entity)
    if type(fn) is not types.FunctionType or _factory_entry(fn)[1] is None:
        raise ValueError("AutoGraph cannot convert %r: its source code is not available" % (entity,))
    if isinstance(entity, types.MethodType):
        return types.MethodType(_instantiate(fn, _factory_entry(fn)[1]), entity.__self__)
    if isinstance(entity, functools.partial):
        return functools.partial(to_graph(entity.func), *entity.args, **entity.keywords)
    return _instantiate(fn, _factory_entry(fn)[1])


@tf_export("autograph.to_code")
def to_code(entity, recursive=True, experimental_optional_features=None) -> str:
    """The source code AutoGraph generates for `entity` (tf.autograph.to_code).

    Args:
      entity: a Python function or method.
      recursive: unused (called functions are converted when they are called).
      experimental_optional_features: unused.

    Returns:
      The converted function's source, as a string.

    Raises:
      ValueError: if the source of `entity` cannot be read.
    """
    del recursive, experimental_optional_features
    fn = _plain_function(entity)
    source = _factory_entry(fn)[2] if type(fn) is types.FunctionType else None
    if source is None:
        raise ValueError("AutoGraph cannot convert %r: its source code is not available" % (entity,))
    return source + "\n"


@tf_export("autograph.experimental.do_not_convert")
def do_not_convert(func=None):
    """Marks `func` to run as written, without AutoGraph, even inside tf.function.

    Usable as `@do_not_convert`, `@do_not_convert()` or `do_not_convert(func)`.
    """
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


_UNSPECIFIED = object()


@tf_export("autograph.experimental.set_loop_options")
def set_loop_options(parallel_iterations=_UNSPECIFIED, swap_memory=_UNSPECIFIED, maximum_iterations=_UNSPECIFIED,
                     shape_invariants=_UNSPECIFIED) -> None:
    """Options for the loop this call is the first statement of (a directive AutoGraph reads).

    `shape_invariants` is a list of `(variable, shape)` pairs letting a loop variable change
    shape across iterations; `maximum_iterations` bounds the loop. AutoGraph removes the call
    and passes the options to tf.while_loop; called outside a converted loop it does nothing.
    """
    del parallel_iterations, swap_memory, maximum_iterations, shape_invariants


register_for_loop = operators.register_for_loop
