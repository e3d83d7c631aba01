"""Limits and allowlists, the work budget and size checks, and the safe builtins and helpers."""

from __future__ import annotations

import ast
import math
import re
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..context import current_call
from ..errors import ExpressionFailed

# -- limits (see the report / architecture notes) --------------------------------------------------
MAX_SOURCE_CHARS = 20_000       # longest script or expression accepted
MAX_AST_NODES = 5_000           # syntax-tree nodes in one source
MAX_AST_DEPTH = 100             # syntax-tree nesting depth
MAX_COMPREHENSION_FORS = 2      # `for` clauses in one comprehension
MAX_COMPREHENSION_NESTING = 2   # comprehensions inside comprehensions
MAX_LOOP_NESTING = 3            # `for` statements inside `for` statements
MAX_FORMAT_SPEC = 3             # f"{x:.2f}" is fine, f"{x:>100000}" is not
MAX_SEQUENCE = 100_000          # items or characters one operation may build
MAX_INT_BITS = 10_000           # about 3,000 decimal digits
MAX_RANGE = 10_000              # numbers in one range()
MAX_WORK = 1_000_000            # loop steps plus items built, per evaluation or script run

ALLOWED_ATTRIBUTES = frozenset({
    # date, datetime, timedelta
    "year", "month", "day", "hour", "minute", "second", "microsecond", "weekday", "isoweekday",
    "isoformat", "isocalendar", "date", "time", "days", "seconds", "total_seconds",
    # dict
    "get", "keys", "values", "items", "pop", "copy", "update", "setdefault", "clear",
    # list
    "append", "extend", "insert", "remove", "index", "count", "sort", "reverse",
    # set
    "add", "discard", "union", "intersection", "difference", "issubset", "issuperset",
    # str (nothing that pads, repeats, joins, replaces or formats)
    "lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "casefold", "startswith",
    "endswith", "split", "rsplit", "splitlines", "find", "isdigit", "isalpha", "isalnum", "isspace",
})

DENIED_NAMES = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr", "globals", "locals",
    "vars", "dir", "type", "object", "breakpoint", "input", "help", "memoryview", "bytearray", "super",
    "classmethod", "staticmethod", "property", "exit", "quit", "print", "iter", "next", "format",
    "callable", "id", "isinstance", "issubclass", "map", "filter", "aiter", "anext", "license",
    "copyright", "credits", "reload", "import_module", "os", "sys", "subprocess", "builtins",
})

ALLOWED_NODES = frozenset({
    ast.Expression, ast.Module, ast.Assign, ast.AugAssign, ast.For, ast.If, ast.Pass, ast.Break,
    ast.Continue, ast.Expr, ast.Delete, ast.Assert, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp,
    ast.Dict, ast.Set, ast.List, ast.Tuple, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.Compare, ast.Call, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice, ast.Starred, ast.Name,
    ast.JoinedStr, ast.FormattedValue, ast.comprehension, ast.keyword, ast.Load, ast.Store, ast.Del,
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift,
    ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.UAdd, ast.USub, ast.Not, ast.Invert, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
})

CONSTRUCTS: dict[str, str] = {
    "Import": "import", "ImportFrom": "import", "FunctionDef": "def", "AsyncFunctionDef": "def",
    "Lambda": "lambda", "ClassDef": "class", "While": "while", "Try": "try", "TryStar": "try",
    "With": "with", "AsyncWith": "with", "Raise": "raise", "Global": "global", "Nonlocal": "nonlocal",
    "Yield": "yield", "YieldFrom": "yield", "Await": "await", "AsyncFor": "async for", "Return": "return",
    "NamedExpr": ":=", "Match": "match", "AnnAssign": "annotated assignment", "MatMult": "@",
}

ATTRIBUTE_HINTS = {
    "format": "use an f-string", "format_map": "use an f-string", "join": "use join(separator, items)",
    **dict.fromkeys(("replace", "ljust", "rjust", "center", "zfill", "expandtabs"), "it can build huge text"),
}

_SEQUENCES = (str, bytes, list, tuple)
MEASURED = (str, bytes, list, tuple, dict, set, frozenset)
IMMUTABLE_OR_GUARDED = (str, bytes, tuple, range, dict, set, frozenset,
                         type({}.keys()), type({}.values()), type({}.items()))
