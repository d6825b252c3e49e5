"""Reading a big tag file: what the guard against alias bombs and deep nesting costs.

Every YAML file of a project is measured as if its aliases were written out before it is
built (``hmi.core.project.yamlsrc``). The peer is the same reader without that pass: the
libyaml parser and the line-keeping constructor alone, what reading cost before the guard.
A tag file of 10,000 tags (100,000 values) is read both ways in alternating rounds; the
figure that matters is the guard's share of the whole read.
"""

from __future__ import annotations

import time

import yaml

from hmi.core.project import yamlsrc
from tests.bench.common import median, report

TAGS = 10_000
ROUNDS = 9


def tag_file() -> str:
    lines = ["defaults: &plc {device: press_plc, scan: fast, type: float32}", "tags:"]
    for i in range(TAGS):
        lines.append(f"  - name: line1.t{i}")
        lines.append("    <<: *plc")
        lines.append(f"    address: hr:{i * 2}")
        lines.append("    units: mm")
        lines.append(f"    description: Tag number {i}")
        lines.append("    range: [0, 600]")
    return "\n".join(lines) + "\n"


class Unguarded(yamlsrc._Loader):
    """The same constructor, without the measuring pass (the naive way)."""

    def get_single_data(self) -> object:
        node = self.get_single_node()
        return None if node is None else self.construct_document(node)


def read_seconds(text: str, loader: type) -> float:
    start = time.perf_counter()
    yaml.load(text, Loader=loader)
    return time.perf_counter() - start


def main() -> None:
    text = tag_file()
    guarded_data = yamlsrc.parse_yaml(text)
    assert guarded_data == yaml.load(text, Loader=Unguarded)
    assert len(guarded_data["tags"]) == TAGS
    guarded: list[float] = []
    unguarded: list[float] = []
    for _ in range(ROUNDS):
        guarded.append(read_seconds(text, yamlsrc._Loader))
        unguarded.append(read_seconds(text, Unguarded))
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    start = time.perf_counter()
    try:
        yamlsrc.parse_yaml(bomb)
    except yamlsrc.YamlSyntaxError:
        refused_ms = (time.perf_counter() - start) * 1000
    else:
        raise AssertionError("the bomb was not refused")
    report(
        "yaml_read",
        tags=TAGS,
        bytes=len(text.encode()),
        guarded_ms_median=median(guarded) * 1000,
        unguarded_ms_median=median(unguarded) * 1000,
        guard_share=(median(guarded) - median(unguarded)) / median(guarded),
        ratio_guarded_to_unguarded=median(guarded) / median(unguarded),
        bomb_bytes=len(bomb),
        bomb_refused_ms=refused_ms,
    )


if __name__ == "__main__":
    main()
