"""AutoGraph's source transformation: Python control flow -> calls to ag__ operators.

Each `if`/`while`/`for` becomes nested functions for its blocks plus `get_state`/`set_state`
functions over the variables it modifies and that are read later (its "state"), and a call
that decides at run time whether to run Python or stage tf.cond / tf.while_loop
(autograph_operators.py), as TF's control_flow converter does:

    if x > 0:                        def get_state(): return (y,)
        y = x                        def set_state(vars_):
    else:                                nonlocal y
        y = -x                           (y,) = vars_
                               ->    def if_body():
                                         nonlocal y
                                         y = x
                                     def else_body(): ...
                                     ag__.if_stmt(x > 0, if_body, else_body, get_state, set_state, ('y',))

Then calls become `ag__.converted_call(f, args, kwargs)` (so user functions they reach are
converted too), `and`/`or`/`not`/`a if c else b` become lazy ag__ operators, and `assert`
becomes ag__.assert_stmt. Every user statement keeps its line and column, and generated
code takes the location of the statement it replaces, so tracebacks point at user lines.
"""
from __future__ import annotations

import ast

from .autograph_analysis import Analyzer, Names
from .autograph_lowering import (Namer, ag_call, all_names, assign, at, lower_break_continue,
                                 lower_returns, name)

# Calls that read their caller's frame must stay direct calls.
_FRAME_CALLS = {"super", "locals", "globals", "vars", "eval", "exec", "dir"}


def _args(*names_) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names_], vararg=None, kwonlyargs=[],
                         kw_defaults=[], kwarg=None, defaults=[])


def _def(fname: str, params, body: list, src, generated_state=False) -> ast.FunctionDef:
    fn = ast.FunctionDef(name=fname, args=_args(*params), body=body or [ast.Pass()], decorator_list=[],
                         returns=None, type_comment=None)
    fn.ag_generated = True
    fn.ag_state_fn = generated_state
    return at(fn, src)


def _tuple(names_, store=False) -> ast.Tuple:
    return ast.Tuple(elts=[name(n, store) for n in names_], ctx=ast.Store() if store else ast.Load())


def _strs(names_) -> ast.Tuple:
    return ast.Tuple(elts=[ast.Constant(n) for n in names_], ctx=ast.Load())


