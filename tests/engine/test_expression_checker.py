"""The checker and SafeEnvironment: ordinary expressions work; refused constructs say what and where."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.context import CallContext, engine_call
from engine.errors import ExpressionFailed, UnsafeExpression
from engine.expressions import SAFE_HELPERS, SafeEnvironment, SafeScriptEngine, check_source
from engine.expressions.library import MAX_AST_DEPTH, MAX_SOURCE_CHARS, add_months, age_on, iso_duration, join


@pytest.fixture
def env() -> SafeEnvironment:
    return SafeEnvironment()


# -- allowed expressions give the right results ----------------------------------------------------
@pytest.mark.parametrize(("expression", "data", "expected"), [
    ("age >= 18", {"age": 18}, True),
    ("age >= 18", {"age": 17}, False),
    ("contract['type'] == 'laerekontrakt'", {"contract": {"type": "laerekontrakt"}}, True),
    ("contract.get('type', 'ukjent')", {"contract": {}}, "ukjent"),
    ("status in ('signed', 'approved') and not cancelled", {"status": "signed", "cancelled": False}, True),
    ("status not in ['draft']", {"status": "draft"}, False),
    ("'yes' if score > 3 else 'no'", {"score": 4}, "yes"),
    ("len([p for p in parties if p['signed']])", {"parties": [{"signed": True}, {"signed": False}]}, 1),
    ("{k: v * 2 for k, v in hours.items()}", {"hours": {"a": 1, "b": 2}}, {"a": 2, "b": 4}),
    ("sum(x * y for x in a for y in b)", {"a": [1, 2], "b": [10, 100]}, 330),
    ("sorted(names, key=len)[0].upper()", {"names": ["Kari", "Ola"]}, "OLA"),
    ("f'{name.title()} ({age})'", {"name": "kari nordmann", "age": 17}, "Kari Nordmann (17)"),
    ("f'{amount:.2f}'", {"amount": 12.5}, "12.50"),
    ("items[1:3] + [9]", {"items": [1, 2, 3, 4]}, [2, 3, 9]),
    ("2 ** 10 + 7 % 4 - 3 // 2", {}, 1026),
    ("'ab' * 3", {}, "ababab"),
    ("-x < 0 <= y", {"x": 1, "y": 0}, True),
    ("{**base, 'b': 2}", {"base": {"a": 1}}, {"a": 1, "b": 2}),
    ("max(hours) - min(hours)", {"hours": [3, 9, 4]}, 6),
    ("round(2.675, 1) + round(1234, -2)", {}, 1202.7),
    ("days_between(start, end)", {"start": "2026-08-01", "end": date(2026, 8, 15)}, 14),
    ("age_on(born, '2026-08-01') >= 18", {"born": "2008-08-02"}, False),
    ("add_days(signed, 14).isoformat()", {"signed": "2026-08-01"}, "2026-08-15"),
    ("add_months(date(2026, 1, 31), 1)", {}, date(2026, 2, 28)),
    ("parse_date('01.08.2026').weekday()", {}, 5),
    ("(deadline - timedelta(days=1)).day", {"deadline": date(2026, 8, 1)}, 31),
    ("iso_duration(days=days)", {"days": 14}, "P14D"),
    ("join(', ', [p.upper() for p in names])", {"names": ["a", "b"]}, "A, B"),
    ("list(range(3)) + [len(range(1, 10, 2))]", {}, [0, 1, 2, 5]),
])
def test_allowed_expression_gives_the_right_result(env, expression, data, expected):
    assert env.evaluate(expression, data) == expected


def test_external_context_is_visible_and_task_data_wins(env):
    assert env.evaluate("dmninputexpr > 3", {}, {"dmninputexpr": 5}) is True
    assert env.evaluate("x", {"x": 1}, {"x": 2}) == 1


def test_script_sets_several_variables_and_leaves_no_helpers_behind(env):
    data = {"parties": ["lærling", "bedrift"], "start": "2026-08-01"}
    env.execute(
        "count = len(parties)\n"
        "deadline = add_days(start, 14)\n"
        "labels = []\n"
        "for i, p in enumerate(parties):\n"
        "    if i == 0:\n"
        "        labels.append(p.upper())\n"
        "    elif p:\n"
        "        labels += [p]\n"
        "    else:\n"
        "        pass\n"
        "summary = {'n': count, 'first': labels[0]}\n"
        "summary['n'] += 1\n"
        "f = len\n",
        data,
    )
    assert data["count"] == 2 and data["deadline"] == date(2026, 8, 15)
    assert data["labels"] == ["LÆRLING", "bedrift"] and data["summary"] == {"n": 3, "first": "LÆRLING"}
    assert "f" not in data and "__builtins__" not in data and not set(SAFE_HELPERS) & set(data)
    assert not [k for k in data if k.startswith("_")]


def test_augmented_assignment_keeps_python_semantics(env):
    data = {"items": [1], "n": 2, "text": "ab"}
    alias = data["items"]
    env.execute("items += [2]\nitems *= 2\nn **= 3\nn <<= 1\ntext *= 2\nn %= 7", data)
    assert alias == [1, 2, 1, 2] and data["items"] is alias  # in place, as in Python
    assert data["n"] == 16 % 7 and data["text"] == "abab"


def test_a_loop_over_a_list_growing_in_its_body_stops(env):
    data = {"items": [1, 2, 3]}
    env.execute("for i in items:\n    items.append(i)", data)
    assert data["items"] == [1, 2, 3, 1, 2, 3]


def test_task_data_hiding_a_helper_is_refused_like_spiff_does(env):
    with pytest.raises(ValueError, match="overwrites a predefined function"):
        env.execute("x = 1", {"today": "monday"})


def test_extra_helpers_are_available_and_must_have_public_names():
    env = SafeEnvironment(helpers={"double": lambda v: v * 2})
    assert env.evaluate("double(21)", {}) == 42
    with pytest.raises(ValueError):
        SafeEnvironment(helpers={"_hidden": len})


# -- helpers ---------------------------------------------------------------------------------------
def test_now_and_today_follow_the_engine_call_clock():
    ctx = CallContext(session=None, now=datetime(2026, 7, 31, 22, 30, tzinfo=UTC), actor="t")
    with engine_call(ctx):
        assert SAFE_HELPERS["now"]() == datetime(2026, 7, 31, 22, 30, tzinfo=UTC)
        assert SAFE_HELPERS["today"]() == date(2026, 8, 1)  # 00:30 in Oslo
    assert SAFE_HELPERS["now"]().tzinfo is not None


def test_date_helpers_accept_dates_datetimes_and_text():
    assert add_months("2024-01-31", 1) == date(2024, 2, 29)
    assert add_months(datetime(2026, 12, 15, 9, tzinfo=UTC), 2) == datetime(2027, 2, 15, 9, tzinfo=UTC)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert age_on(date(2008, 8, 1), datetime(2026, 8, 1, tzinfo=UTC)) == 18
    assert age_on("2008-08-02", "2026-08-01") == 17
    assert iso_duration(weeks=2, hours=1) == "P14DT1H" and iso_duration() == "PT0S"
    assert SAFE_HELPERS["add_days"]("2026-08-01T10:00:00+02:00", 1) == \
        datetime(2026, 8, 2, 10, tzinfo=datetime.fromisoformat("2026-08-01T10:00:00+02:00").tzinfo)
    with pytest.raises(ExpressionFailed, match="not a date"):
        SAFE_HELPERS["parse_date"]("i morgen")
    with pytest.raises(ExpressionFailed):
        iso_duration(days=-1)


def test_join_checks_the_total_length_first():
    assert join("-", [1, 2, 3]) == "1-2-3"
    with pytest.raises(ExpressionFailed, match="limit is 100,000"):
        join("x" * 50_000, ["a", "b", "c"])


# -- refused constructs: a specific message naming the construct and the line ----------------------
@pytest.mark.parametrize(("source", "construct", "fragment"), [
    ("import os", "import", "'import' is not allowed"),
    ("from os import path", "import", "'import' is not allowed"),
    ("def f():\n    pass", "def", "'def' is not allowed"),
    ("f = lambda: 1", "lambda", "'lambda' is not allowed"),
    ("class A:\n    pass", "class", "'class' is not allowed"),
    ("while True:\n    pass", "while", "'while' is not allowed"),
    ("try:\n    x = 1\nexcept Exception:\n    pass", "try", "'try' is not allowed"),
    ("with x:\n    pass", "with", "'with' is not allowed"),
    ("raise ValueError('x')", "raise", "'raise' is not allowed"),
    ("global x", "global", "'global' is not allowed"),
    ("x = [(y := 1)]", ":=", "':=' is not allowed"),
    ("x = [i async for i in y]", "async for", "'async for' is not allowed"),
    ("x = y.__class__", "private attribute", "'.__class__' is not allowed"),
    ("x = y._secret", "private attribute", "'._secret' is not allowed"),
    ("x = __builtins__", "private name", "'__builtins__' is not allowed"),
    ("x = _g_mul(1, 2)", "private name", "'_g_mul' is not allowed"),
    ("x = eval('1')", "denied name", "'eval' is not available"),
    ("x = getattr(y, 'a')", "denied name", "'getattr' is not available"),
    ("x = type(y)", "denied name", "'type' is not available"),
    ("x = iter(int, 1)", "denied name", "'iter' is not available"),
    ("x = '{}'.format(y)", "attribute", "'.format' is not allowed (use an f-string)"),
    ("x = ', '.join(y)", "attribute", "use join(separator, items)"),
    ("x = y.ljust(10)", "attribute", "it can build huge text"),
    ("x = y.gi_frame", "attribute", "'.gi_frame' is not allowed"),
    ("x.year = 2026", "attribute", "assigning to or deleting attributes"),
    ("x = y()()", "call", "only named functions"),
    ("x = a @ b", "@", "'@' is not allowed"),
    ("x = '%s' % y", "operator '%'", "use an f-string"),
    ("x = f'{y:{w}}'", "format spec", "format specs"),
    ("x = f'{y:>1000}'", "format spec", "format specs"),
    ("x = [a for a in b for c in d for e in f]", "comprehension", "at most 2 'for' clauses"),
    ("x = [[[a for a in b] for c in d] for e in f]", "comprehension", "nested at most 2 deep"),
    ("for a in b:\n    for c in d:\n        for e in f:\n            for g in h:\n                pass",
     "loop nesting", "nested at most 3 deep"),
    ("x[f(1)] += 1", "augmented assignment", "plain name or subscript"),
    ("x = (", "syntax", "syntax error"),
    ("break", "syntax", "'break' outside loop"),
])
def test_refused_construct_names_itself_and_its_line(source, construct, fragment):
    script = "ok = 1\n" + source  # the refused construct starts on line 2
    with pytest.raises(UnsafeExpression) as caught:
        check_source(script, "exec")
    assert caught.value.details["construct"] == construct
    assert fragment in caught.value.message
    assert caught.value.line is not None and caught.value.line >= 2
    assert f"(line {caught.value.line})" in caught.value.message


def test_statements_are_refused_in_expressions():
    with pytest.raises(UnsafeExpression, match="syntax error"):
        check_source("x = 1", "eval")


def test_where_prefixes_the_message():
    with pytest.raises(UnsafeExpression, match=r"^gateway 'Adult\?': .*'import'"):
        check_source("import os", "exec", where="gateway 'Adult?'")


def test_size_and_nesting_limits():
    with pytest.raises(UnsafeExpression, match="too long") as caught:
        check_source("1 + " * (MAX_SOURCE_CHARS // 4) + "1")
    assert caught.value.details["construct"] == "size"
    with pytest.raises(UnsafeExpression, match="nested too deeply") as caught:
        check_source("[" * (MAX_AST_DEPTH + 5) + "]" * (MAX_AST_DEPTH + 5))
    assert caught.value.details["construct"] == "nesting"
    with pytest.raises(UnsafeExpression, match="too long"):
        check_source("x = [" + ", ".join(["1"] * 6000) + "]", "exec")
    assert check_source("[" * 20 + "]" * 20) is not None


def test_none_and_empty_sources():
    with pytest.raises(UnsafeExpression, match="no expression"):
        check_source(None)  # type: ignore[arg-type]
    with pytest.raises(UnsafeExpression, match="syntax error"):
        check_source("")
    assert check_source("", "exec") is not None


def test_eval_mode_ignores_leading_blanks_like_eval_does(env):
    assert env.evaluate("   age > 1", {"age": 2}) is True


def test_compiled_code_is_cached():
    assert check_source("a_cached_name + 1") is check_source("a_cached_name + 1")
    assert check_source("a_cached_name + 1") is not check_source("a_cached_name + 1", "exec")


def test_validate_raises_syntax_error_for_syntax_and_unsafe_expression_otherwise():
    engine = SafeScriptEngine()
    engine.validate("age < 18")
    with pytest.raises(SyntaxError) as caught:
        engine.validate("< 18")
    assert caught.value.lineno == 1
    with pytest.raises(UnsafeExpression):
        engine.validate("().__class__")


def test_runtime_limits_report_expression_failed(env):
    with pytest.raises(ExpressionFailed, match="range"):
        env.evaluate("range(n)", {"n": 10_001})
    with pytest.raises(ExpressionFailed, match="limit is 100,000"):
        env.evaluate("text * n", {"text": "ab", "n": 50_001})
    with pytest.raises(ExpressionFailed, match="f-string"):
        env.evaluate("pattern % value", {"pattern": "%s", "value": 1})
    with pytest.raises(ExpressionFailed, match="numbers or durations"):
        env.evaluate("sum(lists, [])", {"lists": [[1], [2]]})
    assert env.evaluate("sum(d, timedelta())", {"d": [timedelta(days=1)] * 2}) == timedelta(days=2)
