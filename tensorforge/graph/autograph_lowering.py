"""AutoGraph's first passes: `break`, `continue` and `return` become flag variables.

After these passes a function has no jumps inside `if`/`for`/`while`, so each control
statement can become a call with its blocks as functions (autograph_transform.py):

    for x in xs:              break_ = False
        if c(x):              for x in xs:                 # extra test: not break_
            break        ->       if c(x):
        f(x)                          break_ = True
                                  if not break_:
                                      f(x)

A `return` inside control flow sets `do_return`/`retval_`; later statements are guarded by
`if not do_return:` and loops stop on it, as TF's return_statements converter does.
"""
from __future__ import annotations

import ast

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LOOPS = (ast.For, ast.While)
_AG = "ag__"


class Namer:
    """Fresh names that clash with nothing in the function."""

    def __init__(self, used):
        self.used = set(used)

    def new(self, base: str) -> str:
        name, i = base, 0
        while name in self.used:
            i += 1
            name = "%s_%d" % (base, i)
        self.used.add(name)
        return name


def all_names(tree) -> set:
    names = {_AG}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.arg):
            names.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            names.update(n.names)
        elif isinstance(n, ast.alias):
            names.add((n.asname or n.name).split(".")[0])
    return names


# ---------------------------------------------------------------- small AST builders
def at(node, src):
    """`node` (and its children without a location) placed at `src`'s location: its columns
    when `src` is on one line (tracebacks underline it), else just its first line (column -1:
    tracebacks show the line without a caret)."""
    if src.end_lineno == src.lineno:
        loc = (src.lineno, src.col_offset, src.end_lineno, src.end_col_offset)
    else:
        loc = (src.lineno, -1, src.lineno, -1)
    for n in ast.walk(node):
        if "lineno" in n._attributes and getattr(n, "lineno", None) is None:
            n.lineno, n.col_offset, n.end_lineno, n.end_col_offset = loc
    return node


def name(id_: str, store: bool = False) -> ast.Name:
    return ast.Name(id=id_, ctx=ast.Store() if store else ast.Load())


def ag(attr: str) -> ast.Attribute:
    return ast.Attribute(value=name(_AG), attr=attr, ctx=ast.Load())


def ag_call(attr: str, *args) -> ast.Call:
    return ast.Call(func=ag(attr), args=list(args), keywords=[])


def assign(target: str, value, src) -> ast.Assign:
    return at(ast.Assign(targets=[name(target, True)], value=value), src)


def not_(expr) -> ast.UnaryOp:
    return ast.UnaryOp(op=ast.Not(), operand=expr)


def if_not(flag: str, body: list, src) -> ast.If:
    return at(ast.If(test=not_(name(flag)), body=body, orelse=[]), src)


def and_(a, b) -> ast.BoolOp:
    return ast.BoolOp(op=ast.And(), values=[a, b])


# ---------------------------------------------------------------- guards
def _guard_block(stmts, is_jump, replace, flag, into_loops, on_loop):
    """Replaces jumps by `replace(stmt)` and guards what follows a possible jump by
    `if not flag:`. Returns (new statements, whether the block may jump)."""
    out = []
    for i, s in enumerate(stmts):
        new, jumps = _guard_stmt(s, is_jump, replace, flag, into_loops, on_loop)
        out.extend(new)
        if jumps:
            rest = stmts[i + 1:]
            if rest:
                guarded, _ = _guard_block(rest, is_jump, replace, flag, into_loops, on_loop)
                out.append(if_not(flag, guarded, rest[0]))
            return out, True
    return out, False


def _guard_stmt(s, is_jump, replace, flag, into_loops, on_loop):
    args = (is_jump, replace, flag, into_loops, on_loop)
    if is_jump(s):
        return replace(s), True
    if isinstance(s, ast.If):
        s.body, a = _guard_block(s.body, *args)
        s.orelse, b = _guard_block(s.orelse, *args)
        return [s], a or b
    if isinstance(s, (ast.With, ast.AsyncWith)):
        s.body, a = _guard_block(s.body, *args)
        return [s], a
    if isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
        jumped = False
        for h in s.handlers:
            h.body, j = _guard_block(h.body, *args)
            jumped |= j
        s.body, a = _guard_block(s.body, *args)
        s.orelse, b = _guard_block(s.orelse, *args)
        s.finalbody, c = _guard_block(s.finalbody, *args)
        return [s], jumped or a or b or c
    if into_loops and isinstance(s, _LOOPS):
        s.body, a = _guard_block(s.body, *args)
        if a:
            on_loop(s)
        return [s], a
    return [s], False


def add_loop_test(loop, flag: str):
    """Makes `loop` stop once `flag` is set: in the test of a while, the extra test of a for."""
    stop = not_(name(flag))
    if isinstance(loop, ast.While):
        loop.test = at(and_(stop, loop.test), loop.test)
    else:
        extra = getattr(loop, "ag_extra_test", None)
        loop.ag_extra_test = at(stop if extra is None else and_(stop, extra), loop.iter)


