"""OPC UA StatusCodes and client errors, told as the HMI's Quality plus a readable reason.

Pure functions: no connection needed, so the mapping is testable on its own.
"""

from __future__ import annotations

import asyncio
import socket
from functools import lru_cache

from asyncua import ua
from asyncua.ua import status_codes

from hmi.core.tags import Quality

# The two top bits of a StatusCode are its severity; 11 is reserved and read as Bad.
_QUALITY_BY_SEVERITY = (Quality.GOOD, Quality.UNCERTAIN, Quality.BAD, Quality.BAD)


def code_of(status: ua.StatusCode | int | None) -> int:
    if status is None:
        return 0
    return status if isinstance(status, int) else int(status.value)


def quality_of(status: ua.StatusCode | int | None) -> Quality:
    return _QUALITY_BY_SEVERITY[(code_of(status) >> 30) & 3]


@lru_cache(maxsize=512)
def describe(code: int) -> str:
    """``BadNodeIdUnknown: the node id refers to a node that does not exist ...``"""
    name, doc = status_codes.get_name_and_doc(code)
    doc = doc.strip().rstrip(".")
    if not doc:
        return name
    return f"{name}: {doc[0].lower()}{doc[1:]}"


def status_to_quality(status: ua.StatusCode | int | None) -> tuple[Quality, str]:
    """Quality and reason of a StatusCode; the reason is empty when the quality is Good."""
    code = code_of(status)
    quality = _QUALITY_BY_SEVERITY[(code >> 30) & 3]
    return quality, ("" if quality is Quality.GOOD else describe(code))


def describe_error(exc: BaseException, timeout: float | None = None) -> str:
    """One line an operator can act on, for any failure of a request or a connection."""
    if isinstance(exc, ua.UaStatusCodeError):
        return describe(int(exc.code))
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return f"no answer within {timeout:g} s" if timeout else "no answer (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused: no OPC UA server is listening at the endpoint"
    if isinstance(exc, socket.gaierror):
        return f"host name not found ({exc.strerror or exc})"
    if isinstance(exc, ConnectionError):
        text = str(exc).strip() or type(exc).__name__
        return text if text.lower().startswith("connection lost") else f"connection lost: {text}"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc or type(exc).__name__}"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
