"""Options of an ``opcua`` device and tag addresses, as ``hmi check`` reports them."""

from __future__ import annotations

import pytest
from asyncua import ua

from drivers.opcua import OpcUaDriver
from drivers.opcua.options import OpcUaOptions, options_of, parse_address, parse_options
from hmi.core.checks import check_all
from hmi.core.driver import DeviceStatus, DriverContext
from hmi.core.project.models import DeviceConfig, Source, TagConfig
from hmi.core.secrets import SecretError, open_store
from tests.helpers import RecordingSink

SOURCE = Source("project.yaml", 12)


def device(**options) -> DeviceConfig:
    return DeviceConfig("filler_plc", "opcua", options, source=SOURCE)


def problems(**options) -> list[str]:
    found = OpcUaDriver.validate_device(device(**options))
    assert all(p.source == SOURCE for p in found)
    return [p.message for p in found]


def test_defaults():
    opts = options_of(device(endpoint="opc.tcp://10.0.0.5:4840"))
    assert opts == OpcUaOptions(
        endpoint="opc.tcp://10.0.0.5:4840", application_uri=opts.application_uri
    )
    assert (opts.security, opts.timeout, opts.subscriptions) == ("None", 4.0, True)
    assert opts.application_uri.startswith("urn:") and not opts.secure


def test_all_options_are_read(stored_secret):
    opts = options_of(
        device(
            endpoint="opc.tcp://plc:4840/ua/server",
            security="basic256sha256",
            mode="Sign",
            username="operator",
            password={"secret": "plc_login"},
            timeout="500ms",
            subscriptions="false",
            server_certificate="pki/plc.der",
            application_uri="urn:line-pc:hmi",
            max_items_per_request=200,
        )
    )
    assert (opts.security, opts.mode, opts.secure) == ("Basic256Sha256", "Sign", True)
    assert (opts.username, opts.password_secret, opts.password) == ("operator", "plc_login", "1234")
    assert (opts.timeout, opts.subscriptions, opts.max_items_per_request) == (0.5, False, 200)
    assert opts.server_certificate == "pki/plc.der"  # beside project.yaml
    assert opts.application_uri == "urn:line-pc:hmi"


@pytest.fixture
def stored_secret(tmp_path, monkeypatch):
    """A file secrets store of this test's own holding plc_login = 1234."""
    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    open_store().set("plc_login", "1234")


def test_the_password_is_a_secret_reference_read_when_the_session_opens(stored_secret):
    for written in ("secret:plc_login", {"secret": "plc_login"}):
        opts = options_of(
            device(endpoint="opc.tcp://plc:4840", username="operator", password=written)
        )
        assert opts.password_secret == "plc_login" and opts.password == "1234"
        assert "1234" not in repr(opts)
    missing = options_of(
        device(endpoint="opc.tcp://plc:4840", username="operator", password="secret:plc_other")
    )
    with pytest.raises(SecretError, match="hmi secret set plc_other"):
        assert missing.password


@pytest.mark.parametrize("written", ["hunter2-plain", 987654321, {"secret": "9 bad"}])
def test_a_password_written_in_the_project_is_refused_and_never_repeated(written):
    found = problems(endpoint="opc.tcp://plc:4840", username="operator", password=written)
    assert len(found) == 1, found
    if isinstance(written, dict):
        assert "is not a secret name" in found[0]
    else:
        assert "never written in the project" in found[0]
        assert "hmi secret set NAME" in found[0] and "password: {secret: NAME}" in found[0]
        assert str(written) not in found[0]


def test_hmi_check_names_the_line_of_a_plain_password(tmp_path, caplog):
    (tmp_path / "project.yaml").write_text(
        """\
project:
  name: Plain password
devices:
  filler_plc:
    protocol: opcua
    endpoint: opc.tcp://127.0.0.1:4840
    username: operator
    password: hunter2-plain
""",
        encoding="utf-8",
    )
    _, found = check_all(tmp_path)
    text = "\n".join(str(p) for p in found)
    assert "project.yaml:8" in text and "hmi secret set NAME" in text, text
    assert "hunter2" not in text and "hunter2" not in caplog.text