def _has_direct(stmts, kind) -> bool:
    """Whether `kind` (Break/Continue) occurs in stmts outside nested loops and functions."""
    stack = list(stmts)
    while stack:
        s = stack.pop()
        if isinstance(s, kind):
            return True
        if isinstance(s, _NESTED + _LOOPS):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            stack.extend(getattr(s, field, ()) or ())
        if isinstance(s, ast.Match):
            for c in s.cases:
                stack.extend(c.body)
    return False


# ---------------------------------------------------------------- break / continue
def _map_blocks(stmts: list, fn) -> list:
    """Applies `fn(stmt) -> [stmts]` bottom-up to every statement of the function body
    (not inside nested functions or classes)."""
    out = []
    for s in stmts:
        if not isinstance(s, _NESTED):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(s, field, None)
                if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                    setattr(s, field, _map_blocks(block, fn))
            for h in getattr(s, "handlers", ()) or ():
                h.body = _map_blocks(h.body, fn)
            if isinstance(s, ast.Match):
                for c in s.cases:
                    c.body = _map_blocks(c.body, fn)
        out.extend(fn(s))
    return out


def lower_break_continue(body: list, namer: Namer) -> list:
    def lower(s):
        if not isinstance(s, _LOOPS):
            return [s]
        pre, post = [], []
        if _has_direct(s.body, ast.Continue):
            flag = namer.new("continue_")
            s.body, _ = _guard_block(s.body, lambda x: isinstance(x, ast.Continue),
                                     lambda x: [assign(flag, ast.Constant(True), x)], flag, False, None)
            s.body.insert(0, assign(flag, ast.Constant(False), s.body[0]))
        if _has_direct(s.body, ast.Break):
            flag = namer.new("break_")
            s.body, _ = _guard_block(s.body, lambda x: isinstance(x, ast.Break),
                                     lambda x: [assign(flag, ast.Constant(True), x)], flag, False, None)
            add_loop_test(s, flag)
            pre.append(assign(flag, ast.Constant(False), s))
            if s.orelse:
                post.append(if_not(flag, s.orelse, s.orelse[0]))
        else:
            post.extend(s.orelse)
        s.orelse = []
        return pre + [s] + post
    return _map_blocks(body, lower)


# ---------------------------------------------------------------- return
def _definitely_returns(stmts) -> bool:
    for s in stmts:
        if isinstance(s, ast.Return):
            return True
        if isinstance(s, ast.If) and _definitely_returns(s.body) and _definitely_returns(s.orelse):
            return True
        if isinstance(s, (ast.With, ast.AsyncWith)) and _definitely_returns(s.body):
            return True
    return False


def _move_after_returns(stmts: list) -> list:
    """`if c: ...; return a` followed by code: the code moves into the else branch (and
    vice versa), so that both branches of a tensor `if` return (TF's rewrite)."""
    out = []
    for i, s in enumerate(stmts):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(s, field, None)
            if not isinstance(s, _NESTED) and isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(s, field, _move_after_returns(block))
        for h in getattr(s, "handlers", ()) or ():
            h.body = _move_after_returns(h.body)
        rest = stmts[i + 1:]
        if isinstance(s, ast.If) and rest:
            if _definitely_returns(s.body):
                s.orelse = _move_after_returns(s.orelse + rest)
                out.append(s)
                return out
            if _definitely_returns(s.orelse):
                s.body = _move_after_returns(s.body + rest)
                out.append(s)
                return out
        out.append(s)
    return out


def _nested_return(stmts) -> bool:
    """Whether a `return` sits inside a compound statement (not at the top level)."""
    for s in stmts:
        if isinstance(s, _NESTED) or isinstance(s, ast.Return):
            continue
        for n in ast.walk(s):
            if isinstance(n, ast.Return) and _owner_is_function(s, n):
                return True
    return False


def _owner_is_function(top, ret) -> bool:
    """Whether `ret` inside `top` belongs to the function being converted (not a nested def)."""
    stack = [top]
    while stack:
        n = stack.pop()
        if n is ret:
            return True
        if isinstance(n, _NESTED):
            continue
        stack.extend(ast.iter_child_nodes(n))
    return False


def lower_returns(body: list, namer: Namer) -> list:
    if not _nested_return(body):
        return body
    do_return, retval = namer.new("do_return"), namer.new("retval_")
    body = _move_after_returns(body)

    def replace(r):
        value = r.value if r.value is not None else at(ast.Constant(None), r)
        return [assign(retval, value, r), assign(do_return, ast.Constant(True), r)]

    first = body[0]
    body, _ = _guard_block(body, lambda x: isinstance(x, ast.Return), replace, do_return, True,
                           lambda loop: add_loop_test(loop, do_return))
    last = body[-1]
    return ([assign(do_return, ast.Constant(False), first),
             assign(retval, ag_call("UndefinedReturnValue"), first)] + body
            + [at(ast.Return(value=ag_call("retval", name(retval))), last)])