GROWING_METHODS = frozenset({"extend", "update"})
SCANNING_METHODS = frozenset({"count", "index", "find", "remove", "issubset", "issuperset", "union",
                               "intersection", "difference", "startswith", "endswith"})
SCANNED = _SEQUENCES  # containers whose `in`, .count(), .index() ... walk every item


# -- the work budget --------------------------------------------------------------------------------
class _Budget:
    __slots__ = ("left",)

    def __init__(self, units: int) -> None:
        self.left = units


_budget: ContextVar[_Budget | None] = ContextVar("fagflyt_expression_budget", default=None)


def _over_budget() -> ExpressionFailed:
    return ExpressionFailed(f"the expression did too much work (more than {MAX_WORK:,} loop steps and "
                            "items built); simplify it or move the logic to a service task")


@contextmanager
def metered(units: int = MAX_WORK) -> Iterator[None]:
    """Give the code run inside the block a fresh work budget of `units`."""
    token = _budget.set(_Budget(units))
    try:
        yield
    finally:
        _budget.reset(token)


def spend(units: int) -> None:
    """Take `units` from the running evaluation's work budget (no-op outside SafeEnvironment)."""
    budget = _budget.get()
    if budget is not None:
        budget.left -= units
        if budget.left < 0:
            raise _over_budget()


def too_long(size: int) -> ExpressionFailed:
    """The error for a result longer than MAX_SEQUENCE."""
    return ExpressionFailed(f"the result would have {size:,} items or characters; the limit is "
                            f"{MAX_SEQUENCE:,}")


def _check_bits(bits: float) -> None:
    if bits > MAX_INT_BITS:
        raise ExpressionFailed(f"the number would have about {int(bits):,} bits; the limit is "
                               f"{MAX_INT_BITS:,}")


def _repeat_size(a: Any, b: Any) -> int | None:
    if isinstance(a, _SEQUENCES) and isinstance(b, int):
        size = len(a) * max(b, 0)
    elif isinstance(b, _SEQUENCES) and isinstance(a, int):
        size = len(b) * max(a, 0)
    else:
        return None
    if size > MAX_SEQUENCE:
        raise too_long(size)
    return size


# -- size checks shared by the guards (environment.py) and constant folding (checker.py) --------------
def check_mul(a: Any, b: Any) -> None:
    """Refuse `a * b` before it allocates too long a sequence or too large a number; count what it builds."""
    if isinstance(a, int) and isinstance(b, int):
        _check_bits(a.bit_length() + b.bit_length())
    elif (size := _repeat_size(a, b)) is not None:
        spend(size)


def check_pow(a: Any, b: Any) -> None:
    """Refuse `a ** b` when an integer result would exceed MAX_INT_BITS."""
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _check_bits(b if b > MAX_INT_BITS else b * math.log2(abs(a)))


def check_lshift(a: Any, b: Any) -> None:
    """Refuse `a << b` when the result would exceed MAX_INT_BITS."""
    if isinstance(a, int) and isinstance(b, int) and a and b > 0:
        _check_bits(a.bit_length() + b)


def check_add(a: Any, b: Any) -> None:
    """Refuse `a + b` (or `a += b`) building too long a sequence; count what it builds."""
    grows = isinstance(b, _SEQUENCES) or isinstance(a, list) and hasattr(b, "__len__")  # list += any sized
    if isinstance(a, _SEQUENCES) and grows:
        size = len(a) + len(b)
        if size > MAX_SEQUENCE:
            raise too_long(size)
        spend(size)


# -- safe builtins ----------------------------------------------------------------------------------
def safe_range(*args: int) -> range:
    """range() refused above MAX_RANGE numbers."""
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:
        size = MAX_RANGE + 1
    if size > MAX_RANGE:
        raise ExpressionFailed(f"range() would give more than {MAX_RANGE:,} numbers")
    return numbers


def safe_sum(values: Iterable[Any], start: Any = 0) -> Any:
    """sum() of numbers or durations (a list or text start could build huge values)."""
    if not isinstance(start, (int, float, Decimal, timedelta)):
        raise ExpressionFailed("sum() adds numbers or durations only")
    return sum(values, start)


def safe_round(number: Any, ndigits: int | None = None) -> Any:
    """round() with at most 30 digits either way (round(5, -10**7) alone takes seconds)."""
    if ndigits is not None and isinstance(ndigits, int) and abs(ndigits) > 30:
        raise ExpressionFailed("round() takes at most 30 digits")
    return round(number, ndigits)