class _FunctionConverter:
    """Converts the control flow of one function body (nested functions get their own)."""

    def __init__(self, namer: Namer, params: set, globals_: set, nonlocals: set):
        self.namer = namer
        self.an = Analyzer()
        self.params = params
        self.globals = globals_
        self.defined_at_entry = params | nonlocals
        self.always_live: set = set()
        self.undefined: set = set()   # names given an Undefined placeholder (read via ag__.ld)

    def run(self, body: list) -> list:
        body = lower_break_continue(body, self.namer)
        body = lower_returns(body, self.namer)
        self.always_live = self.an.names(body).nested_loads
        out, _ = self.block(body, set(), set(self.defined_at_entry))
        return out

    # -- blocks
    def block(self, stmts: list, live_out: set, defined: set):
        lives = []
        live = live_out
        for s in reversed(stmts):
            lives.append(live)
            live = self.an.live_stmt(s, live)
        lives.reverse()
        out = []
        for s, lo in zip(stmts, lives):
            new, defined = self.stmt(s, lo, defined)
            out.extend(new)
        return out, defined

    def stmt(self, s, live_out: set, defined: set):
        if isinstance(s, ast.If):
            return self.convert_if(s, live_out, defined)
        if isinstance(s, ast.While):
            return self.convert_while(s, live_out, defined)
        if isinstance(s, ast.For):
            return self.convert_for(s, live_out, defined)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            bound = set()
            for item in s.items:
                if item.optional_vars is not None:
                    bound |= self.an.modified(item.optional_vars)
            new = _copy(s)
            new.body, defined = self.block(s.body, live_out, defined | bound)
            return [new], defined
        if isinstance(s, ast.Try):
            new = _copy(s)
            after_fin = self.an.live_block(s.finalbody, live_out)
            handlers_live = set()
            handlers, outs = [], []
            for h in s.handlers:
                nh = _copy(h)
                nh.body, d = self.block(h.body, after_fin, defined | ({h.name} if h.name else set()))
                handlers.append(nh)
                outs.append(d)
                handlers_live |= self.an.live_block(h.body, after_fin)
            new.body, d_body = self.block(s.body, self.an.live_block(s.orelse, after_fin) | handlers_live, defined)
            new.orelse, d_else = self.block(s.orelse, after_fin, d_body)
            new.handlers = handlers
            merged = set().union(d_else, *outs) if outs else d_else
            new.finalbody, defined = self.block(s.finalbody, live_out, merged | defined)
            return [new], defined
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [convert_function_def(s, self.namer)], defined | {s.name}
        return [s], defined | self.an.modified(s)

    # -- shared pieces
    def _state(self, s, live: set, defined: set):
        """(state names, Undefined initialisations, names defined in the blocks' scope)."""
        modified = self.an.modified(s) - self.globals
        names_ = sorted(modified & (live | self.always_live))
        pre = []
        for n in names_:
            if n not in defined:
                pre.append(assign(n, ag_call("Undefined", ast.Constant(n)), s))
                self.undefined.add(n)
        inner_defined = set(names_) | (defined - modified)
        return names_, pre, inner_defined

    def _decls(self, s, state) -> list:
        decls = []
        glob = sorted(self.an.modified(s) & self.globals)
        if glob:
            decls.append(ast.Global(names=glob))
        if state:
            decls.append(ast.Nonlocal(names=list(state)))
        return decls

    def _state_fns(self, state, src):
        get_name, set_name = self.namer.new("get_state"), self.namer.new("set_state")
        getter = _def(get_name, [], [ast.Return(value=_tuple(state))], src, generated_state=True)
        vars_ = self.namer.new("vars_")
        if state:
            setter_body = [ast.Nonlocal(names=list(state)),
                           ast.Assign(targets=[_tuple(state, store=True)], value=name(vars_))]
        else:
            setter_body = [ast.Pass()]
        setter = _def(set_name, [vars_], setter_body, src, generated_state=True)
        return [getter, setter], get_name, set_name

    # -- if
    def convert_if(self, s: ast.If, live_out: set, defined: set):
        # Outputs: modified names read afterwards, or read in a branch before it assigns them
        # (the branch needs the value from before the `if`).
        state, pre, inner = self._state(s, live_out | self.an.live_stmt(s, live_out), defined)
        body, _ = self.block(s.body, live_out, inner)
        orelse, _ = self.block(s.orelse, live_out, inner)
        loc = s.test
        fns, get_name, set_name = self._state_fns(state, loc)
        body_name, else_name = self.namer.new("if_body"), self.namer.new("else_body")
        fns.append(_def(body_name, [], self._decls(s, state) + body, loc))
        fns.append(_def(else_name, [], self._decls(s, state) + orelse, loc))
        call = ag_call("if_stmt", s.test, name(body_name), name(else_name), name(get_name), name(set_name),
                       _strs(state))
        return pre + fns + [at(ast.Expr(value=call), loc)], defined | set(state)

    # -- loops
    def _loop_opts(self, s, extra: dict):
        """Leading tf.autograph.experimental.set_loop_options(...) calls become loop options."""
        body = list(s.body)
        keys, values = [ast.Constant(k) for k in extra], list(extra.values())
        while body and isinstance(body[0], ast.Expr) and _is_loop_options(body[0].value):
            for kw in body.pop(0).value.keywords:
                keys.append(ast.Constant(kw.arg))
                values.append(kw.value)
        return body, at(ast.Dict(keys=keys, values=values), s)

    def convert_while(self, s: ast.While, live_out: set, defined: set):
        head = self.an.loop_head(s, live_out)
        state, pre, inner = self._state(s, head, defined)
        body_stmts, opts = self._loop_opts(s, {})
        body, _ = self.block(body_stmts, head, inner)
        loc = s.test
        fns, get_name, set_name = self._state_fns(state, loc)
        body_name, test_name = self.namer.new("loop_body"), self.namer.new("loop_test")
        fns.append(_def(body_name, [], self._decls(s, state) + body, loc))
        fns.append(_def(test_name, [], [at(ast.Return(value=s.test), loc)], loc))
        call = ag_call("while_stmt", name(test_name), name(body_name), name(get_name), name(set_name),
                       _strs(state), opts)
        return pre + fns + [at(ast.Expr(value=call), loc)], defined | set(state)

    def convert_for(self, s: ast.For, live_out: set, defined: set):
        head = self.an.loop_head(s, live_out)
        state, pre, inner = self._state(s, head, defined)
        extra = {"iterate_names": ast.Constant(ast.unparse(s.target))}
        body_stmts, opts = self._loop_opts(s, extra)
        body, _ = self.block(body_stmts, head, inner)
        loc = s.iter
        fns, get_name, set_name = self._state_fns(state, loc)
        body_name, itr = self.namer.new("loop_body"), self.namer.new("itr")
        bind_target = at(ast.Assign(targets=[s.target], value=name(itr)), s.target)
        fns.append(_def(body_name, [itr], self._decls(s, state) + [bind_target] + body, loc))
        extra_test = getattr(s, "ag_extra_test", None)
        if extra_test is not None:
            test_name = self.namer.new("extra_test")
            fns.append(_def(test_name, [], [at(ast.Return(value=extra_test), loc)], loc))
            test_ref = name(test_name)
        else:
            test_ref = ast.Constant(None)
        call = ag_call("for_stmt", s.iter, test_ref, name(body_name), name(get_name), name(set_name),
                       _strs(state), opts)
        return pre + fns + [at(ast.Expr(value=call), loc)], defined | set(state)


def _copy(node):
    new = type(node)()
    for f in node._fields + node._attributes:
        if hasattr(node, f):
            setattr(new, f, getattr(node, f))
    return new


