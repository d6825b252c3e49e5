from hmi.core.plugins import BUILTIN, discover, driver_problems
from hmi.core.project.models import DeviceConfig, Project, Source


def test_builtin_drivers_load_through_entry_points():
    registry = discover()
    assert set(BUILTIN) <= set(registry.drivers), registry.errors
    for protocol, cls in registry.drivers.items():
        assert cls.protocol == protocol


def test_a_broken_driver_is_reported_and_skipped_while_the_rest_load():
    registry = discover(
        {
            "modbus": BUILTIN["modbus"],
            "broken": "drivers.does_not_exist:Nothing",
            "notadriver": "hmi.core.tags:TagValue",
        }
    )
    assert "modbus" in registry.drivers
    assert "ModuleNotFoundError" in registry.errors["broken"]
    assert "not a Driver" in registry.errors["notadriver"]
    assert "failed to load" in registry.describe_missing("broken")


def test_a_device_with_an_unknown_protocol_is_a_problem_at_its_line():
    project = Project(
        name="p",
        root=".",
        devices={"x": DeviceConfig("x", "profibus", source=Source("project.yaml", 7))},
    )
    (problem,) = driver_problems(project)
    assert str(problem).startswith("project.yaml:7: unknown protocol 'profibus'")
    assert "modbus" in problem.message
