"""Tag entries, from YAML or CSV alike, checked field by field into TagConfigs.

Each wrong field is reported on its own line and keeps its tag out of the project, so the
engine never sees a half-understood tag. What a tag names elsewhere (its device, scan
class, the tags its expr reads) is kept for the reference checks, which run once every
device and tag is known.
"""

from __future__ import annotations

import contextlib
import keyword
import math
from collections.abc import Mapping
from typing import Any

from ..expr import FUNCTIONS, ExprError, compile_expr
from ..words import closest, describe_value, shorten
from .fields import Fields
from .models import DataType, Scaling, Source, TagConfig
from .problems import ProblemLog
from .references import References
from .tagfields import MAX_DECIMALS, ORDER_OPTIONS, ORDERS, SCALE_FIELDS, TAG_FIELDS
from .yamlsrc import line_of


class TagReader:
    """Every tag entry read so far: the good ones, every name seen, and what they name."""

    def __init__(self, log: ProblemLog):
        self.log = log
        self.tags: dict[str, TagConfig] = {}
        self.declared: dict[str, Source] = {}  # every tag name seen, valid or not
        self.dependencies: dict[str, tuple[str, ...]] = {}
        self.references: list[References] = []
        # where tags may have been that could not be read; see Project.incomplete
        self.incomplete: list[Source] = []

    def read_list(self, value: Any, file: str, line: int) -> None:
        """A ``tags:`` list, in project.yaml or in an included tag file."""
        if value is None:
            return
        if not isinstance(value, list):
            self.log.wrong(Source(file, line), "tags", "a list of tags (- name: ...)", value)
            self.incomplete.append(Source(file, line))
            return
        for index, item in enumerate(value):
            source = Source(file, line_of(value, index, line))
            self.log.guarded(source, f"tag #{index + 1}", self.read, item, source)

    def read(self, data: Any, source: Source) -> None:
        """One tag entry: a YAML mapping or a CSV row in the same shape."""
        if not isinstance(data, Mapping):
            self.log.report(
                source,
                f"a tag must be a mapping such as 'name: line1.speed', got {describe_value(data)}",
            )
            self.incomplete.append(source)
            return
        fields = Fields(self.log.add, data, source.file, source.line, "tag")
        name = fields.text("name")
        if not name:
            if not fields.failed:
                fields.problem(None, "a tag needs a name, e.g. 'name: line1.speed'")
            self.incomplete.append(source)
            return
        fields.label = f"tag '{shorten(name)}'"
        if name in self.declared:
            fields.problem("name", f"duplicate tag name; the first one is at {self.declared[name]}")
            return
        self.declared[name] = source
        if (reason := name_problem(name)) is not None:
            fields.problem("name", reason)
        fields.unknown_keys(TAG_FIELDS)
        tag = TagBuilder(fields, name, source).build()
        reads = expression_names(fields)
        self.references.append(References(name, source, data, reads))
        if tag is not None and not fields.failed:
            self.tags[name] = tag
            if tag.expr is not None:
                self.dependencies[name] = reads


