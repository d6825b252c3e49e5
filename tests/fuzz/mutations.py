"""Seeded mutations of the demo project: one seed, one broken copy, the same every time.

``mutate(seed, root)`` breaks the copy of the demo at ``root`` (project.yaml, the tag files
in YAML and CSV, the screen files) the way hurried hands, bad disks and hostile files do,
and says what it did. Everything it chooses comes from ``random.Random(seed)``, so a seed
names a mutant for good (as long as this file does not change) and replays it exactly.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hmi.core.paths import demo_project_dir, install_root

# what a wrong value may be replaced with: other kinds, YAML's special forms, empties
WRONG_VALUES = (
    "[]",
    "{}",
    "[1, 2]",
    "{a: 1}",
    "true",
    "null",
    "~",
    "''",
    '""',
    "-1",
    "0",
    "3.5",
    "abc",
    "'123'",
    "[[[]]]",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [{a: 1}]",
    "!!float abc",
    "!!int 12x",
    "!!python/object:os.system ls",
    "!!timestamp 2024-13-45",
    "2024-01-01",
    "2024-01-01 10:00:00",
    "&anchor 5",
    "*nowhere",
    "{? [1]: 2}",
    "[a, [b, {c: d}]]",
    "- item",
    "|\n  block text",
    "'multi\n  line'",
    "yes",
    "off",
    "0x1F",
    "0o17",
    "1_000",
    ".5",
    "+.inf",
    ".nan",
)
HUGE_NUMBERS = (
    "1e308",
    "-1e308",
    "1e309",
    "1e-9",
    "1e-320",
    "-0",
    "1" + "0" * 30,
    "9" * 5000,
    "0." + "0" * 400 + "1",
    ".nan",
    ".inf",
    "-.inf",
    "0x7fffffffffffffffffff",
    "1e308s",
    "1e-9s",
    "0s",
    "-1s",
    "100000d",
    "1e308ms",
    "99999999999y",
)
UNICODE = (
    "\u202e",  # right-to-left override
    "é",
    "😀",
    "\u0000",
    "\ufeff",
    "\u2028",
    "\x85",
    "\u0301",
    "İ",
    "Ω" * 1000,
    "\t",
    "\r",
    "\x1b[31m",
    "\U0010ffff",
    "ｔａｇ",
)
SPECIAL = ":-[]{}#&*!|>'\"%@`,?\\ \t"
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|s|m|h|d)?(?![\w.])")
KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w]*)(\s*:)")


@dataclass(frozen=True, slots=True)
class Mutant:
    seed: int
    what: str  # the file and what was done to it, to read and to replay by hand

    def __str__(self) -> str:
        return f"seed {self.seed}: {self.what}"


def copy_demo(root: Path) -> Path:
    """The demo project with its screens, as one folder at ``root``."""
    shutil.copytree(demo_project_dir(), root)
    shutil.copytree(install_root() / "screens", root / "screens")
    return root


def project_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# -- what can be done to one file's text -----------------------------------------------------
Edit = Callable[[random.Random, str], tuple[str, str]]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _pick_line(rng: random.Random, lines: list[str], pattern: str = "") -> int:
    """A line index, one that contains ``pattern`` when any does."""
    matching = [i for i, line in enumerate(lines) if pattern in line and line.strip()]
    return rng.choice(matching) if matching else rng.randrange(len(lines))


def delete_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    start, count = rng.randrange(len(lines)), rng.randint(1, 4)
    del lines[start : start + count]
    return "\n".join(lines), f"deleted {count} line(s) from line {start + 1}"


def duplicate_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    start, count = _pick_line(rng, lines, ":"), rng.randint(1, 6)
    lines[start:start] = lines[start : start + count]
    return "\n".join(lines), f"repeated {count} line(s) at line {start + 1}"


def move_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    source = rng.randrange(len(lines))
    line = lines.pop(source)
    target = rng.randrange(len(lines) + 1)
    lines.insert(target, line)
    return "\n".join(lines), f"moved line {source + 1} to line {target + 1}"


def wrong_value(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    index = _pick_line(rng, lines, ": ")
    line = lines[index]
    value = rng.choice(WRONG_VALUES)
    if ": " in line:
        head = line[: line.index(": ") + 2]
        indent = " " * (len(head) - len(head.lstrip()) + 2)
        lines[index] = head + value.replace("\n", "\n" + indent)
    else:  # a CSV row: one cell
        cells = line.split(",")
        cell = rng.randrange(len(cells))
        cells[cell] = value.replace("\n", " ")
        lines[index] = ",".join(cells)
    return "\n".join(lines), f"line {index + 1}: value replaced with {value!r}"


def huge_number(rng: random.Random, text: str) -> tuple[str, str]:
    numbers = list(NUMBER.finditer(text))
    value = rng.choice(HUGE_NUMBERS)
    if not numbers:
        return text + f"\nextra: {value}\n", f"appended 'extra: {value}'"
    found = rng.choice(numbers)
    line = text[: found.start()].count("\n") + 1
    edited = text[: found.start()] + value + text[found.end() :]
    return edited, f"line {line}: number {found.group()!r} replaced with {value[:40]!r}"


def misspell_key(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    keyed = [i for i, line in enumerate(lines) if KEY.match(line)]
    if not keyed:
        return delete_lines(rng, text)
    index = rng.choice(keyed)
    match = KEY.match(lines[index])
    assert match is not None
    key = match.group(2)
    position = rng.randrange(len(key))
    wrong = key[:position] + rng.choice("aeiouxz_") + key[position + 1 :]
    lines[index] = match.group(1) + wrong + lines[index][match.end(2) :]
    return "\n".join(lines), f"line {index + 1}: key {key!r} written {wrong!r}"


def garbage(rng: random.Random, text: str) -> tuple[str, str]:
    junk = "".join(rng.choice(SPECIAL + "abcXYZ019") for _ in range(rng.randint(1, 12)))
    position = rng.randrange(len(text) + 1)
    line = text[:position].count("\n") + 1
    return text[:position] + junk + text[position:], f"line {line}: inserted {junk!r}"


def unicode(rng: random.Random, text: str) -> tuple[str, str]:
    chars = rng.choice(UNICODE)
    position = rng.randrange(len(text) + 1)
    line = text[:position].count("\n") + 1
    return text[:position] + chars + text[position:], f"line {line}: inserted {chars[:8]!r}"


def unclosed(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    index = _pick_line(rng, lines, ":")
    opener = rng.choice(("'", '"', "[", "{", "[{", "{[", "'\"", "`"))
    line = lines[index]
    cut = line.index(":") + 2 if ": " in line else rng.randrange(len(line) + 1)
    lines[index] = line[:cut] + opener + line[cut:]
    return "\n".join(lines), f"line {index + 1}: opened {opener!r} and never closed it"


def indent(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    index = _pick_line(rng, lines, ":")
    change = rng.choice(("\t", " ", "   ", "-", "dedent"))
    if change == "dedent":
        lines[index] = lines[index].lstrip()
    else:
        lines[index] = change + lines[index]
    return "\n".join(lines), f"line {index + 1}: indentation changed ({change!r})"


def truncate(rng: random.Random, text: str) -> tuple[str, str]:
    cut = rng.randrange(len(text) + 1)
    return text[:cut], f"cut off after character {cut} (line {text[:cut].count(chr(10)) + 1})"


def alias_bomb(rng: random.Random, text: str) -> tuple[str, str]:
    width, depth = rng.randint(5, 12), rng.randint(6, 12)
    lines = [f"b0: &b0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, depth):
        lines.append(f"b{level}: &b{level} [{', '.join([f'*b{level - 1}'] * width)}]")
    bomb = "\n".join(lines)
    where = rng.choice(("start", "end", "instead"))
    edited = {"start": bomb + "\n" + text, "end": text + "\n" + bomb + "\n", "instead": bomb}
    return edited[where], f"alias bomb {width}^{depth} at the {where}"


def alias_loop(rng: random.Random, text: str) -> tuple[str, str]:
    form = rng.choice(("a: &a [*a]", "a: &a {b: *a}", "a: &a {<<: *a}", "a: *a\nb: &a 1"))
    return form + "\n" + text, f"self-referring alias {form!r} at the start"


def deep_nesting(rng: random.Random, text: str) -> tuple[str, str]:
    depth = rng.choice((40, 70, 200, 999, 5000))
    shape = rng.choice(("flow list", "flow map", "block"))
    if shape == "flow list":
        value = "[" * depth + "1" + "]" * depth
    elif shape == "flow map":
        value = "{a: " * depth + "1" + "}" * depth
    else:
        value = "\n" + "\n".join("  " * (i + 1) + "k:" for i in range(depth)) + " 1"
    lines = _lines(text)
    index = _pick_line(rng, lines, ": ")
    line = lines[index]
    head = line[: line.index(": ") + 2] if ": " in line else "deep: "
    lines[index] = head.rstrip() + (" " if shape != "block" else "") + value
    return "\n".join(lines), f"line {index + 1}: value nested {depth} deep ({shape})"


def line_endings(rng: random.Random, text: str) -> tuple[str, str]:
    ending = rng.choice(("\r\n", "\r", "\n\n"))
    return text.replace("\n", ending), f"line endings changed to {ending!r}"


def grown(rng: random.Random, text: str) -> tuple[str, str]:
    times = rng.choice((20, 60))
    lines = _lines(text)
    start = rng.randrange(len(lines))
    block = lines[start : start + rng.randint(2, 30)]
    lines[start:start] = block * times
    return "\n".join(lines), f"{len(block)} lines from line {start + 1} repeated {times} times"


TEXT_EDITS: tuple[Edit, ...] = (
    delete_lines,
    duplicate_lines,
    move_line,
    wrong_value,
    wrong_value,
    huge_number,
    huge_number,
    misspell_key,
    garbage,
    unicode,
    unclosed,
    indent,
    truncate,
    alias_bomb,
    alias_loop,
    deep_nesting,
    line_endings,
    grown,
)


# -- what can be done to a file or folder as a whole -----------------------------------------
def _unreadable(path: Path) -> str:
    """As root every file can be read, so the file becomes a folder of the same name."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        path.chmod(0)
        return "made unreadable (no permissions)"
    path.unlink()
    path.mkdir()
    return "replaced with a folder of the same name"