def test_server_certificate_is_found_beside_the_project_file():
    dev = DeviceConfig(
        "plc",
        "opcua",
        {"endpoint": "opc.tcp://plc:4840", "server_certificate": "pki/plc.der"},
        source=Source("/plant/project.yaml", 3),
    )
    assert options_of(dev).server_certificate == "/plant/pki/plc.der"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "endpoint is missing (e.g. opc.tcp://192.168.0.10:4840)"),
        ({"endpoint": "http://plc:4840"}, "endpoint 'http://plc:4840' must start with opc.tcp://"),
        ({"endpoint": "opc.tcp://:4840"}, "has no host"),
        ({"endpoint": "opc.tcp://plc:port"}, "has an invalid port"),
        ({"endpoint": 4840}, "endpoint must be text"),
        (
            {"security": "Basic128Rsa15"},
            "security 'Basic128Rsa15' is not one of: None, Basic256Sha256",
        ),
        ({"mode": "Encrypt"}, "mode 'Encrypt' is not one of: Sign, SignAndEncrypt"),
        ({"username": "operator"}, "username is given without a password"),
        ({"password": "secret"}, "password is given without a username"),
        ({"timeout": "soon"}, "timeout: expected a duration (e.g. 100ms, 1s"),
        ({"timeout": 0}, "timeout: 0 is too short; use 10ms to 10min"),
        ({"timeout": "1e308s"}, "timeout: 1e308s is too long; use 10ms to 10min"),
        ({"retries": -1}, "retries: -1 is not a whole number from 0 to 10"),
        ({"subscriptions": "maybe"}, "subscriptions 'maybe' must be true or false"),
        ({"application_uri": "hmi"}, "application_uri 'hmi' must be a URI"),
        ({"max_items_per_request": 0}, "max_items_per_request '0' must be a whole number"),
        ({"endpiont": "x"}, "unknown option 'endpiont' for an opcua device"),
    ],
)
def test_each_problem_is_reported(options, message):
    base = {"endpoint": "opc.tcp://plc:4840"}
    found = problems(**(base | options if options else {}))
    assert any(message in p for p in found), found


def test_a_problem_points_at_the_line_of_its_option():
    dev = DeviceConfig(
        "ua",
        "opcua",
        {"endpoint": "http://nowhere", "timeout": "1s", "mode": "Encrypt"},
        source=Source("project.yaml", 7),
        field_sources={
            "endpoint": Source("project.yaml", 9),
            "mode": Source("project.yaml", 11),
        },
    )
    found = {str(p.source): p.message for p in OpcUaDriver.validate_device(dev)}
    assert found == {
        "project.yaml:9": "device 'ua': endpoint 'http://nowhere' must start with opc.tcp://"
        " (e.g. opc.tcp://192.168.0.10:4840)",
        "project.yaml:11": "device 'ua': mode 'Encrypt' is not one of: Sign, SignAndEncrypt",
    }


def test_every_problem_is_reported_not_just_the_first():
    found = problems(endpoint="tcp://plc", security="AES", username="u", timeout=-1)
    assert len(found) == 4


def test_common_device_keys_are_not_unknown_options():
    assert problems(endpoint="opc.tcp://plc:4840", line="line2", description="Filler") == []


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("ns=2;s=Filler.Speed", ua.NodeId("Filler.Speed", 2)),
        ("ns=3;i=1001", ua.NodeId(1001, 3)),
        (" i=2258 ", ua.NodeId(2258, 0)),
    ],
)
def test_node_id_addresses(address, expected):
    assert parse_address(address) == expected


def test_namespace_uri_addresses_keep_the_uri():
    node_id = parse_address("nsu=urn:filler:plc;s=Speed")
    assert node_id.NamespaceUri == "urn:filler:plc"
    assert node_id.Identifier == "Speed"


@pytest.mark.parametrize("address", ["", "Speed", "ns=x;i=1", "ns=2;i=abc", "ns=2;s="])
def test_bad_addresses_are_problems_of_the_tag(address):
    tag = TagConfig(
        "line2.speed",
        device="filler_plc",
        address=address,
        source=Source("tags.yaml", 4),
        field_sources={"address": Source("tags.yaml", 6)},
    )
    found = OpcUaDriver.validate_tag(device(endpoint="opc.tcp://plc:4840"), tag)
    assert len(found) == 1
    assert found[0].source == Source("tags.yaml", 6)
    assert found[0].message.startswith("tag 'line2.speed': ")
    assert "ns=2;s=Filler.Speed" in found[0].message  # shows what would be right


def test_good_and_derived_tags_have_no_problems():
    dev = device(endpoint="opc.tcp://plc:4840")
    assert OpcUaDriver.validate_tag(dev, TagConfig("a", address="ns=2;s=A")) == []
    assert OpcUaDriver.validate_tag(dev, TagConfig("b", expr="a * 2")) == []


async def test_a_driver_with_bad_options_stops_with_the_reason(tmp_path):
    sink = RecordingSink()
    tags = [TagConfig("a", device="filler_plc", address="ns=2;s=A")]
    ctx = DriverContext(device(endpoint="http://plc"), tags, {}, sink, data_dir=str(tmp_path))
    driver = OpcUaDriver(ctx)
    await driver.start()
    assert sink.last_state.status is DeviceStatus.STOPPED
    assert "must start with opc.tcp://" in sink.last_state.reason
    assert sink.latest["a"].quality.name == "BAD"
    assert "must start with opc.tcp://" in sink.latest["a"].reason
    result = await driver.write(TagConfig("a", address="ns=2;s=A", writable=True), 1.0)
    assert result.status.value == "failed"
    await driver.stop()


def test_parse_options_returns_problems_instead_of_raising():
    opts, found = parse_options(device(endpoint="opc.tcp://plc"))
    assert opts is not None and found == []
    opts, found = parse_options(device())
    assert opts is None and found
    with pytest.raises(ValueError, match="endpoint is missing"):
        options_of(device())
