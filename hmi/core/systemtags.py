"""The names of the core's own system tags: one place, so no file spells them again.

System tags (``_sys.*``) are the application's own values (device states, store health,
what each capability publishes); they need no project entry. Capabilities name theirs in
their own package and declare them in their ``Capability.system_tags``.
"""

from __future__ import annotations

SYSTEM_PREFIX = "_sys."
DEVICE_TAG_PREFIX = f"{SYSTEM_PREFIX}device."
#: "ok", or Bad with the reason while the local store cannot write (a full disk, ...)
STORE_HEALTH = f"{SYSTEM_PREFIX}store.health"


def device_status_tag(device: str) -> str:
    """The system tag that carries a device's connection state, for screens and alarms."""
    return f"{DEVICE_TAG_PREFIX}{device}"


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    """True if ``name`` is one of ``patterns`` or starts with one that ends in ``*``."""
    for pattern in patterns:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif name == pattern:
            return True
    return False
