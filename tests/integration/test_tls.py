"""TLS and mutual TLS from the server config (DESIGN §8), with certificates made in the test.

A private CA signs the server certificate (SAN localhost and 127.0.0.1, so no name override is needed) and a
trusted client certificate; a second, untrusted CA signs a rogue client certificate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from servertest import ADMIN_TOKEN, running

from coho.admin.v1 import server_admin_service_pb2 as pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import ClientTls, connect

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

Code = grpc.StatusCode


@dataclass(frozen=True)
class Issued:
    cert: Path
    key: Path
    certificate: Any
    private_key: Any


def _issue(directory: Path, name: str, *, issuer: Issued | None = None, ca: bool = False,
           sans: list[Any] | None = None, usage: Any = None) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.certificate.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    certificate = builder.sign(issuer.private_key if issuer else key, hashes.SHA256())
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return Issued(cert_path, key_path, certificate, key)


@dataclass(frozen=True)
class Pki:
    ca: Issued
    server: Issued
    client: Issued
    rogue_client: Issued


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    ca = _issue(tmp_path, "ca", ca=True)
    server = _issue(tmp_path, "server", issuer=ca, usage=ExtendedKeyUsageOID.SERVER_AUTH,
                    sans=[x509.DNSName("localhost"), x509.IPAddress(ip_address("127.0.0.1"))])
    client = _issue(tmp_path, "client", issuer=ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    rogue_ca = _issue(tmp_path, "rogue-ca", ca=True)
    rogue = _issue(tmp_path, "rogue-client", issuer=rogue_ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    return Pki(ca, server, client, rogue)




async def status_over(address: str, token: str | None, tls: ClientTls | None) -> pb.GetServerStatusResponse:
    async with connect(address, token, tls=tls) as channel:
        stub = admin_grpc.ServerAdminServiceStub(channel)
        reply: pb.GetServerStatusResponse = await stub.GetServerStatus(pb.GetServerStatusRequest(), timeout=5)
        return reply


async def refused(address: str, token: str | None, tls: ClientTls | None) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await status_over(address, token, tls)
    code: grpc.StatusCode = caught.value.code()
    return code


async def test_mutual_tls_admits_only_clients_with_a_certificate_from_the_client_ca(
    tmp_path: Path, pki: Pki
) -> None:
    tls = {"cert": str(pki.server.cert), "key": str(pki.server.key), "client_ca": str(pki.ca.cert)}
    async with running(tmp_path, tls=tls) as app:
        address = f"127.0.0.1:{app.port}"
        trusted = ClientTls(ca_cert=pki.ca.cert, client_cert=pki.client.cert, client_key=pki.client.key)
        assert (await status_over(address, ADMIN_TOKEN, trusted)).server_name == "test-server"
        # The certificate admits the connection; the bearer token still decides who the caller is.
        assert await refused(address, None, trusted) == Code.UNAUTHENTICATED

        rogue = ClientTls(ca_cert=pki.ca.cert, client_cert=pki.rogue_client.cert,
                          client_key=pki.rogue_client.key)
        assert await refused(address, ADMIN_TOKEN, rogue) == Code.UNAVAILABLE
        no_cert = ClientTls(ca_cert=pki.ca.cert)
        assert await refused(address, ADMIN_TOKEN, no_cert) == Code.UNAVAILABLE
        assert await refused(address, ADMIN_TOKEN, None) == Code.UNAVAILABLE


async def test_server_only_tls_checks_the_server_name_and_needs_no_client_certificate(
    tmp_path: Path, pki: Pki
) -> None:
    async with running(tmp_path, tls={"cert": str(pki.server.cert), "key": str(pki.server.key)}) as app:
        for host in ("127.0.0.1", "localhost"):
            reply = await status_over(f"{host}:{app.port}", ADMIN_TOKEN, ClientTls(ca_cert=pki.ca.cert))
            assert reply.server_name == "test-server"
        # A client that does not trust the server's CA refuses the handshake itself.
        wrong_roots = ClientTls(ca_cert=pki.rogue_client.cert)
        assert await refused(f"127.0.0.1:{app.port}", ADMIN_TOKEN, wrong_roots) == Code.UNAVAILABLE
        assert await refused(f"127.0.0.1:{app.port}", ADMIN_TOKEN, None) == Code.UNAVAILABLE
