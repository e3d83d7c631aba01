"""The allowlist checker: parse, refuse what is not allowed, rewrite risky operators, compile, cache."""

from __future__ import annotations

import ast
import copy
import operator
from functools import lru_cache
from types import CodeType
from typing import Any, Literal

from ..errors import ExpressionFailed, UnsafeExpression
from . import library as lib

Mode = Literal["eval", "exec"]

_BINOP_GUARDS = {ast.Mult: "_g_mul", ast.Pow: "_g_pow", ast.LShift: "_g_lshift", ast.Add: "_g_add",
                 ast.Mod: "_g_mod"}
_AUG_GUARDS = {ast.Mult: "_g_imul", ast.Pow: "_g_pow", ast.LShift: "_g_lshift", ast.Add: "_g_iadd",
               ast.Mod: "_g_mod"}


class _Refused(Exception):
    def __init__(self, reason: str, node: ast.AST | None, construct: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.construct = reason, construct
        self.line = line if line is not None else getattr(node, "lineno", None)


def _measure(tree: ast.AST) -> None:
    """Refuse too many nodes or too deep a tree, without recursion (later passes recurse)."""
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > lib.MAX_AST_NODES:
            raise _Refused(f"the code is too long (over {lib.MAX_AST_NODES:,} parts)", node, "size")
        if depth > lib.MAX_AST_DEPTH:
            raise _Refused(f"the code is nested too deeply (over {lib.MAX_AST_DEPTH} levels)", node,
                           "nesting")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Checker(ast.NodeVisitor):
    """Walks a measured tree and raises _Refused at the first construct outside the allowlist."""

    def __init__(self) -> None:
        self.loops = 0
        self.comprehensions = 0
        self.folded: dict[int, Any] = {}
        self.line: int | None = None

    def visit(self, node: ast.AST) -> Any:
        self.line = getattr(node, "lineno", self.line)  # operators have no line: use their expression's
        return super().visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if type(node) not in lib.ALLOWED_NODES:
            name = type(node).__name__
            construct = lib.CONSTRUCTS.get(name, name)
            reason = f"'{construct}' is not allowed in expressions or scripts"
            raise _Refused(reason, node, construct, self.line)
        super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("_"):
            raise _Refused(f"the name '{node.id}' is not allowed: names starting with '_' are reserved",
                           node, "private name")
        if node.id in lib.DENIED_NAMES:
            raise _Refused(f"'{node.id}' is not available in expressions or scripts", node, "denied name")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.visit(node.value)  # report the innermost problem first: __import__('os').system
        if node.attr.startswith("_"):
            raise _Refused(f"the attribute '.{node.attr}' is not allowed: names starting with '_' are "
                           "reserved", node, "private attribute")
        if not isinstance(node.ctx, ast.Load):
            raise _Refused("assigning to or deleting attributes is not allowed", node, "attribute")
        if node.attr not in lib.ALLOWED_ATTRIBUTES:
            hint = f" ({lib.ATTRIBUTE_HINTS[node.attr]})" if node.attr in lib.ATTRIBUTE_HINTS else ""
            raise _Refused(f"the attribute '.{node.attr}' is not allowed{hint}", node, "attribute")

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        if not isinstance(node.func, (ast.Name, ast.Attribute)):
            raise _Refused("only named functions and methods can be called", node, "call")
        if isinstance(node.func, ast.Name) and node.func.id == "range" and not node.keywords:
            try:
                lib.safe_range(*[_fold(arg, self.folded) for arg in node.args])
            except ExpressionFailed as exc:
                raise _Refused(str(exc), node, "resource limit") from None
            except (_NotConstant, TypeError, ValueError):
                pass

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, (str, bytes)):
            raise _Refused("'%' formatting of text is not allowed; use an f-string", node, "operator '%'")
        self.generic_visit(node)
        try:
            _fold(node, self.folded)
        except ExpressionFailed as exc:
            raise _Refused(str(exc), node, "resource limit") from None
        except _NotConstant:
            pass

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if not isinstance(node.target, (ast.Name, ast.Subscript)) or \
                any(isinstance(n, ast.Call) for n in ast.walk(node.target)):
            raise _Refused("augmented assignment (+=, ...) needs a plain name or subscript target",
                           node, "augmented assignment")
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self.loops += 1
        if self.loops > lib.MAX_LOOP_NESTING:
            raise _Refused(f"'for' loops may be nested at most {lib.MAX_LOOP_NESTING} deep", node,
                           "loop nesting")
        self.generic_visit(node)
        self.loops -= 1

    def _comprehension(self, node: ast.AST) -> None:
        generators = node.generators  # type: ignore[attr-defined]
        if len(generators) > lib.MAX_COMPREHENSION_FORS:
            raise _Refused(f"a comprehension may have at most {lib.MAX_COMPREHENSION_FORS} 'for' clauses",
                           node, "comprehension")
        if any(g.is_async for g in generators):
            raise _Refused("'async for' is not allowed", node, "async for")
        self.comprehensions += 1
        if self.comprehensions > lib.MAX_COMPREHENSION_NESTING:
            raise _Refused(f"comprehensions may be nested at most {lib.MAX_COMPREHENSION_NESTING} deep",
                           node, "comprehension")
        self.generic_visit(node)
        self.comprehensions -= 1

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            text = "".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
            if len(parts) != 1 or not isinstance(parts[0], ast.Constant) or len(text) > lib.MAX_FORMAT_SPEC:
                raise _Refused(f"f-string format specs may only be short constants such as :.2f or :>5 (at "
                               f"most {lib.MAX_FORMAT_SPEC} characters)", node, "format spec")
        self.visit(node.value)


