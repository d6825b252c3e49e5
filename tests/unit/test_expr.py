"""The derived-tag expression language: what it computes, and everything it refuses."""

from __future__ import annotations

import builtins
import math
from types import MappingProxyType

import pytest

from hmi.core.expr import MAX_DEPTH, MAX_LENGTH, ExprError, ExprRuntimeError, compile_expr


def evaluate(text: str, **values: object) -> object:
    return compile_expr(text).evaluate(values)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("1 + 2 * 3", {}, 7),
        ("(1 + 2) * 3", {}, 9),
        ("7 // 2 + 7 % 2", {}, 4),
        ("2 ** 10", {}, 1024),
        ("-a + +b", {"a": 2, "b": 5}, 3),
        ("a / b", {"a": 1, "b": 4}, 0.25),
        ("a * 2 + b / 4 - c", {"a": 3, "b": 8, "c": 1}, 7.0),
        ("1.5e3", {}, 1500.0),
        ("'OK' if a else 'NOK'", {"a": True}, "OK"),
        ("'OK' if a else 'NOK'", {"a": 0}, "NOK"),
        ("unit + '/min'", {"unit": "parts"}, "parts/min"),
        ("state == 'RUN'", {"state": "RUN"}, True),
        ("a < b < c", {"a": 1, "b": 2, "c": 3}, True),
        ("a < b < c", {"a": 1, "b": 5, "c": 3}, False),
        ("0 <= a <= 10 != a", {"a": 10}, False),
        ("a >= 1 and b", {"a": 1, "b": 0}, 0),
        ("a or b or c", {"a": 0, "b": "", "c": 7}, 7),
        ("a and b and c", {"a": 1, "b": 2, "c": 3}, 3),
        ("not a", {"a": 0}, True),
        ("True and not False", {}, True),
        ("abs(a)", {"a": -3}, 3),
        ("min(a, b, 4)", {"a": 5, "b": 6}, 4),
        ("max(a, 0.1)", {"a": 0}, 0.1),
        ("round(a)", {"a": 2.6}, 3),
        ("round(a, 1)", {"a": 2.66}, 2.7),
        ("sqrt(a)", {"a": 16}, 4.0),
        ("exp(0) + log(1) + log10(100)", {}, 3.0),
        ("log(a, 2)", {"a": 8}, 3.0),
        ("floor(a) + ceil(a)", {"a": 1.5}, 3),
        ("clamp(a, 0, 100)", {"a": 150}, 100),
        ("clamp(a, 0, 100)", {"a": -5}, 0),
        ("clamp(a, 0, 100)", {"a": 42}, 42),
        ("int(a) + float(b)", {"a": 2.9, "b": "1.5"}, 3.5),
        ("bool(a)", {"a": 0}, False),
        ("bit(a, 3)", {"a": 0b1000}, True),
        ("bit(a, 2)", {"a": 0b1000}, False),
        ("bit(a, 15)", {"a": -1}, True),
    ],
)
def test_computes_like_python(text: str, values: dict, expected: object) -> None:
    result = compile_expr(text).evaluate(values)
    assert result == expected
    assert type(result) is type(expected)


def test_trigonometry() -> None:
    assert evaluate("sin(a) ** 2 + cos(a) ** 2", a=0.7) == pytest.approx(1.0)
    assert evaluate("tan(a)", a=math.pi / 4) == pytest.approx(1.0)


def test_dotted_names_are_one_tag_each() -> None:
    expression = compile_expr("line1.ram_speed / max(line1.ram_speed_sp, 0.1) * 100")
    assert expression.names == frozenset({"line1.ram_speed", "line1.ram_speed_sp"})
    values = {"line1.ram_speed": 5.0, "line1.ram_speed_sp": 10.0}
    assert expression.evaluate(values) == 50.0
    assert expression.evaluate({"line1.ram_speed": 5.0, "line1.ram_speed_sp": 0}) == 5000.0


def test_names_lists_every_tag_once_and_no_functions() -> None:
    expression = compile_expr("a + a * plant.line1.b if bit(c, 1) else min(a, d)")
    assert expression.names == frozenset({"a", "plant.line1.b", "c", "d"})
    assert compile_expr("1 + 2").names == frozenset()


def test_reads_any_mapping() -> None:
    assert compile_expr("a + b").evaluate(MappingProxyType({"a": 1, "b": 2})) == 3


def test_short_circuit_skips_the_failing_side() -> None:
    guard = compile_expr("a != 0 and b / a > 1")
    assert guard.evaluate({"a": 0, "b": 5}) is False
    assert compile_expr("b / a if a else 0").evaluate({"a": 0, "b": 5}) == 0


def test_constant_parts_are_folded_but_still_correct() -> None:
    assert compile_expr("2 * 3 + a").evaluate({"a": 1}) == 7
    assert compile_expr("max(1, 2) if 1 < 2 < 3 else a").evaluate({}) == 2


def test_multiline_text_is_one_expression() -> None:
    expression = compile_expr("a +\n  b *\n  2")
    assert expression.evaluate({"a": 1, "b": 2}) == 5


def test_user_text_is_never_handed_to_eval_or_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec used")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    assert compile_expr("clamp(a * 2, 0, 10) if a > 1 else -a").evaluate({"a": 3}) == 6


