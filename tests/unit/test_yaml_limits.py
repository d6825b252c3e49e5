"""YAML that would hang, crash or mislead the reader: alias bombs, loops, deep nesting,
values PyYAML cannot build, syntax errors that PyYAML notices far from their cause."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hmi.core.i18n import read_project_catalogue
from hmi.core.project.loader import check_project
from hmi.core.project.models import Problem, Source
from hmi.core.project.yamlsrc import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    YamlSyntaxError,
    parse_yaml,
)

# 454 bytes that stand for 9^9 (387 million) values: once, `hmi check` ran for minutes
BOMB = """\
project:
  name: Bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def refused(text: str) -> YamlSyntaxError:
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(text)
    assert "\n" not in caught.value.message
    return caught.value


def test_an_alias_bomb_is_refused_at_the_line_where_it_goes_over_the_limit():
    error = refused(BOMB)
    # f holds 9^6 = 531441 values, 9^6 - 1 of them repeated by aliases: the first over
    assert error.line == 8
    assert f"repeat more than {MAX_ALIAS_VALUES:,} values" in error.message


def test_an_alias_bomb_in_the_project_file_is_one_problem_at_its_line(tmp_path: Path):
    (tmp_path / "project.yaml").write_text(BOMB, encoding="utf-8")
    project, problems = check_project(tmp_path)
    assert project is None
    assert [p.source for p in problems] == [problems[0].source]
    assert (problems[0].source.file, problems[0].source.line) == ("project.yaml", 8)


def test_aliases_that_only_share_settings_are_read_as_before():
    data = parse_yaml(
        "defaults: &plc {protocol: modbus, timeout: 1s}\n"
        "devices:\n"
        "  a: {<<: *plc, host: 10.0.0.1}\n"
        "  b: {<<: *plc, host: 10.0.0.2, timeout: 2s}\n"
        "list: &l [1, 2]\n"
        "again: [*l, *l]\n"
    )
    assert data["devices"]["a"] == {"protocol": "modbus", "timeout": "1s", "host": "10.0.0.1"}
    assert data["devices"]["b"]["timeout"] == "2s"
    assert data["again"] == [[1, 2], [1, 2]]


def test_many_aliases_within_the_budget_are_accepted():
    # 400 tags sharing one block of 6 settings: 2,400 repeated values, far under the limit
    text = "base: &t {device: plc, type: float32, scan: fast, units: mm, deadband: 1, x: 2}\n"
    text += "tags:\n" + "".join(f"  - {{<<: *t, name: t{i}}}\n" for i in range(400))
    assert len(parse_yaml(text)["tags"]) == 400


@pytest.mark.parametrize(
    "text",
    ["a: &a [*a]\n", "x: 1\na: &a {b: *a}\n", "x: 1\n\na: &a\n  - 1\n  - *a\n"],
)
def test_an_alias_inside_what_it_names_is_refused(text: str):
    error = refused(text)
    assert "refers to the list or mapping it is written in" in error.message
    assert error.line == text.count("\n", 0, text.index("&a")) + 1


def test_nesting_deeper_than_the_limit_is_refused_where_it_gets_too_deep():
    text = "ok: 1\ndeep: " + "[" * 100 + "]" * 100 + "\n"
    error = refused(text)
    assert error.line == 2 and f"more than {MAX_DEPTH} levels" in error.message
    block = "top:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    # the mapping at level MAX_DEPTH + 1 starts on that line
    assert refused(block + "  " * (MAX_DEPTH + 6) + "v: 1\n").line == MAX_DEPTH + 1
    assert parse_yaml("a: " + "[" * 20 + "]" * 20)["a"]  # twenty levels are fine