def _scanning(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a builtin that walks its one argument, so the walk counts as work."""
    def scan(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and hasattr(args[0], "__len__"):
            spend(len(args[0]))
        return fn(*args, **kwargs)
    scan.__name__ = scan.__qualname__ = fn.__name__
    scan.__doc__ = fn.__doc__
    return scan


SAFE_BUILTINS: dict[str, Any] = {
    "len": len, "min": _scanning(min), "max": _scanning(max), "sum": _scanning(safe_sum), "abs": abs,
    "round": safe_round, "sorted": _scanning(sorted), "any": _scanning(any), "all": _scanning(all),
    "int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict, "set": set,
    "tuple": tuple, "enumerate": enumerate, "zip": zip, "range": safe_range, "reversed": reversed,
}


# -- helpers ----------------------------------------------------------------------------------------
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # pragma: no cover - only without a tz database
        return UTC


LOCAL_TZ = _zone("Europe/Oslo")
_NORWEGIAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def now() -> datetime:
    """The time of the engine call (CallContext.now) or the wall clock, timezone-aware in UTC."""
    call = current_call()
    moment = call.now if call is not None and call.now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def today() -> date:
    """Today's date as the office sees it (Europe/Oslo) at now()."""
    return now().astimezone(LOCAL_TZ).date()


def _moment(value: Any) -> date | datetime:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if (match := _NORWEGIAN_DATE.fullmatch(text)) is not None:
            return date(int(match[3]), int(match[2]), int(match[1]))
        try:
            return date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
        except ValueError:
            pass
    raise ExpressionFailed(f"not a date: {str(value)[:40]!r}")


def parse_date(value: Any) -> date:
    """A date from a date, a datetime or text ("2026-08-01", "2026-08-01T10:00+02:00", "01.08.2026")."""
    moment = _moment(value)
    return moment.date() if isinstance(moment, datetime) else moment


def add_days(value: Any, days: int | float) -> date | datetime:
    """The date (or datetime) `days` days after `value` (before it when negative)."""
    return _moment(value) + timedelta(days=days)


def add_months(value: Any, months: int) -> date | datetime:
    """The date (or datetime) `months` calendar months after `value`; the 31st may become e.g. the 30th."""
    moment = _moment(value)
    index = moment.month - 1 + int(months)
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def iso_duration(*, years: int = 0, months: int = 0, weeks: int = 0, days: int = 0, hours: int = 0,
                 minutes: int = 0, seconds: int = 0) -> str:
    """An ISO-8601 duration for timers, e.g. iso_duration(days=14) == "P14D"."""
    parts = {"Y": years, "M": months, "D": days + 7 * weeks, "h": hours, "m": minutes, "s": seconds}
    if any(not isinstance(v, int) or v < 0 for v in parts.values()):
        raise ExpressionFailed("iso_duration() takes whole, non-negative numbers")
    day_part = "".join(f"{v}{u}" for u, v in list(parts.items())[:3] if v)
    time_part = "".join(f"{v}{u.upper()}" for u, v in list(parts.items())[3:] if v)
    if not day_part and not time_part:
        return "PT0S"
    return f"P{day_part}" + (f"T{time_part}" if time_part else "")


def age_on(birth_date: Any, on_date: Any = None) -> int:
    """Age in whole years on `on_date` (default: today())."""
    born = parse_date(birth_date)
    on = parse_date(on_date) if on_date is not None else today()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def days_between(start: Any, end: Any) -> int:
    """Whole days from `start` to `end` (negative when `end` is earlier)."""
    return (parse_date(end) - parse_date(start)).days


def join(separator: str, items: Iterable[Any]) -> str:
    """separator.join(str(item) ...) refused when the text would exceed MAX_SEQUENCE characters."""
    parts = [str(item) for item in items]
    spend(len(parts))
    size = sum(map(len, parts)) + len(str(separator)) * max(len(parts) - 1, 0)
    if size > MAX_SEQUENCE:
        raise too_long(size)
    spend(size)
    return str(separator).join(parts)


SAFE_HELPERS: dict[str, Callable[..., Any]] = {
    "date": date, "datetime": datetime, "timedelta": timedelta, "now": now, "today": today,
    "parse_date": parse_date, "add_days": add_days, "add_months": add_months,
    "iso_duration": iso_duration, "age_on": age_on, "days_between": days_between, "join": join,
}