def _is_loop_options(call) -> bool:
    if not isinstance(call, ast.Call):
        return False
    f = call.func
    return (isinstance(f, ast.Attribute) and f.attr == "set_loop_options") or (
        isinstance(f, ast.Name) and f.id == "set_loop_options")


def _scope_info(fdef):
    """(params, globals, nonlocals) of a function definition."""
    a = fdef.args
    params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
    params |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    decl = Names()
    stack = list(fdef.body)
    while stack:  # global/nonlocal declarations anywhere in this scope (not nested ones)
        n = stack.pop()
        if isinstance(n, (ast.Global, ast.Nonlocal)):
            decl.visit(n)
        elif not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(n))
    return params, decl.globals, decl.nonlocals


def convert_function_def(fdef, namer: Namer):
    """A converted copy of FunctionDef `fdef` (its control flow; expressions come later)."""
    if isinstance(fdef, ast.AsyncFunctionDef) or _is_generator(fdef):
        return fdef
    params, globals_, nonlocals = _scope_info(fdef)
    conv = _FunctionConverter(namer, params, globals_, nonlocals)
    new = _copy(fdef)
    new.body = conv.run(list(fdef.body))
    new.ag_undefined = conv.undefined
    return new


def _is_generator(fdef) -> bool:
    stack = list(fdef.body)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)):
            return True
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(n))
    return False


# ---------------------------------------------------------------- expressions
def _lambda(body):
    return ast.Lambda(args=_args(), body=body)


def _has_walrus(node) -> bool:
    return any(isinstance(n, (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await)) for n in ast.walk(node))


class _Expressions(ast.NodeTransformer):
    """Calls -> converted_call, and/or/not/if-else -> lazy operators, assert -> assert_stmt,
    and reads of possibly-undefined names -> ag__.ld (which raises like Python would)."""

    def __init__(self, self_arg: str | None, class_cell: bool):
        self.self_arg = self_arg
        self.class_cell = class_cell
        self.undefined = [set()]

    def visit_FunctionDef(self, node):
        if getattr(node, "ag_state_fn", False):
            return node
        if getattr(node, "ag_generated", False):
            self.generic_visit(node)
            return node
        self.undefined.append(getattr(node, "ag_undefined", set()))
        self.generic_visit(node)
        self.undefined.pop()
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        return node  # class bodies run once at definition; left as written

    def visit_Lambda(self, node):
        a = node.args
        params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if x is not None}
        self.undefined.append(self.undefined[-1] - params)
        self.generic_visit(node)
        self.undefined.pop()
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.undefined[-1]:
            return ast.copy_location(ag_call("ld", node), node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "ag__":
            return node
        if isinstance(f, ast.Name) and f.id in _FRAME_CALLS:
            if f.id == "super" and not node.args and not node.keywords and self.class_cell and self.self_arg:
                node.args = [name("__class__"), name(self.self_arg)]
            return node
        args = ast.Tuple(elts=node.args, ctx=ast.Load())
        if node.keywords:
            kwargs = ast.Dict(keys=[None if k.arg is None else ast.Constant(k.arg) for k in node.keywords],
                              values=[k.value for k in node.keywords])
        else:
            kwargs = ast.Constant(None)
        return at(ast.copy_location(ag_call("converted_call", f, args, kwargs), node), node)

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        if _has_walrus(node):
            return node
        op = "and_" if isinstance(node.op, ast.And) else "or_"
        values = node.values
        result = values[-1]
        for v in reversed(values[:-1]):
            result = ag_call(op, _lambda(v), _lambda(result))
        return at(ast.copy_location(result, node), node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return at(ast.copy_location(ag_call("not_", node.operand), node), node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        if _has_walrus(node):
            return node
        call = ag_call("if_exp", node.test, _lambda(node.body), _lambda(node.orelse),
                       ast.Constant(ast.unparse(node.test)))
        return at(ast.copy_location(call, node), node)

    def visit_Assert(self, node):
        self.generic_visit(node)
        msg = _lambda(node.msg) if node.msg is not None else ast.Constant(None)
        call = ag_call("assert_stmt", node.test, msg, ast.Constant(ast.unparse(node.test)))
        return at(ast.copy_location(ast.Expr(value=call), node), node)


def _self_arg(args: ast.arguments):
    first = (args.posonlyargs + args.args)[:1]
    return first[0].arg if first else None


def transform_function(fdef, class_cell: bool = False):
    """The converted copy of top-level FunctionDef `fdef` (decorators dropped)."""
    namer = Namer(all_names(fdef))
    new = convert_function_def(fdef, namer)
    new.decorator_list = []
    new = _Expressions(_self_arg(fdef.args), class_cell).visit(new)
    return ast.fix_missing_locations(new)


def transform_lambda(lam: ast.Lambda) -> ast.Lambda:
    return ast.fix_missing_locations(_Expressions(None, False).visit(lam))

