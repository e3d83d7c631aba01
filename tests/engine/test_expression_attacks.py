"""Attacks on the expression language: each is refused with a clear message and nothing runs."""

from __future__ import annotations

import time

import pytest

from engine.errors import EngineError, ExpressionFailed, UnsafeExpression
from engine.expressions import SafeEnvironment, check_source

SENTINEL_CALLS: list[str] = []


def _sentinel(label: str = "ran") -> bool:
    """A helper the attacks call first: if it ever runs, the attack was executed."""
    SENTINEL_CALLS.append(label)
    return True


@pytest.fixture
def expr_env() -> SafeEnvironment:
    SENTINEL_CALLS.clear()
    return SafeEnvironment(helpers={"sentinel": _sentinel})


def _run(env: SafeEnvironment, source: str, data: dict | None = None, mode: str = "eval") -> object:
    if mode == "eval":
        return env.evaluate(source, data or {})
    return env.execute(source, data if data is not None else {})


# Each attack starts with sentinel() so that running any part of it would be visible.
REFUSED_AT_CHECK = [
    ("sentinel() and __import__('os').system('touch {f}')", "'__import__' is not allowed"),
    ("sentinel() and open('/etc/passwd').read()", "'open' is not available"),
    ("sentinel() and ().__class__.__base__.__subclasses__()", "'.__class__' is not allowed"),
    ("[sentinel() for c in ().__class__.__bases__[0].__subclasses__()]", "'.__class__' is not allowed"),
    ("sentinel() and getattr(x, '__class__')", "'getattr' is not available"),
    ("sentinel() and '{0.__class__}'.format(x)", "'.format' is not allowed"),
    ("sentinel() and f'{x.__class__}'", "'.__class__' is not allowed"),
    ("sentinel() and type(x)", "'type' is not available"),
    ("sentinel() and (lambda: 1)()", "'lambda' is not allowed"),
    ("sentinel() and (lambda: 0).__globals__", "'lambda' is not allowed"),
    ("sentinel() and exec('1')", "'exec' is not available"),
    ("sentinel() and eval('1')", "'eval' is not available"),
    ("sentinel() and compile('1', 'x', 'eval')", "'compile' is not available"),
    ("sentinel() and globals()", "'globals' is not available"),
    ("sentinel() and vars()", "'vars' is not available"),
    ("sentinel() and x.format_map({})", "'.format_map' is not allowed"),
    ("sentinel() and (i for i in x).gi_frame.f_globals", "'.gi_frame' is not allowed"),
    ("sentinel() and (i for i in x).gi_code", "'.gi_code' is not allowed"),
    ("sentinel() and ''.join(['x'] * 100000)", "'.join' is not allowed"),
    ("sentinel() and str.join('x' * 99999, 'y' * 99999)", "'.join' is not allowed"),
    ("sentinel() and x.replace('', 'y' * 99999)", "'.replace' is not allowed"),
    ("sentinel() and 10**10**10", "the number would have about"),
    ("sentinel() and 2**10**8", "the number would have about"),
    ("sentinel() and 1 << 10**9", "the number would have about"),
    ("sentinel() and 'a'*10**9", "limit is 100,000"),
    ("sentinel() and [1]*10**9", "limit is 100,000"),
    ("sentinel() and 'x'*100000 * 100000", "limit is 100,000"),
    ("sentinel() and (1, 2) * 10**8", "limit is 100,000"),
    ("sentinel() and [[i for i in range(10**6)] for j in range(10**6)]", "range() would give more than"),
    ("sentinel() and range(10**9)", "range() would give more than"),
    ("sentinel() and '%1000000000d' % 1", "use an f-string"),
    ("sentinel() and f'{x:>1000000000}'", "format specs"),
    ("sentinel() and breakpoint()", "'breakpoint' is not available"),
    ("sentinel() and __builtins__['open']", "'__builtins__' is not allowed"),
    ("sentinel() and _g_call(x, '__class__')", "'_g_call' is not allowed"),
    ("sentinel() and x._g_call", "'._g_call' is not allowed"),
]


@pytest.mark.parametrize(("attack", "message"), REFUSED_AT_CHECK)
def test_attack_is_refused_before_anything_runs(expr_env, tmp_path, attack, message):
    flag = tmp_path / "pwned"
    source = attack.replace("{f}", str(flag))
    for mode in ("eval", "exec"):
        with pytest.raises(UnsafeExpression) as caught:
            _run(expr_env, source if mode == "eval" else f"result = {source}", {"x": "abc"}, mode)
        assert message in caught.value.message
    assert SENTINEL_CALLS == [] and not flag.exists()


