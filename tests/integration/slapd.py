"""A throw-away OpenLDAP slapd on 127.0.0.1 for the directory sign-in tests.

cn=config is built with slapadd in a temporary folder (mdb backend, the memberof overlay
so users carry memberOf as Active Directory's do), with a CA and server certificate
made here with ``cryptography``; slapd serves ldap:// (StartTLS) and ldaps:// on free
ports. People and groups are added over LDAP after start, so memberof fills memberOf.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SUFFIX = "dc=plant,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "admin-secret-1"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
# user -> (password, groups)
USERS = {
    "olga": ("olga-pass-1", ["Line Operators"]),
    "sam": ("sam-pass-1", ["Line Operators", "Line Supervisors"]),
    "nora": ("nora-pass-1", ["Visitors"]),
}

CONFIG = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {dir}/slapd.pid
olcTLSCACertificateFile: {dir}/ca.pem
olcTLSCertificateFile: {dir}/server.pem
olcTLSCertificateKeyFile: {dir}/server.key

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {suffix}
olcRootDN: {admin}
olcRootPW: {password}
olcDbDirectory: {dir}/data
olcAccess: {{0}}to attrs=userPassword by self read by anonymous auth by * none
olcAccess: {{1}}to * by * read

dn: olcOverlay={{0}}memberof,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {{0}}memberof
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf
"""


def available() -> str | None:
    """Why slapd cannot run here, or None."""
    if not Path(SLAPD).exists() or not Path(SLAPADD).exists():
        return "OpenLDAP slapd is not installed (apt-get install slapd ldap-utils)"
    if not Path("/usr/lib/ldap/memberof.la").exists():
        return "the slapd memberof overlay is missing"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(folder: Path, stem: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA, its certificate written to ``folder/stem.pem``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{stem} test CA"))
        .issuer_name(_name(f"{stem} test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def make_server_cert(
    folder: Path, ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )


class Slapd:
    """slapd in ``folder``: ``start()``, ``stop()`` (and start again on the same ports)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()  # ldap:// with StartTLS
        self.tls_port = free_port()  # ldaps://
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "data").mkdir(exist_ok=True)
        (folder / "slapd.d").mkdir(exist_ok=True)
        ca_key, ca = make_ca(folder, "ca")
        make_server_cert(folder, ca_key, ca)
        make_ca(folder, "other-ca")  # a CA that signed nothing the server shows
        ldif = CONFIG.format(dir=folder, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD)
        (folder / "config.ldif").write_text(ldif, encoding="utf-8")
        result = subprocess.run(
            [SLAPADD, "-n0", "-F", str(folder / "slapd.d"), "-l", str(folder / "config.ldif")],
            capture_output=True,
            timeout=30,
        )
        if result.returncode != 0:
            raise RuntimeError(f"slapadd failed: {result.stderr.decode(errors='replace')}")
        self.loaded = False

    @property
    def ldap_url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def start(self) -> None:
        urls = f"{self.ldap_url}/ {self.ldaps_url}/"
        self.process = subprocess.Popen(
            [SLAPD, "-d", "0", "-F", str(self.folder / "slapd.d"), "-h", urls],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "slapd.log").open("ab"),
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.folder / "slapd.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"slapd exited with {self.process.returncode}: {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=0.5):
                    pass
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError("slapd did not listen within 15 s")
        if not self.loaded:
            self._load()
            self.loaded = True

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _load(self) -> None:
        """People and groups, added as the administrator so memberof fills memberOf."""
        import ssl

        from ldap3 import Connection, Server, Tls

        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(self.folder / "ca.pem"))
        server = Server(self.ldaps_url, use_ssl=True, tls=tls, connect_timeout=5)
        conn = Connection(server, ADMIN_DN, ADMIN_PASSWORD, auto_bind=True, receive_timeout=5)
        try:
            conn.add(SUFFIX, ["dcObject", "organization"], {"o": "Plant", "dc": "plant"})
            conn.add(PEOPLE, ["organizationalUnit"], {"ou": "people"})
            conn.add(GROUPS, ["organizationalUnit"], {"ou": "groups"})
            for user, (password, _) in USERS.items():
                conn.add(
                    f"uid={user},{PEOPLE}",
                    ["inetOrgPerson"],
                    {
                        "cn": user.title(),
                        "sn": user.title(),
                        "displayName": f"{user.title()} Tester",
                        "userPassword": password,
                    },
                )
            groups = sorted({g for _, gs in USERS.values() for g in gs})
            for group in groups:
                members = [f"uid={u},{PEOPLE}" for u, (_, gs) in USERS.items() if group in gs]
                ok = conn.add(f"cn={group},{GROUPS}", ["groupOfNames"], {"member": members})
                if not ok:
                    raise RuntimeError(f"adding {group} failed: {conn.result}")
        finally:
            conn.unbind()
