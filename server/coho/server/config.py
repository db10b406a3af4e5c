"""Server configuration: pydantic models, a YAML/JSON loader with key-path errors.

The daemon's configuration (:mod:`coho.daemon.config`) reuses the shared pieces here
(auth, TLS, logging, the loader and error formatting) so both processes report a bad key
the same way: ``<file>: <key path>: <problem>``.

No grpc here: configuration is core, and is validated before any socket is opened.
"""

from __future__ import annotations

import hashlib
import re
import types
import typing
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

_ADDRESS_RE = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})$")


class ConfigError(Exception):
    """A configuration file could not be read or is invalid.

    ``issues`` holds ``(key path, problem)`` pairs; ``str()`` renders one
    ``<file>: <key path>: <problem>`` line per issue.
    """

    def __init__(self, file: str | Path, issues: list[tuple[str, str]]) -> None:
        self.file = str(file)
        self.issues = issues
        super().__init__("\n".join(f"{self.file}: {path}: {problem}" for path, problem in issues))


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_address(value: str, *, allow_port_zero: bool) -> str:
    """Validate ``host:port`` (IPv6 as ``[::1]:50051``); port 0 means "pick a free port"."""
    match = _ADDRESS_RE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not host:port")
    port = int(match["port"])
    low = 0 if allow_port_zero else 1
    if not low <= port <= 65535:
        raise ValueError(f"port {port} is not in {low}..65535")
    return value


class Role(StrEnum):
    ADMIN = "admin"
    CONNECTOR = "connector"
    READER = "reader"
    PEER = "peer"


class Principal(StrictModel):
    """Who a bearer token authenticates as."""

    user: str = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    # Pins a connector token to one connector id, so one connector cannot tag changes as another.
    connector: str | None = None
    # Users a connector-role token may act as with ``x-coho-user-id`` (an integration daemon crediting a
    # connector's userId override). Empty: the token always acts as ``user``.
    act_as: list[str] = Field(default_factory=list)


class AuthConfig(StrictModel):
    # Keyed by the bearer token itself so authentication is one dict lookup.
    tokens: dict[str, Principal] = Field(default_factory=dict)

    @field_validator("tokens")
    @classmethod
    def _tokens_not_blank(cls, tokens: dict[str, Principal]) -> dict[str, Principal]:
        for token in tokens:
            if len(token.strip()) < 8:
                raise ValueError("bearer tokens must be at least 8 non-blank characters")
        return tokens


class TlsConfig(StrictModel):
    """Server-side TLS; with ``client_ca`` set, clients must present a certificate (mTLS)."""

    cert: Path
    key: Path
    client_ca: Path | None = None


class LoggingConfig(StrictModel):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


ExchangeRuleName = Literal["ALL", "JUST_TYPEDEFS", "SELECTED_TYPES", "LEARNED_TYPES", "REGISTRATION_ONLY"]


class ExchangeRuleConfig(StrictModel):
    """One exchange rule (Egeria's eventsToProcess / eventsToSave / eventsToSend); subtypes are included."""

    rule: ExchangeRuleName = "ALL"
    selected_type_names: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _selected_needs_types(self) -> ExchangeRuleConfig:
        if self.rule == "SELECTED_TYPES" and not self.selected_type_names:
            raise ValueError("SELECTED_TYPES needs selected_type_names")
        return self


class CohortConfig(StrictModel):
    name: str = Field(min_length=1)
    seeds: list[str] = Field(default_factory=list)
    # The bearer token this member presents to peers; peers list it in auth.tokens with role peer.
    token: str | None = None
    # host:port peers call back; defaults to the bound listen address (wrong behind NAT, hence settable).
    endpoint: str | None = None
    events_to_process: ExchangeRuleConfig = Field(default_factory=ExchangeRuleConfig)
    events_to_save: ExchangeRuleConfig = Field(default_factory=ExchangeRuleConfig)
    events_to_send: ExchangeRuleConfig = Field(default_factory=ExchangeRuleConfig)
    max_in_flight: int = Field(default=4, ge=1, le=64)
    max_batch_events: int = Field(default=500, ge=1, le=10_000)
    heartbeat_seconds: float = Field(default=2.0, gt=0, le=300)
    reconnect_max_seconds: float = Field(default=5.0, gt=0, le=600)

    @field_validator("seeds")
    @classmethod
    def _seed_addresses(cls, seeds: list[str]) -> list[str]:
        return [check_address(s, allow_port_zero=False) for s in seeds]

    @field_validator("endpoint")
    @classmethod
    def _endpoint_address(cls, value: str | None) -> str | None:
        return None if value is None else check_address(value, allow_port_zero=False)


class StoreConfig(StrictModel):
    """The home repository's storage choices (:func:`coho.server.store.sqlite.open_sqlite_store`)."""

    synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "NORMAL"
    """NORMAL: a process crash loses no acknowledged write; FULL also survives power loss (fsync per commit)."""
    change_log_retention: int | None = Field(default=None, ge=1)
    """Change-log entries kept (None: all). Readers below the floor get OUT_OF_RANGE; cohort peers re-snapshot."""
    change_log_retention_days: float | None = Field(default=None, gt=0)
    """Change-log entries older than this are dropped (None: kept); with a count too, the stricter bound wins."""
    request_retention_days: float = Field(default=7.0, gt=0)
    """How long the reply to a write with a request_id is kept, so that a retry returns it instead of writing."""
    deleted_retention_days: float | None = Field(default=None, gt=0)
    """Soft-deleted home instances are purged this long after their deletion (None: kept until purged)."""
    history_retention_days: float | None = Field(default=None, gt=0)
    """Superseded versions are dropped this long after they were superseded (None: kept); ``as_of`` questions
    they might have answered then get OUT_OF_RANGE."""
    indexed_properties: list[str] | str | None = None
    """Property names kept in the SQL index (None: the built-in set; "all": every top-level property)."""

    @field_validator("indexed_properties")
    @classmethod
    def _names(cls, value: list[str] | str | None) -> list[str] | str | None:
        if isinstance(value, str) and value != "all":
            raise ValueError(f'expected a list of property names or "all", got {value!r}')
        if isinstance(value, list):
            if not value:
                raise ValueError('give at least one property name, "all", or leave it out for the built-in set')
            if any(not name.strip() for name in value):
                raise ValueError("property names must not be empty")
        return value


