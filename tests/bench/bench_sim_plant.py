"""Demo plant cost per 100 ms step: model stepping, and publishing into both servers.

Publishing is measured against the naive way in the same run: Modbus writes one register
image per area instead of one datastore call per point; OPC UA writes only the variables
that changed instead of every variable on every step.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from asyncua import ua

from drivers.simulator.filler import FillerModel
from drivers.simulator.modbus_server import PressModbusServer, encode
from drivers.simulator.opcua_server import FillerOpcUaServer, _as_variant
from drivers.simulator.press import PressModel
from tests.bench.common import median, percentile, report
from tests.helpers import free_port

STEPS = 300
MODEL_SECONDS = 3600.0


def model_step_us(model_class) -> tuple[list[float], float]:
    """Per-step wall time in µs, and model seconds simulated per wall second."""
    model = model_class(seed=1, auto_recover_s=120.0)
    timings = []
    start = time.perf_counter()
    for _ in range(int(MODEL_SECONDS / model.DT)):
        t0 = time.perf_counter()
        model.advance(model.DT)
        timings.append((time.perf_counter() - t0) * 1e6)
    return timings, MODEL_SECONDS / (time.perf_counter() - start)


async def timed(model, publish) -> list[float]:
    timings = []
    for _ in range(STEPS):
        model.advance(model.DT)
        t0 = time.perf_counter()
        await publish()
        timings.append((time.perf_counter() - t0) * 1e6)
    return timings


async def modbus_figures() -> tuple[list[float], list[float]]:
    press = PressModel(seed=1)
    server = PressModbusServer(press, port=free_port())
    await server.start()
    datastore = server._server
    codes = {"co": 5, "di": 2, "hr": 16, "ir": 4}

    async def per_point() -> None:
        server._publishing = True
        snapshot = press.snapshot()
        for point in server.points:
            if point.kind == "bool":
                values = [bool(snapshot[point.name])]
            else:
                values = encode(point, snapshot[point.name])
            await datastore.async_setValues(1, codes[point.area], point.address, values)
        server._publishing = False

    try:
        area_image = await timed(press, server.publish)
        naive = await timed(press, per_point)
    finally:
        await server.stop()
    return area_image, naive


async def opcua_figures() -> tuple[list[float], list[float]]:
    filler = FillerModel(seed=1)
    server = FillerOpcUaServer(filler, port=free_port())
    await server.start()
    uaserver = server._server

    async def every_variable() -> None:
        now = datetime.now(UTC)
        snapshot = filler.snapshot()
        for point in server.points:
            data = ua.DataValue(
                _as_variant(point, snapshot[point.name]), SourceTimestamp=now, ServerTimestamp=now
            )
            await uaserver.write_attribute_value(server.node_id(point.name), data)

    try:
        changed_only = await timed(filler, server.publish)
        naive = await timed(filler, every_variable)
    finally:
        await server.stop()
    return changed_only, naive


def main() -> None:
    press_us, press_speed = model_step_us(PressModel)
    filler_us, filler_speed = model_step_us(FillerModel)
    area_image, per_point = asyncio.run(modbus_figures())
    changed_only, every_variable = asyncio.run(opcua_figures())
    report(
        "sim_plant",
        press_step_us_median=median(press_us),
        press_step_us_p99=percentile(press_us, 99),
        press_model_s_per_wall_s=press_speed,
        filler_step_us_median=median(filler_us),
        filler_step_us_p99=percentile(filler_us, 99),
        filler_model_s_per_wall_s=filler_speed,
        modbus_publish_us_median=median(area_image),
        modbus_publish_us_p99=percentile(area_image, 99),
        modbus_per_point_us_median=median(per_point),
        modbus_speedup=median(per_point) / median(area_image),
        opcua_publish_us_median=median(changed_only),
        opcua_publish_us_p99=percentile(changed_only, 99),
        opcua_every_variable_us_median=median(every_variable),
        opcua_speedup=median(every_variable) / median(changed_only),
    )


if __name__ == "__main__":
    main()
