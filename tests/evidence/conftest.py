"""Fixtures for the evidence tests: one signing key per session and small logs built on demand."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from magento_ir.evidence import EvidenceLog, SigningKey
from tests.evidence._formats import new_logs_in

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey.generate("magento-ir-test")


def write_log(
    path: Path,
    key: SigningKey,
    count: int,
    *,
    checkpoint_every: int | None = None,
    version: int | None = None,
) -> Path:
    """A log with a custody record then `count` detection records, closed (so checkpointed),
    in record format `version` (None: the one new logs get)."""
    with (
        new_logs_in(version),
        EvidenceLog.open(
            path, key=key, sync="batch", checkpoint_every=checkpoint_every, user="tester",
            host="lab",
        ) as log,
    ):  # fmt: skip
        for number in range(count):
            log.append("detection", {"number": number, "text": f"finding {number} \u00e9"})
    return path


@pytest.fixture
def log_version(request: pytest.FixtureRequest) -> int | None:
    """The record format `make_log` writes: None (the default for new logs) unless a test is
    parametrized over versions (`tests.evidence._formats.both_formats`)."""
    version: int | None = getattr(request, "param", None)
    return version


@pytest.fixture
def make_log(
    tmp_path: Path, signing_key: SigningKey, log_version: int | None
) -> Callable[..., Path]:
    def make(count: int = 5, name: str = "evidence.log", **options: int | None) -> Path:
        options.setdefault("version", log_version)
        return write_log(tmp_path / name, signing_key, count, **options)

    return make


@dataclass(frozen=True)
class LoopbackCA:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost, as PEM files."""

    ca: Path
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert), str(self.key))
        return context


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> LoopbackCA:
    directory = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "magento_ir test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = LoopbackCA(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    paths.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    paths.key.chmod(0o600)
    return paths


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
