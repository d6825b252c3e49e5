"""The supervisor's subscription to the broker: the fleet's topics under each root, every
message handed to the model, connected again (with backoff) whenever the broker goes.

While the broker is out of reach the lines are marked unknown with why, never shown as
if live; the retained topics bring them back as soon as the connection is made again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from .model import FleetModel

log = logging.getLogger("hmi.fleet")
RETRY_MIN_S, RETRY_MAX_S = 1.0, 30.0


class BrokerLink:
    """Follows ``model``'s roots on the broker of ``settings`` (``hmi.core.mes.MqttSettings``)."""

    def __init__(
        self,
        settings: Any,
        model: FleetModel,
        on_status: Callable[[str | None], None] = lambda problem: None,
        secrets: Any = None,
    ):
        self.settings = settings
        self.secrets = secrets  # the store the password is read from (None: the station's)
        self.model = model
        self.on_status = on_status
        self.problem: str | None = "not connected yet"
        self._client: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> BrokerLink:
        self._thread = threading.Thread(target=self._run, name="fleet-link", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        client, self._client = self._client, None
        if client is not None:
            client.on_disconnect = None
            client.disconnect()
            client.loop_stop()

    def _run(self) -> None:
        """Connect, and again after a refusal, until stopped; paho reconnects by itself
        once a first connection was made."""
        from ..mes import TargetError, connect_client

        wait = RETRY_MIN_S
        while not self._stop.is_set():
            try:
                client = connect_client(self.settings, clean=True, secrets=self.secrets)
            except TargetError as error:
                self._status(str(error))
                self._stop.wait(wait)
                wait = min(wait * 2, RETRY_MAX_S)
                continue
            if self._stop.is_set():  # stopped while connecting: stop() found no client
                client.disconnect()
                client.loop_stop()
                return
            client.on_message = self._message
            client.on_connect = self._connected
            client.on_disconnect = self._disconnected
            self._client = client
            self._subscribe(client)
            return

    def _subscribe(self, client: Any) -> None:
        topics = [(topic, 1) for topic in self.model.roots.subscriptions()]
        client.subscribe(topics)
        self._status(None)

    def _connected(self, client: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self._status(f"{self.settings.where} refused the connection ({reason})")
        else:
            self._subscribe(client)

    def _disconnected(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self._status(f"connection to {self.settings.where} lost ({reason})")

    def _message(self, _c: Any, _u: Any, message: Any) -> None:
        try:
            self.model.receive(message.topic, message.payload)
        except Exception:  # a model bug must not end the network thread
            log.exception("fleet: handling %s failed", message.topic)

    def _status(self, problem: str | None) -> None:
        if problem != self.problem:
            if problem:
                log.warning("fleet: %s", problem)
            else:
                log.info("fleet: following %s", self.settings.where)
        self.problem = problem
        self.model.set_link(problem)
        self.on_status(problem)
