"""Daemon state -> coho.integration.v1 messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from google.protobuf import json_format, struct_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from coho.access.v1 import elements_pb2
from coho.daemon.config import PermittedSynchronization
from coho.integration.v1 import connectors_pb2 as cpb
from coho.server.errors import InvalidArgument

if TYPE_CHECKING:
    from coho.daemon.runner import ConnectorRunner

SYNC_PROTO = {
    PermittedSynchronization.BOTH_DIRECTIONS: elements_pb2.PERMITTED_SYNCHRONIZATION_BOTH_DIRECTIONS,
    PermittedSynchronization.TO_THIRD_PARTY: elements_pb2.PERMITTED_SYNCHRONIZATION_TO_THIRD_PARTY,
    PermittedSynchronization.FROM_THIRD_PARTY: elements_pb2.PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY,
}


def timestamp_or_none(seconds: float) -> Timestamp | None:
    if not seconds:
        return None
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def from_struct(struct: struct_pb2.Struct, field: str = "configuration_properties") -> dict[str, Any]:
    """The Struct as plain values; NaN or Infinity (a Struct holds them, JSON and YAML cannot) is the caller's
    error, named by ``field``."""
    try:
        result: dict[str, Any] = json_format.MessageToDict(struct)
    except ValueError as exc:
        raise InvalidArgument(message=f"{field}: numbers must be finite ({exc})", reason="NON_FINITE_NUMBER",
                              field_violations=[(field, "NaN and Infinity cannot be stored")]) from None
    return result


def connector_config_proto(runner: ConnectorRunner) -> cpb.ConnectorConfig:
    config = runner.config
    daemon = runner.host.config
    return cpb.ConnectorConfig(
        connector_name=config.name, integration_service=runner.service_name, entry_point=config.entry_point,
        refresh_interval_seconds=int(config.refresh_interval_seconds),
        refresh_timeout_seconds=int(config.effective_refresh_timeout),
        user_id=config.user_id or daemon.user, metadata_source_qualified_name=config.metadata_source or "",
        permitted_synchronization=SYNC_PROTO[config.permitted_synchronization],
        configuration_properties=to_struct(config.configuration_properties),
        catalog_targets=[t.qualified_name or t.name for t in config.catalog_targets],
        generate_integration_report=config.generate_integration_report,
        uses_blocking_calls=runner.uses_blocking_calls)