class AuditConfig(StrictModel):
    """Bounds of the audit log (``audit.db``): old records go as new ones arrive."""

    max_records: int | None = Field(default=100_000, ge=1)
    """The newest records kept of each severity (None: all). Each refused call writes one, so this bounds the
    file under a flood; per severity, so that a flood of one kind cannot push out the others."""
    retention_days: float | None = Field(default=None, gt=0)
    """Records older than this are dropped (None: kept, up to max_records)."""


class ServerConfig(StrictModel):
    server_name: str = Field(default="coho-server", min_length=1)
    organization: str = ""
    metadata_collection_name: str | None = None
    listen: str = "127.0.0.1:50051"
    data_dir: Path = Path("coho-data")
    store: StoreConfig = Field(default_factory=StoreConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    cohorts: list[CohortConfig] = Field(default_factory=list)
    tls: TlsConfig | None = None
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    max_message_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    shutdown_grace_seconds: float = Field(default=5.0, ge=0)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)

    @field_validator("listen")
    @classmethod
    def _listen_address(cls, value: str) -> str:
        return check_address(value, allow_port_zero=True)

    @model_validator(mode="after")
    def _cohort_names_unique(self) -> ServerConfig:
        check_unique([c.name for c in self.cohorts], "cohort")
        return self

    @property
    def collection_name(self) -> str:
        return self.metadata_collection_name or f"{self.server_name} metadata collection"


def check_unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} is used more than once")
        seen.add(name)


M = TypeVar("M", bound=BaseModel)


def load_config(path: str | Path, model: type[M]) -> M:
    """Read a YAML (or JSON) file into ``model``; raise :class:`ConfigError` naming bad keys.

    Relative paths inside the file (``data_dir``, TLS files) are resolved against the
    file's directory, so a config works the same from any working directory.
    """
    path = Path(path)
    data = read_document(path)
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, [format_error(model, err) for err in exc.errors()]) from None
    return resolve_paths(config, path.parent)


def load_server_config(path: str | Path) -> ServerConfig:
    return load_config(path, ServerConfig)


def read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, [("(file)", exc.strerror or str(exc))]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, [(where, f"invalid YAML: {problem}")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(path, [("(root)", f"expected a mapping of keys, got {type(data).__name__}")])
    return data


def resolve_paths(model: M, base: Path) -> M:
    """Return ``model`` with every relative :class:`Path` field made relative to ``base``."""
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Path) and not value.is_absolute():
            updates[name] = base / value
        elif isinstance(value, BaseModel):
            updates[name] = resolve_paths(value, base)
    return model.model_copy(update=updates) if updates else model


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``('auth', 'tokens', 'abc', 'roles', 0)`` -> ``auth.tokens.sha256:….roles[0]``.

    A key under ``tokens`` IS a secret, so it is shown by its fingerprint (the one the effective config and the
    audit log use) and never echoed into a terminal or a log collector.
    """
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            shown = token_fingerprint(part) if previous == "tokens" else str(part)
            out += ("." if out else "") + shown
        previous = part
    return out or "(root)"


def format_error(model: type[BaseModel], err: Any) -> tuple[str, str]:
    """Turn one pydantic error into ``(key path, problem)`` in words a config author uses."""
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return format_loc(loc), f"unknown key{hint}"
    if kind == "missing":
        return format_loc(loc), "required key is missing"
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        return format_loc(loc), f"{err['input']!r} is not one of {', '.join(choices)}"
    message = str(err["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return format_loc(loc), message


def allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys a mapping at ``loc`` may hold, by walking the model's field types."""
    tp: Any = model
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    tp = _model_in(tp)
    return list(tp.model_fields) if tp is not None else []


def _step(tp: Any, part: int | str) -> Any:
    tp = _unwrap_optional(tp)
    model = _model_in(tp)
    if model is not None and isinstance(part, str):
        field = model.model_fields.get(part)
        return field.annotation if field is not None else None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _unwrap_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        non_none = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in non_none if _model_in(a) is not None]
        if models:
            return models[0]
        if len(non_none) == 1:
            return non_none[0]
    return tp


def _model_in(tp: Any) -> type[BaseModel] | None:
    tp = _unwrap_optional(tp) if typing.get_origin(tp) is not None else tp
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


REDACTED = "<redacted>"


def effective_config_dict(config: BaseModel) -> dict[str, Any]:
    """The configuration as plain data with secrets hidden, for admin RPCs and logs.

    Bearer tokens appear as ``sha256:<first 12 hex>`` fingerprints, so an operator can
    tell which token is which without the response granting access.
    """
    data = config.model_dump(mode="json")
    redacted = _redact(data)
    assert isinstance(redacted, dict)
    return redacted


def token_fingerprint(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:12]


def _redact(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        if key == "tokens":
            return {token_fingerprint(k): _redact(v) for k, v in value.items()}
        return {k: _redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if key in ("token", "password", "secret") and value is not None:
        return REDACTED
    return value
