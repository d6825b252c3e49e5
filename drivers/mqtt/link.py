"""Opening and closing a device's broker connection, the same for reading and browsing:
the shared MQTT client (``hmi.core.mes.connect_client``: verified TLS, the password from
the secrets store) with a clean session, the subscriptions being made anew each time."""

from __future__ import annotations

import asyncio

import paho.mqtt.client as mqtt

from hmi.core.mes import TargetError, connect_client

from .options import MqttOptions


async def open_client(options: MqttOptions) -> mqtt.Client:
    """A connected client (CONNACK received), its network thread running; ``OSError``
    says in words why there is none (refused, credentials, certificate, no answer)."""
    try:
        return await asyncio.to_thread(
            connect_client, options.settings, clean=True, timeout=options.connection.connect_timeout
        )
    except TargetError as exc:
        raise OSError(str(exc)) from None


async def close_client(client: mqtt.Client) -> None:
    """Disconnect and stop the network thread (off the loop: it joins the thread)."""
    await asyncio.to_thread(_close, client)


def _close(client: mqtt.Client) -> None:
    client.disconnect()
    client.loop_stop()