@pytest.mark.parametrize(
    ("text", "phrase", "column"),
    [
        ("open('x')", "unknown function 'open'", 1),
        ("__import__('os')", "unknown function '__import__'", 1),
        ("a + sqr(b)", "unknown function 'sqr' at column 5: did you mean 'sqrt'?", 5),
        ("os.system('ls')", "unknown function 'os.system'", 1),
        ("import os", "syntax error", 1),
        ("a +", "syntax error at column 4: the expression is incomplete", 4),
        ("a + * b", "syntax error", 5),
        ("max(a,", "'(' was never closed", 4),
        ("a = 1", "syntax error", 3),
        ("a.__class__", "name 'a.__class__' is not allowed", 1),
        ("__builtins__", "name '__builtins__' is not allowed", 1),
        ("(a + b).real", "attribute access is not allowed", 2),
        ("'x'.upper()", "attribute access is not allowed", 1),
        ("lambda: 1", "lambda is not allowed", 1),
        ("[x for x in a]", "a comprehension is not allowed", 1),
        ("sum(x for x in a)", "unknown function 'sum'", 1),
        ("a[0]", "indexing is not allowed", 1),
        ("[1, 2]", "a list is not allowed", 1),
        ("{'a': 1}", "a dict is not allowed", 1),
        ("f'{a}'", "an f-string is not allowed", 1),
        ("(a := 1)", "assignment (:=) is not allowed", 2),
        ("a & 1", "operator '&' is not allowed; use bit(x, n)", 1),
        ("~a", "operator '~' is not allowed", 1),
        ("a in b", "operator 'in' is not allowed", 1),
        ("a is None", "operator 'is' is not allowed", 1),
        ("None", "None is not allowed", 1),
        ("1j", "an imaginary number is not allowed", 1),
        ("b'x'", "a bytes literal is not allowed", 1),
        ("abs", "'abs' is a function; call it like abs(x)", 1),
        ("abs(a, b)", "abs() takes 1 argument, got 2", 1),
        ("min(a)", "min() takes at least 2 arguments, got 1", 1),
        ("clamp(a, 0)", "clamp() takes 3 arguments, got 2", 1),
        ("round(a, b, c)", "round() takes 1 or 2 arguments, got 3", 1),
        ("round(a, ndigits=2)", "round() takes no keyword arguments", 10),
        ("1 / 0", "division by zero", 1),
        ("2 ** 100000", "is too large", 1),
        ("sqrt(-1)", "sqrt(-1) is undefined", 1),
        ('"°C" + open(1)', "unknown function 'open'", 8),
        ("1if a else 2", "syntax error at column 1: invalid decimal literal", 1),
    ],
)
def test_refuses_with_a_precise_message(text: str, phrase: str, column: int) -> None:
    with pytest.raises(ExprError) as caught:
        compile_expr(text)
    assert phrase in str(caught.value)
    assert caught.value.column == column
    assert f"at column {column}" in str(caught.value)


def test_refuses_text_that_is_too_long_or_empty_or_too_deep() -> None:
    with pytest.raises(ExprError, match=f"the limit is {MAX_LENGTH}"):
        compile_expr("a + " * 300 + "a")
    with pytest.raises(ExprError, match="expression is empty"):
        compile_expr("   ")
    with pytest.raises(ExprError, match="nested too deeply"):
        compile_expr("-" * (MAX_DEPTH + 5) + "a")
    with pytest.raises(ExprError, match="syntax error"):
        compile_expr("(" * 300 + "a" + ")" * 300)
    with pytest.raises(ExprError, match="must be text"):
        compile_expr(42)  # type: ignore[arg-type]


def test_leading_spaces_count_in_the_column() -> None:
    with pytest.raises(ExprError) as caught:
        compile_expr("   a +* b")
    assert caught.value.column == 7


@pytest.mark.parametrize(
    ("text", "values", "phrase"),
    [
        ("a / b", {"a": 1, "b": 0}, "division by zero"),
        ("a // b", {"a": 1, "b": 0}, "division by zero"),
        ("a % b", {"a": 1, "b": 0.0}, "division by zero"),
        ("sqrt(a)", {"a": -4}, "sqrt(-4) is undefined (math domain error)"),
        ("log(a)", {"a": 0}, "log(0) is undefined"),
        ("log10(a)", {"a": -1}, "log10(-1) is undefined"),
        ("exp(a)", {"a": 1000}, "exp(1000) is too large"),
        ("a ** b", {"a": 10, "b": 10**6}, "10 ** 1000000 is too large"),
        ("a ** b", {"a": 10.0, "b": 1000}, "is too large"),
        ("a ** 0.5", {"a": -8}, "a negative number has no fractional power"),
        ("a * b", {"a": "x", "b": 10**9}, "text cannot be multiplied"),
        ("a + b", {"a": 1, "b": "x"}, "wrong kind of value"),
        ("a < b", {"a": 1, "b": "x"}, "wrong kind of value"),
        ("bit(a, 70)", {"a": 1}, "bit number must be 0..63"),
        ("int(a)", {"a": float("nan")}, "int(nan) is undefined"),
        ("int(a)", {"a": "abc"}, "int('abc') is undefined"),
        ("sqrt(a)", {"a": -(10**100)}, "sqrt(-1e+100) is undefined"),
        ("a + missing", {"a": 1}, "no value for tag 'missing'"),
    ],
)
def test_runtime_failures_are_readable(text: str, values: dict, phrase: str) -> None:
    expression = compile_expr(text)
    with pytest.raises(ExprRuntimeError) as caught:
        expression.evaluate(values)
    assert phrase in str(caught.value)


def test_an_expression_is_reusable_after_a_failure() -> None:
    expression = compile_expr("a / b")
    with pytest.raises(ExprRuntimeError):
        expression.evaluate({"a": 1, "b": 0})
    assert expression.evaluate({"a": 1, "b": 2}) == 0.5
    assert repr(expression) == "Expression('a / b')"