class _NotConstant(Exception):
    pass


class _Sized:
    """A constant text, list or tuple, folded by its length only (nothing is allocated)."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        if size > lib.MAX_SEQUENCE:
            raise lib.too_long(size)
        self.size = size


def _fold(node: ast.AST, memo: dict[int, Any]) -> Any:
    """Fold a constant subexpression (numbers by value, sequences by length) so limits show at deploy time."""
    if id(node) not in memo:
        try:
            memo[id(node)] = _fold_one(node, memo)
        except (TypeError, ValueError, ArithmeticError):
            raise _NotConstant from None
    return memo[id(node)]


def _fold_one(node: ast.AST, memo: dict[int, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return _Sized(len(node.value))
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in node.elts):
        return _Sized(len(node.elts))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_fold(node.operand, memo)
    if not isinstance(node, ast.BinOp):
        raise _NotConstant
    left, right = _fold(node.left, memo), _fold(node.right, memo)
    sized = [v for v in (left, right) if isinstance(v, _Sized)]
    if isinstance(node.op, ast.Add) and len(sized) == 2:
        return _Sized(left.size + right.size)
    if isinstance(node.op, ast.Mult) and len(sized) == 1:
        count = right if sized[0] is left else left
        return _Sized(sized[0].size * max(count, 0))
    if sized:
        raise _NotConstant
    for op, check, apply in _NUMERIC:
        if isinstance(node.op, op):
            check(left, right)
            return apply(left, right)
    raise _NotConstant


_NUMERIC = ((ast.Mult, lib.check_mul, operator.mul), (ast.Pow, lib.check_pow, operator.pow),
            (ast.LShift, lib.check_lshift, operator.lshift), (ast.Add, lambda a, b: None, operator.add),
            (ast.Sub, lambda a, b: None, operator.sub))


class _Rewriter(ast.NodeTransformer):
    """Replaces risky operators, loop iterables and calls by calls to the guards in library.GUARDS."""

    @staticmethod
    def _guard(name: str, node: ast.AST, args: list[ast.expr], keywords: list[ast.keyword] | None = None
               ) -> ast.Call:
        call = ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=args, keywords=keywords or [])
        return ast.copy_location(call, node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None or (guard == "_g_add" and (_is_number(node.left) or _is_number(node.right))):
            return node
        return self._guard(guard, node, [node.left, node.right])

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        guard = _AUG_GUARDS.get(type(node.op))
        if guard is None:
            return node
        current = copy.deepcopy(node.target)
        current.ctx = ast.Load()
        value = self._guard(guard, node, [current, node.value])
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)

    def _loop(self, node: ast.For | ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.iter = self._guard("_g_iter", node.iter, [node.iter])
        return node

    visit_For = visit_comprehension = _loop

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute):
            name = ast.copy_location(ast.Constant(value=node.func.attr), node)
            return self._guard("_g_call", node, [node.func.value, name, *node.args], node.keywords)
        return self._guard("_g_size", node, [node])

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load) and isinstance(node.slice, ast.Slice):
            return self._guard("_g_size", node, [node])
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            test = self._guard("_g_in", node, [node.left, node.comparators[0]])
            if isinstance(node.ops[0], ast.NotIn):
                return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=test), node)
            return test
        return node

    def _display(self, node: ast.AST) -> ast.AST:
        self.generic_visit(node)
        unpacks = any(isinstance(e, ast.Starred) for e in getattr(node, "elts", ())) \
            or None in getattr(node, "keys", ())
        if unpacks and isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            return self._guard("_g_size", node, [node])  # [*a], {**d} copy: count what they build
        return node

    visit_List = visit_Tuple = visit_Set = visit_Dict = _display

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.generic_visit(node)
        return self._guard("_g_size", node, [node])

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node.value = self.visit(node.value)  # the format spec is a constant; leave it alone
        return node


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


@lru_cache(maxsize=1024)
def _compile(source: str, mode: Mode) -> CodeType:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise _Refused(f"syntax error: {exc.msg}", None, "syntax", exc.lineno) from None
    except (MemoryError, RecursionError):
        raise _Refused("the code is nested too deeply or too complex to read", None, "nesting") from None
    except ValueError as exc:
        raise _Refused(f"syntax error: {exc}", None, "syntax") from None
    _measure(tree)
    _Checker().visit(tree)
    tree = ast.fix_missing_locations(_Rewriter().visit(tree))
    try:
        return compile(tree, "<string>", mode)
    except SyntaxError as exc:
        raise _Refused(f"syntax error: {exc.msg}", None, "syntax", exc.lineno) from None


def check_source(source: str, mode: Mode = "eval", where: str = "") -> CodeType:
    """Check `source` against the allowlist and return guarded code; raise UnsafeExpression if refused."""
    prefix = f"{where}: " if where else ""
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if not isinstance(source, str):
        raise UnsafeExpression(f"{prefix}no expression or script was given", line=None, construct="empty",
                               reason="no expression or script was given")
    if len(source) > lib.MAX_SOURCE_CHARS:
        reason = f"the code is too long ({len(source):,} characters; the limit is {lib.MAX_SOURCE_CHARS:,})"
        raise UnsafeExpression(f"{prefix}{reason}", line=None, construct="size", reason=reason)
    if mode == "eval":
        source = source.lstrip(" \t")  # as eval() itself does
    try:
        return _compile(source, mode)
    except _Refused as refused:
        line = refused.line
        where_line = f" (line {line})" if line else ""
        raise UnsafeExpression(f"{prefix}{refused.reason}{where_line}", line=line,
                               construct=refused.construct, reason=refused.reason) from None

