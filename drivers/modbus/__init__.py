"""Modbus TCP/RTU driver: block-read planning, per-tag byte/word order, read-back writes."""

from .driver import ModbusDriver

__all__ = ["ModbusDriver"]
