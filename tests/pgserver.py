"""A real PostgreSQL server for tests: ``COHO_TEST_PG_DSN`` when set (CI starts one with scripts/pg-cluster),
else a private cluster started here with scripts/pg-cluster and stopped at the end of the session.

    from pgserver import pg_server, fresh_database  # noqa: F401  (pg_server is a session fixture)

    def test_x(pg_server): dsn = fresh_database(pg_server, "test_x")

Missing PostgreSQL binaries FAIL the tests that need them, with a message saying how to install them: a
skipped database test is a test that silently never runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

ROOT = Path(__file__).resolve().parents[1]
PG_CLUSTER = ROOT / "scripts" / "pg-cluster"
PASSWORD_GROUP = "coho_password_login"
ENV = "COHO_TEST_PG_DSN"


@dataclass(frozen=True)
class PgServer:
    dsn: str
    """A superuser DSN (the cluster's ``postgres`` role, trusted on loopback)."""

    @property
    def params(self) -> dict[str, str]:
        return {k: str(v) for k, v in conninfo.conninfo_to_dict(self.dsn).items()}

    @property
    def host(self) -> str:
        return self.params.get("host", "127.0.0.1")

    @property
    def port(self) -> int:
        return int(self.params.get("port", "5432"))

    @property
    def user(self) -> str:
        return self.params.get("user", "postgres")

    def connect(self, dbname: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
        dsn = conninfo.make_conninfo(self.dsn, dbname=dbname) if dbname else self.dsn
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)


def _start_private(directory: Path) -> str:
    result = subprocess.run([str(PG_CLUSTER), "start", str(directory)], capture_output=True, text=True,
                            timeout=180, check=False)
    if result.returncode != 0:
        pytest.fail(f"scripts/pg-cluster could not start PostgreSQL (exit {result.returncode}):\n{result.stderr}"
                    "\nInstall the server (Debian: apt-get install postgresql) or set COHO_TEST_PG_DSN.",
                    pytrace=False)
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    dsn = os.environ.get(ENV, "")
    directory: Path | None = None
    if not dsn:
        # Under /tmp, not pytest's 0700 base directory: the server runs as user postgres when we are root.
        directory = Path(tempfile.mkdtemp(prefix="coho-pg-"))
        dsn = _start_private(directory)
    server = PgServer(dsn)
    try:
        with server.connect() as connection:
            connection.execute(sql.SQL(
                "DO $$ BEGIN CREATE ROLE {} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            ).format(sql.Identifier(PASSWORD_GROUP)))
        yield server
    finally:
        if directory is not None:
            subprocess.run([str(PG_CLUSTER), "stop", str(directory)], capture_output=True, timeout=120, check=False)
            shutil.rmtree(directory, ignore_errors=True)


def fresh_database(server: PgServer, prefix: str) -> str:
    """A new, empty database (unique name) on the server; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}".lower()
    with server.connect() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def password_role(server: PgServer, password: str) -> str:
    """A login role that must authenticate with ``password`` (scripts/pg-cluster's pg_hba.conf checks the
    passwords of members of coho_password_login); returns its name."""
    name = f"coho_pw_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {} IN ROLE {}").format(
            sql.Identifier(name), sql.Literal(password), sql.Identifier(PASSWORD_GROUP)))
    return name
