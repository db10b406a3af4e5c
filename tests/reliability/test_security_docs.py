"""SECURITY.md's examples really work (issue #8).

Every YAML snippet validates against the real config models. The OpenSSL recipe is run as printed, and
its certificates, put into the mTLS cohort snippet (with local addresses and paths), replicate between two
in-process members.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from cohortharness import add_entity, rt, until

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import ClientTls, connect
from coho.daemon.config import DaemonConfig
from coho.server.app import ServerApp
from coho.server.config import ServerConfig

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SECURITY_MD = Path(__file__).resolve().parents[2] / "SECURITY.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SECURITY_MD.read_text(encoding="utf-8"), re.DOTALL)


def test_every_yaml_snippet_is_a_valid_config() -> None:
    snippets = [yaml.safe_load(text) for text in blocks("yaml")]
    assert len(snippets) >= 4
    kinds = []
    for data in snippets:
        if "daemon_name" in data:
            DaemonConfig.model_validate(data)
            kinds.append("daemon")
        elif set(data) == {"tls"}:
            ServerConfig.model_validate(data)
            kinds.append("fragment")
        else:
            config = ServerConfig.model_validate(data)
            kinds.append("cohort" if config.cohorts else "server")
    assert {"daemon", "fragment", "cohort", "server"} <= set(kinds)


def run_recipe(directory: Path, name: str, host: str) -> None:
    recipe = blocks("bash")[-1].replace("cocoMDS1", name).replace("mds1.example.com", host)
    if name != "cocoMDS1":  # one CA: later members only issue their own certificate
        recipe = "\n".join(recipe.split("\n")[2:])
    subprocess.run(["bash", "-euc", recipe], cwd=directory, check=True, capture_output=True, timeout=60)


def issue_with_recipe(directory: Path) -> None:
    run_recipe(directory, "cocoMDS1", "localhost")
    run_recipe(directory, "cocoMDS2", "localhost")
    for key in directory.glob("*.key"):
        assert key.stat().st_mode & 0o077 == 0, key


def cohort_member(directory: Path, name: str, seeds: list[str]) -> ServerApp:
    data: dict[str, Any] = yaml.safe_load(next(b for b in blocks("yaml") if "cohorts:" in b and "client_ca" in b))
    data.update(server_name=name, listen="127.0.0.1:0", data_dir=str(directory / name), shutdown_grace_seconds=0.5)
    data["tls"] = {"cert": str(directory / f"{name}.crt"), "key": str(directory / f"{name}.key"),
                   "client_ca": str(directory / "coho-ca.crt")}
    # Both members present and accept the one peer token of the snippet, so either may subscribe to the other.
    token = data["cohorts"][0]["token"]
    data["auth"]["tokens"][token] = {"user": "peer", "roles": ["peer"]}
    data["cohorts"][0].update(seeds=seeds, endpoint=None, heartbeat_seconds=0.5, reconnect_max_seconds=0.5)
    return ServerApp(ServerConfig.model_validate(data))


async def test_the_openssl_recipe_and_the_mtls_cohort_snippet_work_together(tmp_path: Path) -> None:
    issue_with_recipe(tmp_path)
    async with cohort_member(tmp_path, "cocoMDS1", []) as one, \
            cohort_member(tmp_path, "cocoMDS2", [one.address]) as two:
        first, second = (await add_entity(one)).header.guid, (await add_entity(two)).header.guid
        await until(lambda: rt(two).store.get_entity(first) is not None and rt(one).store.get_entity(second)
                    is not None, 30, "replication both ways over the recipe's mTLS")
        tls = ClientTls(ca_cert=tmp_path / "coho-ca.crt", client_cert=tmp_path / "cocoMDS2.crt",
                        client_key=tmp_path / "cocoMDS2.key")
        async with connect(one.address, "change-me-admin-token", tls=tls) as channel:
            status = await admin_grpc.ServerAdminServiceStub(channel).GetServerStatus(
                admin_pb.GetServerStatusRequest(), timeout=10)
        assert status.server_name == "cocoMDS1"
