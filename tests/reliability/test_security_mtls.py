"""A cohort over mutual TLS with certificates made in the test (issue #8, DESIGN §5 and §8).

Every member serves mTLS (``tls.client_ca``) and calls its peers with its own certificate
(:func:`coho.server.cohort.transport.peer_client_tls`). A member whose certificate comes from another CA, and
a member that speaks plaintext, hold the right peer bearer token, yet neither may replicate to or from the
cohort: the TLS handshake refuses them before any token is read.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import grpc
import pytest
from cohortharness import COHORT, add_entity, cohort_entry, member_id, rt, until, wait_connected
from cryptography import x509
from integration.test_tls import Issued, _issue
from servertest import ADMIN_TOKEN, server_config

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import ClientTls, connect
from coho.server.app import ServerApp
from coho.server.cohort.transport import peer_client_tls

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

LOCAL_SANS = [x509.DNSName("localhost"), x509.IPAddress(ip_address("127.0.0.1"))]


@dataclass(frozen=True)
class CohortPki:
    ca: Issued
    rogue_ca: Issued
    directory: Path

    def member(self, name: str, *, rogue: bool = False) -> Issued:
        # No extended key usage: a member's one certificate serves its listener and its calls to peers.
        return _issue(self.directory, name, issuer=self.rogue_ca if rogue else self.ca, sans=LOCAL_SANS)


@pytest.fixture
def pki(tmp_path: Path) -> CohortPki:
    directory = tmp_path / "pki"
    directory.mkdir()
    return CohortPki(_issue(directory, "cohort-ca", ca=True), _issue(directory, "rogue-ca", ca=True), directory)


async def start_tls_member(tmp_path: Path, name: str, seeds: list[str], tls: dict[str, str] | None) -> ServerApp:
    overrides: dict[str, Any] = {"server_name": name, "cohorts": [cohort_entry(seeds)]}
    if tls is not None:
        overrides["tls"] = tls
    app = ServerApp(server_config(tmp_path / name, **overrides))
    await app.start()
    return app


def mtls(issued: Issued, client_ca: Issued) -> dict[str, str]:
    return {"cert": str(issued.cert), "key": str(issued.key), "client_ca": str(client_ca.cert)}


def holds(app: ServerApp, guid: str) -> bool:
    return rt(app).store.get_entity(guid) is not None


def subscription_to(app: ServerApp, endpoint: str) -> Any:
    return next(s for s in rt(app).cohort.membership(COHORT).subscriptions if s.endpoint == endpoint)


def test_peer_client_tls_follows_the_server_tls_settings(tmp_path: Path) -> None:
    assert peer_client_tls(server_config(tmp_path)) is None
    server_only = server_config(tmp_path, tls={"cert": "/pki/m.crt", "key": "/pki/m.key"})
    assert peer_client_tls(server_only) == ClientTls()
    mutual = server_config(tmp_path, tls={"cert": "/pki/m.crt", "key": "/pki/m.key", "client_ca": "/pki/ca.crt"})
    assert peer_client_tls(mutual) == ClientTls(ca_cert=Path("/pki/ca.crt"), client_cert=Path("/pki/m.crt"),
                                                client_key=Path("/pki/m.key"))


async def test_two_members_replicate_both_ways_over_mutual_tls(tmp_path: Path, pki: CohortPki) -> None:
    a = await start_tls_member(tmp_path, "m0", [], mtls(pki.member("m0"), pki.ca))
    try:
        b = await start_tls_member(tmp_path, "m1", [a.address], mtls(pki.member("m1"), pki.ca))
        try:
            await wait_connected([a, b], limit=30)
            from_a = (await add_entity(a)).header.guid
            from_b = (await add_entity(b)).header.guid
            await until(lambda: holds(b, from_a) and holds(a, from_b), 30, "replication both ways over mTLS")
            # The listeners really are mTLS: plaintext and certificate-less clients are refused at the handshake.
            for tls in (None, ClientTls(ca_cert=pki.ca.cert)):
                async with connect(a.address, ADMIN_TOKEN, tls=tls) as channel:
                    with pytest.raises(grpc.aio.AioRpcError) as refused:
                        await admin_grpc.ServerAdminServiceStub(channel).GetServerStatus(
                            admin_pb.GetServerStatusRequest(), timeout=5)
                    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        finally:
            await b.stop()
    finally:
        await a.stop()


async def test_untrusted_and_plaintext_peers_are_refused_and_nothing_replicates(
    tmp_path: Path, pki: CohortPki
) -> None:
    a = await start_tls_member(tmp_path, "m0", [], mtls(pki.member("m0"), pki.ca))
    b = rogue = plain = None
    try:
        b = await start_tls_member(tmp_path, "m1", [a.address], mtls(pki.member("m1"), pki.ca))
        await wait_connected([a, b], limit=30)
        # The rogue trusts the cohort's CA and holds the right peer token; only its own certificate is foreign.
        rogue = await start_tls_member(tmp_path, "rogue", [a.address],
                                       mtls(pki.member("rogue", rogue=True), pki.ca))
        plain = await start_tls_member(tmp_path, "plain", [a.address], None)
        outsiders = [rogue, plain]
        inside = (await add_entity(a)).header.guid
        leaked = [(await add_entity(o)).header.guid for o in outsiders]

        await until(lambda: holds(b, inside), 30, "the trusted member to replicate")
        # Both outsiders have tried and failed at the handshake at least once...
        await until(lambda: all(subscription_to(o, a.address).status.last_error for o in outsiders), 30,
                    "the outsiders' subscriptions to fail")
        for outsider in outsiders:
            error = subscription_to(outsider, a.address).status.last_error
            assert "UNAVAILABLE" in error, error
        # ... and keep failing while the cohort keeps replicating: a bounded watch, polled.
        settle = time.monotonic() + 3.0
        while time.monotonic() < settle:
            for outsider in outsiders:
                assert subscription_to(outsider, a.address).connects == 0
                assert not holds(outsider, inside)
            for member in (a, b):
                assert not any(holds(member, guid) for guid in leaked)
            await asyncio.sleep(0.1)
        known = {m.registration.metadata_collection_id for m in rt(a).cohort.members(COHORT)}
        assert member_id(b) in known
        assert member_id(rogue) not in known and member_id(plain) not in known
    finally:
        for app in (plain, rogue, b, a):
            if app is not None:
                await app.stop()
