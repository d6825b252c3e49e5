"""The reason tree (``planned|unplanned -> category -> reasons``) of the ``orders:``
section, each reason with the loss it books to, and the scrap reasons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..project.fields import Fields
from ..words import describe_value, did_you_mean, shorten
from .config_reader import SectionReader, at_key, index_of, name_text
from .config_types import LOSSES, PLANNED_LOSS, default_loss
from .model import Reason, StopKind


class ReasonsReader(SectionReader):
    """Reads ``reasons:`` (names unique across the tree) and ``startup_scrap:``."""

    def reasons(self) -> list[Reason]:
        top = self.top
        if top.get("reasons") is None:
            return []
        fields = top.child("reasons", "{unplanned: {Mechanical: [Die jam]}}")
        if fields is None:
            return []
        fields.unknown_keys(tuple(k.value for k in StopKind), "kinds of stop", "kind of stop")
        out: list[Reason] = []
        seen: dict[str, tuple[str, int]] = {}  # folded name -> where it was written
        for kind in StopKind:
            if fields.get(kind.value) is None:
                continue
            categories = fields.child(kind.value, "{Mechanical: [Die jam, Puller fault]}")
            if categories is None:
                continue
            for category, value in categories.data.items():
                out += self.category(categories, kind, category, value, seen)
        return out

    def category(
        self,
        fields: Fields,
        kind: StopKind,
        key: Any,
        value: Any,
        seen: dict[str, tuple[str, int]],
    ) -> list[Reason]:
        name = name_text(key)
        if name is None or "/" in name:
            fields.problem(key, f"category '{shorten(key)}': write a name without '/'")
            return []
        entries: list[tuple[Fields, Any, Any]] = []  # where, name as written, loss
        label = f"{fields.label}: {name}"
        if isinstance(value, Mapping):
            nested = fields.nested(key, value, label)
            entries = [(at_key(nested, reason), reason, loss) for reason, loss in value.items()]
        elif isinstance(value, list):
            for index, item in enumerate(value):
                where = self.item(fields, key, value, index, label)
                if isinstance(item, Mapping) and len(item) == 1:
                    [(reason, loss)] = item.items()
                    entries.append((where, reason, loss))
                else:
                    entries.append((where, item, None))
        else:
            fields.wrong(str(key), "a list of reasons such as [Die jam, Puller fault]")
            return []
        if not entries:
            fields.problem(key, f"{name}: no reasons; list at least one, or remove the category")
            return []
        out = []
        for where, written, loss in entries:
            reason = self.reason(where, kind, name, written, loss, seen)
            if reason is not None:
                out.append(reason)
        return out

    def reason(
        self,
        where: Fields,
        kind: StopKind,
        category: str,
        written: Any,
        loss: Any,
        seen: dict[str, tuple[str, int]],
    ) -> Reason | None:
        name = name_text(written)
        if name is None:
            where.problem(None, f"expected a reason name, got {describe_value(written)}")
            return None
        if "/" in name:
            where.problem(None, f"reason '{shorten(name)}': write a name without '/'")
            return None
        first = seen.get(name.casefold())
        if first is not None:
            where.problem(
                None,
                f"reason '{shorten(name)}' is already in {first[0]} (line {first[1]}); "
                "a reason belongs to one category, rename one",
            )
            return None
        seen[name.casefold()] = (f"{kind.value}: {category}", where.line)
        bucket = default_loss(kind, category)
        if loss is not None and loss != "":
            text = name_text(loss)
            allowed = (PLANNED_LOSS,) if kind is StopKind.PLANNED else LOSSES
            if text is None or text.lower() not in allowed:
                shown = shorten(text) if text is not None else describe_value(loss)
                if kind is StopKind.PLANNED:
                    hint = "a planned reason is out of planned busy time: write no loss"
                else:
                    hint = did_you_mean(shown, LOSSES, "losses")
                where.problem(None, f"reason '{shorten(name)}': unknown loss '{shown}'; {hint}")
                return None
            bucket = text.lower()
        return Reason(kind, category, name, bucket)

    def startup_scrap(self, scrap_reasons: list[str]) -> list[str]:
        top = self.top
        names = self.names(top, "startup_scrap")
        values = top.get("startup_scrap")
        known = {n.casefold(): n for n in scrap_reasons}
        out = []
        for index, name in enumerate(names):
            if name.casefold() in known:
                out.append(known[name.casefold()])
                continue
            entry = self.item(top, "startup_scrap", values, index_of(values, name, index), "orders")
            hint = did_you_mean(name, scrap_reasons, "scrap reasons")
            entry.problem(None, f"startup_scrap: '{shorten(name)}' is not in scrap_reasons; {hint}")
        return out
