"""Static analysis for AutoGraph: which names a statement binds and reads, and liveness.

The control-flow converter needs, for every `if`/`while`/`for`, the variables it modifies
that are still read afterwards (or on the next iteration): those become branch outputs and
loop variables. Liveness is computed on the structured AST (after break/continue/return
have been lowered to flags, so no jumps remain), loops by fixed point.
"""
from __future__ import annotations

import ast

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Names(ast.NodeVisitor):
    """Names bound (`stores`) and read (`loads`) by a node in the current function scope.

    Reads inside nested functions, lambdas and classes count as reads here (they may run at
    any time) and are also collected in `nested_loads`; their bindings do not count.
    """

    def __init__(self):
        self.stores: set[str] = set()
        self.loads: set[str] = set()
        self.nested_loads: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()

    def visit_Name(self, node):
        (self.loads if isinstance(node.ctx, ast.Load) else self.stores).add(node.id)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name):
            self.loads.add(node.target.id)
        self.generic_visit(node)

    def _nested(self, nodes):
        inner = set()
        for n in nodes:
            for sub in ast.walk(n):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    inner.add(sub.id)
        self.loads |= inner
        self.nested_loads |= inner

    def _arguments(self, args: ast.arguments):
        for d in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.visit(d)
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None and a.annotation is not None:
                self.visit(a.annotation)

    def visit_FunctionDef(self, node):
        self.stores.add(node.name)
        for d in node.decorator_list:
            self.visit(d)
        self._arguments(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self._nested(node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._arguments(node.args)
        self._nested([node.body])

    def visit_ClassDef(self, node):
        self.stores.add(node.name)
        for n in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(n)
        self._nested(node.body)

    def _comprehension(self, node, elts):
        local = set()
        for gen in node.generators:
            local |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        inner = Names()
        for gen in node.generators:
            inner.visit(gen.iter)
            for cond in gen.ifs:
                inner.visit(cond)
        for e in elts:
            inner.visit(e)
        self.loads |= inner.loads - local
        self.nested_loads |= inner.nested_loads
        self.stores |= inner.stores - local  # walrus targets bind in the function

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self._comprehension(node, [node.key, node.value])

    def visit_Global(self, node):
        self.globals.update(node.names)

    def visit_Nonlocal(self, node):
        self.nonlocals.update(node.names)

    def visit_Import(self, node):
        for a in node.names:
            self.stores.add(a.asname or a.name.split(".")[0])

    def visit_ImportFrom(self, node):
        for a in node.names:
            if a.name != "*":
                self.stores.add(a.asname or a.name)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.stores.add(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node):
        if node.name:
            self.stores.add(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node):
        if node.name:
            self.stores.add(node.name)

    def visit_MatchMapping(self, node):
        if node.rest:
            self.stores.add(node.rest)
        self.generic_visit(node)


class Analyzer:
    """Memoised name sets and liveness over the statements of one function."""

    def __init__(self):
        self._names: dict[int, Names] = {}

    def names(self, node) -> Names:
        """Names of `node` (a statement, expression or a list of statements)."""
        key = id(node)
        hit = self._names.get(key)
        if hit is None:
            hit = Names()
            for n in (node if isinstance(node, list) else [node]):
                hit.visit(n)
            self._names[key] = (hit, node)  # keep the node alive so the id stays unique
            return hit
        return hit[0]

    def uses(self, node) -> set:
        return set() if node is None else self.names(node).loads

    def modified(self, node) -> set:
        return self.names(node).stores

    # -- liveness
    def live_block(self, stmts: list, live: set) -> set:
        for s in reversed(stmts):
            live = self.live_stmt(s, live)
        return live

    def live_stmt(self, s, live: set) -> set:
        if isinstance(s, ast.If):
            return self.uses(s.test) | self.live_block(s.body, live) | self.live_block(s.orelse, live)
        if isinstance(s, ast.While):
            return self.loop_head(s, live)
        if isinstance(s, (ast.For, ast.AsyncFor)):
            return self.uses(s.iter) | self.loop_head(s, live)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            ctx_uses, bound = set(), set()
            for item in s.items:
                ctx_uses |= self.uses(item.context_expr)
                if item.optional_vars is not None:
                    bound |= self.modified(item.optional_vars)
                    ctx_uses |= self.uses(item.optional_vars)
            return ctx_uses | (self.live_block(s.body, live) - bound)
        if isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            after = self.live_block(s.finalbody, live)
            handlers = set()
            for h in s.handlers:
                handlers |= self.uses(h.type) | (self.live_block(h.body, after) - ({h.name} if h.name else set()))
            body = self.live_block(s.body, self.live_block(s.orelse, after) | handlers)
            return body | handlers | after
        if isinstance(s, ast.Return):
            return self.uses(s.value)
        if isinstance(s, ast.Raise):
            return self.uses(s.exc) | self.uses(s.cause)
        if isinstance(s, ast.Match):
            return live | self.uses(s)
        n = self.names(s)
        return (live - n.stores) | n.loads

    def loop_head(self, s, live: set) -> set:
        """Names live at the top of each iteration of loop `s` (before its test or `next`)."""
        if isinstance(s, ast.While):
            base = live | self.uses(s.test) | self.live_block(s.orelse, live)
            target_stores, target_loads = set(), set()
        else:
            base = live | self.uses(getattr(s, "ag_extra_test", None)) | self.live_block(s.orelse, live)
            target_stores, target_loads = self.modified(s.target), self.uses(s.target)
        head = base
        while True:
            new = base | ((self.live_block(s.body, head) - target_stores) | target_loads)
            if new == head:
                return head
            head = new
