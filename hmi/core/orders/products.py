"""The product data an order carries per line type, and the live figures computed from it.

An extrusion order knows its die, alloy, billet and profile data; the figures the press
MES wants (billets used, gross/net/scrap kg, what remains) follow from them and the
counts, so nobody types them. A filling order knows its product and bottle size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..words import describe_value
from .model import Order

#: product fields that are numbers (> 0); the others are text
NUMERIC = frozenset(
    {"billet_length_mm", "billet_weight_kg", "weight_per_m_g", "profile_length_m", "bottle_size_l"}
)
#: the largest target or quantity an order accepts: more is a typing error
MAX_QUANTITY = 10_000_000
MAX_NUMBER = 1e9


def check_product(fields: tuple[str, ...], given: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The product data of a line type, cleaned; or the first problem, in words."""
    product: dict[str, Any] = {}
    unknown = sorted(str(k) for k in given if k not in fields)
    if unknown:
        return {}, f"unknown product field {unknown[0]!r}; expected {', '.join(fields)}"
    for name in fields:
        value = given.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return {}, f"{name} is missing"
        if name in NUMERIC:
            number = as_number(value)
            if number is None or not 0 < number <= MAX_NUMBER:
                return {}, f"{name} must be a number above 0, not {describe_value(value)}"
            product[name] = number
        else:
            product[name] = str(value).strip()
    return product, ""


def as_number(value: Any) -> float | None:
    """A finite number from a number or its text (CSV cells are text), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else value
        number = float(number)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def piece_kg(order: Order) -> float:
    """Net weight of one extruded profile (0 for other line types)."""
    p = order.product
    try:
        return float(p["profile_length_m"]) * float(p["weight_per_m_g"]) / 1000.0
    except (KeyError, TypeError, ValueError):
        return 0.0


def figures(order: Order, line_type: str) -> dict[str, float]:
    """The live figures of an order for its line type."""
    if line_type == "extrusion":
        return extrusion_figures(order)
    return {
        "filled": float(order.good),
        "rejected": float(order.scrap),
        "remaining": float(order.remaining),
    }


def extrusion_figures(order: Order) -> dict[str, float]:
    each = piece_kg(order)
    billet_kg = float(order.product.get("billet_weight_kg") or 0.0)
    gross = order.billets * billet_kg
    net = order.good * each
    if order.billets > 0 and order.good > 0:
        per_billet = order.good / order.billets  # what this die really yields
    elif each > 0 and billet_kg > 0:
        per_billet = math.floor(billet_kg / each)  # before the first billet: no losses
    else:
        per_billet = 0.0
    remaining = order.remaining
    return {
        "pieces": float(order.good),
        "billets": float(order.billets),
        "gross_kg": round(gross, 3),
        "net_kg": round(net, 3),
        "scrap_kg": round(max(gross - net, 0.0), 3),
        "remaining_pieces": float(remaining),
        "remaining_kg": round(remaining * each, 3),
        "remaining_billets": float(math.ceil(remaining / per_billet)) if per_billet > 0 else 0.0,
    }
