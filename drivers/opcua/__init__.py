"""OPC UA driver (asyncua client): subscriptions per scan class, polling fallback,
Basic256Sha256 security, checked writes, and browsing for tag import."""

from .browse import browse
from .driver import OpcUaDriver

__all__ = ["OpcUaDriver", "browse"]
