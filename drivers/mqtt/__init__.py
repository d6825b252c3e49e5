"""MQTT driver (paho-mqtt): tags read from a broker's topics (the UNS JSON, other JSON,
raw text, Sparkplug B metrics), with quality, staleness and checked writes."""

from .driver import MqttDriver

__all__ = ["MqttDriver"]
