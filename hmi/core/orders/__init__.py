"""Work orders, production counting, downtime, shift calendar, OEE and the outbox (no Qt).

The package, by what each module is for:

- ``model``: the shared types (orders, stops, counts, OEE, outbox events, shift report);
- ``config``: the ``orders:`` section of the project and its ``file:line`` checks, read by
  ``config_lines`` (line types, counter and state tags, what an order writes to the PLC),
  ``config_reasons`` (the reason tree, scrap reasons), ``config_calendar`` (shifts) with
  ``config_reader``'s helpers into ``config_types``' settings;
- ``counting``: raw PLC counter readings → increments (wrap, reset, power cycle, jump);
- ``downtime``: machine-state readings → stops, micro-stops apart;
- ``calendar``: shifts, breaks, planned downtime, holidays → planned busy time;
- ``oee``: ISO 22400-2 figures and the six big losses from recorded periods;
- ``schema``, ``records``, ``outbox``: the tables and their migrations (sqlite-utils on the
  store's connection), the queries, the outbox rows with gapless sequences per stream;
- ``service``: ``Orders``, what operators, supervisors and the MES sync act through —
  every change is one durable transaction with its outbox row — over ``state`` (the
  shared state and the durable commit), ``flow`` (counting and stops as readings come),
  ``periods`` (OEE and the shift report of any period), ``products`` (the line type's
  figures) and ``transfer`` (order files in and out);
- ``report``: the shift report's figures and its CSV (the PDF is drawn by the views);
- ``capability``: plugs the service into the runtime (tags in, system tags out);
- ``console``: ``hmi orders list|import|export|...``.
"""

from __future__ import annotations

from .capability import HEALTH_TAG, UNASSIGNED_TAG, OrdersCapability, line_tag
from .config import LINE_TYPES, LineConfig, OrdersConfig, orders_problems, read_orders
from .model import (
    TRANSITIONS,
    Correction,
    CountStep,
    MachineState,
    Oee,
    Order,
    OrderChange,
    OrderState,
    OutboxEvent,
    Reason,
    Scrap,
    ShiftReport,
    ShiftSpan,
    Stop,
    StopKind,
)
from .report import product_words
from .service import (
    ABORT,
    ASSIGN,
    COMPLETE,
    CORRECT,
    HOLD,
    MANAGE,
    REPORTS,
    SCRAP,
    START,
    ImportResult,
    Orders,
    OrdersError,
)

__all__ = [
    "ABORT",
    "ASSIGN",
    "COMPLETE",
    "CORRECT",
    "HEALTH_TAG",
    "HOLD",
    "LINE_TYPES",
    "MANAGE",
    "REPORTS",
    "SCRAP",
    "START",
    "TRANSITIONS",
    "UNASSIGNED_TAG",
    "Correction",
    "CountStep",
    "ImportResult",
    "LineConfig",
    "MachineState",
    "Oee",
    "Order",
    "OrderChange",
    "OrderState",
    "Orders",
    "OrdersCapability",
    "OrdersConfig",
    "OrdersError",
    "OutboxEvent",
    "Reason",
    "Scrap",
    "ShiftReport",
    "ShiftSpan",
    "Stop",
    "StopKind",
    "line_tag",
    "orders_problems",
    "product_words",
    "read_orders",
]
