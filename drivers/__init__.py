"""Protocol drivers, each registered under the ``hmi.drivers`` entry-point group."""