@pytest.mark.parametrize(
    ("text", "line", "phrase"),
    [
        ("a: 1\nb: " + "9" * 5000 + "\n", 2, "cannot read '99999"),
        ("a: 1\n\nb: !!int 12x\n", 3, "cannot read '12x'"),
        ("a: 2024-13-45\n", 1, "month must be in 1..12"),
        ("a: 1\nb: !!float abc\n", 2, "cannot read 'abc'"),
        ("a: 1\nb: !!map [1]\n", 2, "cannot read this value"),
        ("a: !!python/object:os.system ls\n", 1, "could not determine a constructor"),
    ],
)
def test_a_value_pyyaml_cannot_build_is_reported_at_its_line(text: str, line: int, phrase: str):
    error = refused(text)
    assert error.line == line and phrase in error.message


@pytest.mark.parametrize(
    ("text", "line", "phrase"),
    [
        # the quote is never closed: YAML reads on to the end of the file
        (
            'a: 1\nb: "open\nc: 2\nd: 3\n',
            2,
            "the quote opened here is never closed (YAML read on to the end of the file)",
        ),
        ("a: 1\nb: 'open\nc: 2\n", 2, "the quote opened here is never closed"),
        (
            "a: [1, 2\nb: 3\n",
            1,
            "the '[' opened here is not closed: a ',' or ']' is missing (YAML read on to line 2)",
        ),
        ("x: 1\na: {k: 1\nb: 3\n", 2, "the '{' opened here is not closed: a ',' or '}' is missing"),
        ("t: [\n  {n: a},\n  {n: b}\n  {n: c},\n]\n", 1, "YAML read on to line 4"),
        ("a: 1\nb\nc: 2\n", 2, "the ':' after the key here is missing"),
        # where the parser noticed is where the mistake is: those lines stay
        ("a:\n  b: 1\n c: 2\n", 3, "YAML syntax error"),
        ("a:\n  - 1\n  x: 2\n", 3, "YAML syntax error"),
        ("a: 1\nb: b: c\n", 2, "mapping values are not allowed"),
        ("a: 1\nb:\n\tc: 1\n", 3, "YAML does not allow tabs"),
        ("a: 1\nb: *nowhere\n", 2, "found undefined alias"),
        ("a: éé\nb: 1\nc: \x00\n", 3, "the character U+0000 is not allowed in YAML"),
        ("a: 1\n\nb: \x1b[31m\n", 3, "the character U+001B is not allowed"),
        ("a: 1\n---\nb: 2\n", 2, "but found another document"),
    ],
)
def test_a_syntax_error_points_at_the_line_where_the_problem_starts(
    text: str, line: int, phrase: str
):
    error = refused(text)
    assert (error.line, phrase in error.message) == (line, True), error.message


def test_an_unclosed_quote_in_a_tag_file_is_reported_where_it_was_opened(tmp_path: Path):
    (tmp_path / "project.yaml").write_text("include: [tags.yaml]\n", encoding="utf-8")
    tags = 'tags:\n  - name: a\n    description: "oops\n' + "  - name: b\n" * 40
    (tmp_path / "tags.yaml").write_text(tags, encoding="utf-8")
    _, problems = check_project(tmp_path)
    assert len(problems) == 1
    assert (problems[0].source.file, problems[0].source.line) == ("tags.yaml", 3)


def test_a_bad_translation_catalogue_is_logged_at_its_line_and_the_rest_is_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB.replace("project:\n  name: Bomb\n", "Start: Avvia\n"), encoding="utf-8")
    twice = tmp_path / "twice.yaml"
    twice.write_text("Start: Avvia\nStop: Ferma\nStart: Parti\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="hmi.core.i18n"):
        assert read_project_catalogue(bomb) == {}
        catalogue = read_project_catalogue(twice)
    assert catalogue[("", "Start")] == "Parti" and catalogue[("", "Stop")] == "Ferma"
    logged = [record.getMessage() for record in caplog.records]
    assert any(f"{bomb}:7: the aliases" in line for line in logged), logged
    assert any(f"{twice}:3: 'Start' is written twice" in line for line in logged), logged


def test_a_problem_is_one_line_of_readable_length():
    problem = Problem(Source("project.yaml", 1), "line one\nline two " + "x" * 2000)
    assert "\n" not in problem.message and problem.message.startswith("line one line two")
    assert len(problem.message) <= 500 and problem.message.endswith("...")