def expression_names(fields: Fields) -> tuple[str, ...]:
    """The tags an expr reads, or () if it has none or does not compile (then reported)."""
    text = fields.get("expr")
    if not isinstance(text, str):
        return ()
    try:
        return tuple(sorted(compile_expr(text).names))
    except ExprError as error:
        fields.problem("expr", f"expr: {error}")
        return ()


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a tag name (it must be usable in expressions), or None."""
    parts = name.split(".")
    name = shorten(name)
    if not all(part.isidentifier() for part in parts):
        return (
            f"tag name '{name}' is not valid; use letters, digits and '_' in dot-separated "
            "parts that do not start with a digit, e.g. line1.ram_speed"
        )
    for part in parts:
        if keyword.iskeyword(part):
            return f"tag name '{name}' is not valid: '{part}' is a reserved word; rename that part"
        if part.startswith("__"):
            return f"tag name '{name}' is not valid: a part may not start with '__'"
    if name in FUNCTIONS:
        return f"tag name '{name}' is the name of a function in expressions; choose another"
    return None


class TagBuilder:
    """Turns one tag entry into a TagConfig, reporting each wrong field on its own line."""

    def __init__(self, fields: Fields, name: str, source: Source):
        self.fields = fields
        self.name = name
        self.source = source

    def build(self) -> TagConfig | None:
        fields = self.fields
        data_type = self.data_type()
        expr = fields.text("expr")
        device = fields.text("device")
        address = fields.text("address")
        if expr is not None:
            self.check_derived(device, address)
        elif device is None:
            if not fields.failed:
                fields.problem(
                    None,
                    "give a device and an address (a device tag) or an expr (a derived tag)",
                )
        elif address is None and "address" not in fields.data:
            fields.problem(None, f"device tag needs an address on device '{device}'")
        elif address is None:
            fields.problem("address", "device tag needs an address; the address is empty")
        eng_range = self.eng_range(data_type)
        scaling = self.scaling(data_type, eng_range, derived=expr is not None)
        deadband = self.deadband(data_type)
        length = self.length(data_type, derived=expr is not None)
        decimals = fields.whole("decimals", 0, MAX_DECIMALS, f"a whole number 0..{MAX_DECIMALS}")
        if decimals is not None and data_type is not None and not data_type.numeric:
            fields.problem(
                "decimals", f"decimals is only for numeric tags (type is {data_type.value})"
            )
        scan = fields.text("scan") or "normal"
        writable = fields.flag("writable", False)
        if writable and expr is not None:
            fields.problem("writable", "a derived tag cannot be writable; remove 'writable'")
        options = {key: value for key in ORDER_OPTIONS if (value := fields.choice(key, ORDERS))}
        if fields.failed or data_type is None:
            return None
        return TagConfig(
            name=self.name,
            data_type=data_type,
            device=None if expr is not None else device,
            address=address or "",
            expr=expr,
            units=fields.text("units") or "",
            description=fields.text("description") or "",
            eng_range=eng_range,
            scaling=scaling,
            deadband=deadband,
            scan_class=scan,
            writable=writable,
            decimals=decimals,
            length=length,
            options=options,
            source=self.source,
            field_sources=fields.sources(),
        )

    def data_type(self) -> DataType | None:
        value = self.fields.get("type")
        if value is None:
            return DataType.FLOAT32
        names = [member.value for member in DataType]
        if isinstance(value, str):
            try:
                return DataType(value.strip().lower())
            except ValueError:
                pass
        close = closest(str(value).lower(), names)
        hint = f"did you mean '{close}'? " if close else ""
        self.fields.problem("type", f"type '{value}' unknown; {hint}use one of {', '.join(names)}")
        return None

    def check_derived(self, device: str | None, address: str | None) -> None:
        if device is not None:
            self.fields.problem(
                "device", "a derived tag (with expr) has no device; remove 'device' or 'expr'"
            )
        if address is not None:
            self.fields.problem(
                "address", "address given for a derived tag; remove it (expr computes the value)"
            )

    def numeric_only(self, key: str, data_type: DataType | None) -> bool:
        if data_type is not None and not data_type.numeric and self.fields.get(key) is not None:
            self.fields.problem(key, f"{key} is only for numeric tags (type is {data_type.value})")
            return False
        return True

    def eng_range(self, data_type: DataType | None) -> tuple[float, float] | None:
        if not self.numeric_only("range", data_type):
            return None
        pair = self.fields.pair("range")
        if pair is not None and pair[0] >= pair[1]:
            self.fields.problem(
                "range", f"range [{pair[0]:g}, {pair[1]:g}]: lo must be below hi, e.g. [0, 600]"
            )
            return None
        if pair is not None and not math.isfinite(pair[1] - pair[0]):
            self.fields.problem("range", f"range [{pair[0]:g}, {pair[1]:g}] is too wide to compute")
            return None
        return pair

    def scaling(
        self, data_type: DataType | None, eng_range: tuple[float, float] | None, derived: bool
    ) -> Scaling | None:
        fields = self.fields
        value = fields.get("scale")
        if value is None or not self.numeric_only("scale", data_type):
            return None
        if derived:
            fields.problem("scale", "scale is for device tags; a derived tag computes its value")
            return None
        if not isinstance(value, Mapping):
            fields.wrong("scale", "{raw: [lo, hi], eng: [lo, hi]}")
            return None
        scale = fields.nested("scale", value, fields.label)
        scale.unknown_keys(SCALE_FIELDS, "scale fields")
        raw = scale.pair("raw")
        eng = scale.pair("eng") or eng_range
        if raw is None and not scale.failed:
            scale.problem(None, "scale needs raw: [lo, hi], the device's range")
        if eng is None and "eng" not in value and "range" not in fields.data:
            scale.problem(None, "scale needs eng: [lo, hi] or a tag range to map raw onto")
        for key, pair in (("raw", raw), ("eng", eng)):
            if pair is not None and pair[0] == pair[1]:
                scale.problem(
                    key if key in value else None,
                    f"scale {key} lo and hi are both {pair[0]:g}; they must differ",
                )
        if scale.failed or raw is None or eng is None:
            return None
        scaling = Scaling(raw[0], raw[1], eng[0], eng[1])
        with contextlib.suppress(ArithmeticError):
            if math.isfinite(scaling.gain) and scaling.gain != 0:
                return scaling
        scale.problem(None, "scale: raw and eng spans are too far apart to convert between them")
        return None

    def deadband(self, data_type: DataType | None) -> float:
        if not self.numeric_only("deadband", data_type):
            return 0.0
        return self.fields.not_negative("deadband") or 0.0

    def length(self, data_type: DataType | None, derived: bool) -> int:
        length = self.fields.whole("length", 1, 65535, "a whole number of characters, 1 or more")
        if data_type is DataType.STRING:
            if length is None and not derived and "length" not in self.fields.data:
                self.fields.problem(
                    None, "a string tag needs its length in characters, e.g. 'length: 20'"
                )
            return length or 0
        if length is not None and data_type is not None:
            self.fields.problem(
                "length", f"length is only for string tags (type is {data_type.value})"
            )
        return 0
