"""Linea HMI: operator HMI/SCADA for production lines."""

__version__ = "0.1.0"
