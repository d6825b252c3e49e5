"""Qt's ICU data cut to the languages a line PC speaks: ``icu_subset.py LIBICUDATA``.

PySide6's libicudata (31 MB) holds the locale data of every language ICU knows. Qt asks
ICU for collation (QCollator, locale-aware sorting), time-zone and language names and
legacy codecs; a language whose data is not here falls back to ICU's root data (sorting
by code point order of the root collation, English names), it never fails. Everything
that is not per language (converters, normalisation, break rules and dictionaries, the
root locale, the time-zone tables) is kept. The library is rebuilt in place with the same
soname and symbol, so Qt's libicuuc loads it as before. Needs icupkg (icu-devtools).
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

# European and the main Asian languages of the plants; the rest falls back to root
KEEP = {
    "en", "it", "de", "fr", "es", "pt", "nl", "pl", "cs", "sk", "sl", "hu", "ro", "sv",
    "da", "fi", "nb", "no", "hr", "sr", "bg", "el", "tr", "ru", "uk", "lt", "lv", "et",
    "zh", "ja", "ko",
}  # fmt: skip
LOCALE = re.compile(r"^([a-z]{2,3})(_[A-Za-z0-9_]+)?$")
ASSEMBLY = """    .section .rodata
    .globl {symbol}
    .type {symbol}, @object
    .balign 16
{symbol}:
    .incbin "{data}"
    .size {symbol}, . - {symbol}
    .section .note.GNU-stack, "", @progbits
"""


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def blob(library: Path) -> tuple[str, bytes]:
    """The symbol holding ICU's common data and its bytes."""
    symbols = [
        line.split() for line in run("nm", "-D", "-S", "--defined-only", str(library)).splitlines()
    ]
    found = [s for s in symbols if len(s) == 4 and re.fullmatch(r"icudt\d+_dat", s[3])]
    if len(found) != 1:
        raise SystemExit(f"{library}: no single icudtNN_dat symbol ({len(found)} found)")
    address, size, name = int(found[0][0], 16), int(found[0][1], 16), found[0][3]
    for line in run("readelf", "-S", "-W", str(library)).splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, offset = int(fields[3], 16), int(fields[4], 16)
            start = offset + address - section_address
            return name, library.read_bytes()[start : start + size]
    raise SystemExit(f"{library}: no .rodata section")


def dropped(items: list[str]) -> list[str]:
    """The per-language resource bundles of the languages not kept."""
    out = []
    for item in items:
        stem, _, ext = item.rpartition("/")[2].partition(".")
        match = LOCALE.match(stem)
        if ext == "res" and match and stem != "res_index" and match.group(1) not in KEEP:
            out.append(item)
    return out


def main(library: Path) -> None:
    name, data = blob(library)
    package = name.removesuffix("_dat") + "l"  # icudt73l: little-endian
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "in").mkdir()
        (work / "out").mkdir()
        (work / "in" / f"{package}.dat").write_bytes(data)
        items = run("icupkg", "-l", str(work / "in" / f"{package}.dat")).split()
        drop = dropped(items)
        for _ in range(5):  # an alias may point into a language not kept: keep its target
            (work / "drop.txt").write_text("\n".join(drop) + "\n")
            done = subprocess.run(
                ["icupkg", "-r", str(work / "drop.txt"), str(work / "in" / f"{package}.dat"),
                 str(work / "out" / f"{package}.dat")],
                capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode == 0:
                break
            needed = set(re.findall(r"depends on missing item (\S+)", done.stderr + done.stdout))
            if not needed:
                raise SystemExit(f"icupkg failed: {done.stderr.strip()}")
            drop = [item for item in drop if item not in needed]
        else:
            raise SystemExit("icupkg: the dependencies of the kept items did not settle")
        small = work / "out" / f"{package}.dat"
        source = work / "data.S"
        source.write_text(ASSEMBLY.format(symbol=name, data=small))
        soname = library.name
        target = work / soname
        run("gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(target), str(source))
        before = library.stat().st_size
        library.write_bytes(target.read_bytes())
    print(
        f"{library.name}: {len(drop)} of {len(items)} items dropped (languages kept: "
        f"{len(KEEP)}), {before / 1e6:.1f} -> {library.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