@pytest.mark.parametrize("script", [
    "import os\nos.system('touch {f}')",
    "sentinel()\nwhile True:\n    pass",
    "sentinel()\nfrom subprocess import run",
    "sentinel()\ntry:\n    x = 1\nexcept:\n    pass",
    "sentinel()\ndef f():\n    return 1",
    "sentinel()\nclass A:\n    pass",
    "sentinel()\nglobal x",
    "sentinel()\nx = 1\nx.__class__ = 2",
])
def test_script_attacks_are_refused_whole(expr_env, tmp_path, script):
    flag = tmp_path / "pwned"
    with pytest.raises(UnsafeExpression):
        _run(expr_env, script.replace("{f}", str(flag)), {}, "exec")
    assert SENTINEL_CALLS == [] and not flag.exists()


def test_deep_nesting_is_refused():
    for source in ["(" * 500 + "1" + ")" * 500, "[" * 500 + "]" * 500, "-" * 19_000 + "1",
                   "1" + "+1" * 6_000, "not " * 3_000 + "x", "[" * 150 + "]" * 150]:
        with pytest.raises(UnsafeExpression) as caught:
            check_source(source)
        assert caught.value.details["construct"] in ("nesting", "size", "syntax")


def test_dunder_keys_in_task_data_do_not_leak_builtins(expr_env):
    data = {"__builtins__": {"open": open, "__import__": __import__}, "_g_mul": lambda a, b: "pwned", "x": 3}
    assert expr_env.evaluate("x * 2", data) == 6
    real_builtins = __builtins__ if isinstance(__builtins__, dict) else vars(__builtins__)
    with pytest.raises(NameError):  # chr is a real builtin, but not one of the safe ones
        expr_env.evaluate("chr(65)", {"__builtins__": real_builtins})
    with pytest.raises(NameError):
        expr_env.evaluate("sorted(x, key=chr)", {"x": [1], "__builtins__": {"chr": chr}})
    data = {"__builtins__": {"open": open}, "x": 3}
    expr_env.execute("y = x * 2", data)
    assert data == {"x": 3, "y": 6}


def test_builtins_are_only_the_safe_ones(expr_env):
    for name in ("open", "__import__", "print", "input", "exit", "memoryview", "bytearray", "super"):
        with pytest.raises((NameError, UnsafeExpression)):
            expr_env.evaluate(name, {})


@pytest.mark.parametrize(("source", "data"), [
    ("text * n", {"text": "x", "n": 10**9}),
    ("items * n", {"items": [1], "n": 10**9}),
    ("n ** m", {"n": 10, "m": 10**8}),
    ("n << m", {"n": 1, "m": 10**9}),
    ("range(n)", {"n": 10**9}),
    ("[[i for i in range(n)] for j in range(n)]", {"n": 10_000}),
    ("[x[:] for i in range(10000)]", {"x": list(range(10_000))}),
    ("[x.copy() for i in range(10000)]", {"x": list(range(10_000))}),
    ("[[*x] for i in range(10000)]", {"x": list(range(10_000))}),
    ("[f'{x}' for i in range(10000)]", {"x": "y" * 10_000}),
    ("[v in x for v in x]", {"x": list(range(10_000))}),
    ("[max(x) for i in range(10000)]", {"x": list(range(10_000))}),
    ("join(s, x)", {"s": "-" * 1000, "x": list(range(1000))}),
    ("sum(x, [])", {"x": [[1]] * 1000}),
    ("round(5, -n)", {"n": 10**7}),
])
def test_resource_attacks_with_data_fail_fast_without_allocating(expr_env, source, data):
    started = time.perf_counter()
    with pytest.raises(ExpressionFailed):
        expr_env.evaluate(source, data)
    assert time.perf_counter() - started < 2.0


def test_doubling_in_a_loop_is_stopped(expr_env):
    with pytest.raises(ExpressionFailed):
        expr_env.execute("s = 'x'\nfor i in range(100):\n    s = s + s", {})
    with pytest.raises(ExpressionFailed):
        expr_env.execute("s = [1]\nfor i in range(100):\n    s.extend(s)", {})
    with pytest.raises(ExpressionFailed):
        expr_env.execute("n = 3\nfor i in range(100):\n    n = n * n", {})


def test_nested_loops_run_out_of_work_budget(expr_env):
    started = time.perf_counter()
    with pytest.raises(ExpressionFailed, match="too much work"):
        expr_env.execute("t = 0\nfor a in range(10000):\n    for b in range(10000):\n        t += 1", {})
    assert time.perf_counter() - started < 2.0


def test_refusals_are_engine_errors_with_a_user_message():
    with pytest.raises(EngineError) as caught:
        check_source("open('/etc/passwd')")
    assert caught.value.to_dict()["error"] == "unsafe_expression"
    assert caught.value.to_dict()["line"] == 1
