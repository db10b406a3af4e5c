"""Integration daemon configuration (DESIGN §7).

Shares the server's auth, TLS and logging models and its loader, so both processes name
bad keys the same way.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from coho.server.config import (
    AuthConfig,
    LoggingConfig,
    StrictModel,
    TlsConfig,
    check_address,
    check_unique,
    load_config,
)

# "package.module:ClassName" (setuptools entry-point object reference syntax).
_ENTRY_POINT_RE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
REMOTE = "remote"


class ServiceKind(StrEnum):
    """Egeria's integration services (OMIS); each is paired with an access service."""

    API = "api"
    ANALYTICS = "analytics"
    ARCHIVE = "archive"
    CATALOG = "catalog"
    DATABASE = "database"
    DISPLAY = "display"
    FILES = "files"
    INFRASTRUCTURE = "infrastructure"
    LINEAGE = "lineage"
    ORGANIZATION = "organization"
    SEARCH = "search"
    SECURITY = "security"
    STEWARDSHIP = "stewardship"
    TOPIC = "topic"


class PermittedSynchronization(StrEnum):
    BOTH_DIRECTIONS = "BOTH_DIRECTIONS"
    TO_THIRD_PARTY = "TO_THIRD_PARTY"
    FROM_THIRD_PARTY = "FROM_THIRD_PARTY"


class CatalogTarget(StrictModel):
    """An element the connector should work on (Egeria's CatalogTarget relationship)."""

    name: str = Field(min_length=1)
    guid: str | None = None
    qualified_name: str | None = None
    configuration_properties: dict[str, Any] = Field(default_factory=dict)


class ConnectorConfig(StrictModel):
    name: str = Field(min_length=1)
    # "module:Class" for a Python connector loaded in-process, or "remote" for a connector
    # in another language that attaches through ConnectorHostService.Attach.
    entry_point: str
    refresh_interval_seconds: float = Field(default=60.0, gt=0)
    # None: a refresh may run until the next one is due (the refresh interval).
    refresh_timeout_seconds: float | None = Field(default=None, gt=0)
    user_id: str | None = None
    metadata_source: str | None = None
    permitted_synchronization: PermittedSynchronization = PermittedSynchronization.BOTH_DIRECTIONS
    configuration_properties: dict[str, Any] = Field(default_factory=dict)
    catalog_targets: list[CatalogTarget] = Field(default_factory=list)
    generate_integration_report: bool = True

    @field_validator("entry_point")
    @classmethod
    def _entry_point_syntax(cls, value: str) -> str:
        if value != REMOTE and not _ENTRY_POINT_RE.match(value):
            raise ValueError(f"{value!r} is neither 'package.module:ClassName' nor {REMOTE!r}")
        return value

    @field_validator("catalog_targets", mode="before")
    @classmethod
    def _targets_from_names(cls, value: Any) -> Any:
        # A bare string is shorthand for {name: <string>}.
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def is_remote(self) -> bool:
        return self.entry_point == REMOTE

    @property
    def effective_refresh_timeout(self) -> float:
        return self.refresh_timeout_seconds or self.refresh_interval_seconds


class IntegrationServiceConfig(StrictModel):
    name: str = Field(min_length=1)
    kind: ServiceKind
    connectors: list[ConnectorConfig] = Field(default_factory=list)


class ServerConnection(StrictModel):
    """How the daemon reaches its metadata access server."""

    address: str = "127.0.0.1:50051"
    token: str | None = None
    # PEM CA bundle; when set, the daemon connects with TLS.
    ca_cert: Path | None = None

    @field_validator("address")
    @classmethod
    def _server_address(cls, value: str) -> str:
        return check_address(value, allow_port_zero=False)


class SchedulerConfig(StrictModel):
    """How the daemon paces and protects its connectors."""

    # Refreshes running at once across the daemon; more wait their turn (their lateness is measured).
    max_concurrent_refreshes: int = Field(default=32, ge=1)
    # Capped exponential backoff for INITIALIZE_FAILED and FAILED connectors (Egeria #6025: never give up).
    retry_initial_seconds: float = Field(default=0.5, gt=0)
    retry_max_seconds: float = Field(default=30.0, gt=0)
    # Pause between two engage() calls of a blocking connector (Egeria waits 1 s).
    engage_pause_seconds: float = Field(default=1.0, ge=0)
    # How long start() and disconnect() may take before the daemon gives up on them.
    start_timeout_seconds: float = Field(default=30.0, gt=0)
    disconnect_timeout_seconds: float = Field(default=5.0, gt=0)
    # How long the initialize probe waits for the access server.
    probe_timeout_seconds: float = Field(default=2.0, gt=0)
    # Connectors started together would all be due together forever after; each one's schedule is shifted
    # once by a stable per-connector offset of up to this (and at most 10% of its interval) to spread them.
    phase_spread_seconds: float = Field(default=1.0, ge=0)
    # Integration groups are followed through the Out Topic; this full re-read is only a safety net for
    # missed events. Bursts of events (a link plus its connector's update) are coalesced for this long.
    group_poll_seconds: float = Field(default=60.0, gt=0)
    group_debounce_seconds: float = Field(default=0.2, ge=0)


class DaemonConfig(StrictModel):
    daemon_name: str = Field(default="coho-daemon", min_length=1)
    listen: str = "127.0.0.1:50052"
    # The userId the daemon's connectors act as unless a connector overrides it.
    user: str = Field(default="coho-daemon", min_length=1)
    server: ServerConnection = Field(default_factory=ServerConnection)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    integration_services: list[IntegrationServiceConfig] = Field(default_factory=list)
    integration_groups: list[str] = Field(default_factory=list)
    scheduler: SchedulerConfig = Field(default_factory=SchedulerConfig)
    tls: TlsConfig | None = None
    max_message_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    shutdown_grace_seconds: float = Field(default=5.0, ge=0)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)

    @field_validator("listen")
    @classmethod
    def _listen_address(cls, value: str) -> str:
        return check_address(value, allow_port_zero=True)

    @model_validator(mode="after")
    def _names_unique(self) -> DaemonConfig:
        check_unique([s.name for s in self.integration_services], "integration service")
        # Connectors are addressed by name in the admin API, so names are unique
        # across services, not just within one.
        check_unique([c.name for c in self.connectors()], "connector")
        check_unique(self.integration_groups, "integration group")
        return self

    def connectors(self) -> list[ConnectorConfig]:
        return [c for service in self.integration_services for c in service.connectors]


def load_daemon_config(path: str | Path) -> DaemonConfig:
    return load_config(path, DaemonConfig)