def _mutate_file(rng: random.Random, root: Path, file: str) -> str:
    path = root / file
    kind = rng.choices(("text", "bytes", "empty", "missing", "unreadable"), (20, 3, 1, 1, 1))[0]
    if kind == "empty":
        path.write_bytes(b"")
        return "emptied"
    if kind == "missing":
        path.unlink()
        return "deleted"
    if kind == "unreadable":
        return _unreadable(path)
    data = path.read_bytes()
    if kind == "bytes":
        junk = rng.randbytes(rng.randint(1, 64))
        position = rng.randrange(len(data) + 1)
        path.write_bytes(data[:position] + junk + data[position:])
        return f"{len(junk)} random bytes inserted at byte {position}"
    text = data.decode("utf-8")
    said = []
    for _ in range(rng.choices((1, 2, 3), (6, 3, 1))[0]):
        edit = rng.choice(TEXT_EDITS)
        text, what = edit(rng, text)
        said.append(f"{edit.__name__}: {what}")
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return "; ".join(said)


def _mutate_folder(rng: random.Random, root: Path) -> str:
    folder = rng.choice(("tags", "screens"))
    path = root / folder
    how = rng.choice(("file", "empty", "unreadable"))
    shutil.rmtree(path)
    if how == "file":
        path.write_text("not a folder\n")
        return f"{folder}/: replaced with a file"
    path.mkdir()
    if how == "unreadable" and hasattr(os, "geteuid") and os.geteuid() != 0:
        path.chmod(0)
        return f"{folder}/: emptied and made unreadable"
    return f"{folder}/: emptied"


def mutate(seed: int, root: Path) -> Mutant:
    """Break the demo copy at ``root`` as ``seed`` says; what was done, to replay it."""
    rng = random.Random(seed)
    if rng.random() < 0.04:
        return Mutant(seed, _mutate_folder(rng, root))
    files = project_files(root)
    file = rng.choice(files)
    said = [f"{file}: {_mutate_file(rng, root, file)}"]
    if rng.random() < 0.1:  # a second file broken too
        other = rng.choice([f for f in files if f != file])
        if (root / other).is_file():
            said.append(f"{other}: {_mutate_file(rng, root, other)}")
    return Mutant(seed, " | ".join(said))


def restore_permissions(root: Path) -> None:
    """Let a mutant with unreadable files and folders be deleted afterwards."""
    root.chmod(0o755)
    for folder, folders, files in os.walk(root):  # top-down: a folder is opened before use
        for name in folders:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
