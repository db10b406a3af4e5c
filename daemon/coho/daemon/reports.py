"""Integration reports built from the access server's change log (DESIGN §7).

A report is never assembled from what a connector *says* it did: the daemon asks the server for the
change-log entries tagged with the refresh id, so it is exact for connectors in any language, and misses
nothing a connector did through any service. Element GUIDs are those of entities; a relationship change
(e.g. a file's link to its folder) is part of creating or updating its elements, not an element itself.
"""

from __future__ import annotations

import base64
import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import grpc.aio
from google.protobuf.timestamp_pb2 import Timestamp

from coho.client.errors import from_rpc_error
from coho.integration.v1 import connectors_pb2 as cpb
from coho.omrs.v1 import common_pb2, events_pb2, instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.omrs.v1 import typedefs_pb2 as tdp
from coho.server.errors import InvalidArgument, NotFound

log = logging.getLogger("coho.daemon.reports")

REPORT_TYPE = "IntegrationReport"
CHANGE_LOG_PAGE = 1000
E = events_pb2
CREATED = {E.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT}
DELETED = {E.INSTANCE_EVENT_TYPE_DELETED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT}
UPDATED = {
    E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_UNDONE_ENTITY_EVENT,
    E.INSTANCE_EVENT_TYPE_CLASSIFIED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_DECLASSIFIED_ENTITY_EVENT,
    E.INSTANCE_EVENT_TYPE_RECLASSIFIED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_RESTORED_ENTITY_EVENT,
    E.INSTANCE_EVENT_TYPE_RE_IDENTIFIED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_RETYPED_ENTITY_EVENT,
    E.INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT,
}


@dataclass(frozen=True)
class RefreshSpan:
    """One refresh (or event window) to report on."""

    refresh_id: str
    connector_id: str
    connector_name: str
    start: float
    end: float
    event_driven: bool = False
    error: str = ""
    after_sequence: int = 0
    """The change-log head before the span began: its entries all come after it (a lower bound is fine)."""


def classify(entries: Iterable[events_pb2.SequencedEvent]) -> tuple[list[str], list[str], list[str]]:
    """(created, updated, deleted) entity GUIDs, each in first-seen order.

    An element created in the span is reported as created only, however often it was then updated; an
    element deleted is reported as deleted (and also as created when the span created it).
    """
    created: dict[str, None] = {}
    updated: dict[str, None] = {}
    deleted: dict[str, None] = {}
    for entry in entries:
        if entry.event.WhichOneof("section") != "instance":
            continue
        section = entry.event.instance
        guid = section.instance_guid
        if section.event_type in CREATED:
            created[guid] = None
        elif section.event_type in DELETED:
            deleted[guid] = None
        elif section.event_type in UPDATED:
            updated[guid] = None
    return (list(created), [g for g in updated if g not in created and g not in deleted], list(deleted))


def _floor_of(err: grpc.aio.AioRpcError) -> int | None:
    """The retention floor of an OUT_OF_RANGE answer (ErrorInfo metadata "floor"), else None."""
    if err.code() != grpc.StatusCode.OUT_OF_RANGE:
        return None
    floor = from_rpc_error(err).metadata.get("floor", "")
    return int(floor) if floor.isdigit() else None


def _ts(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


class ReportStore:
    """Builds, stores and keeps the daemon's recent integration reports."""

    def __init__(self, channel: grpc.aio.Channel, daemon_name: str, keep: int = 2000) -> None:
        self._mcs = mcs_grpc.MetadataCollectionServiceStub(channel)
        self.daemon_name = daemon_name
        self._recent: deque[cpb.IntegrationReport] = deque(maxlen=keep)

    async def head(self) -> int:
        """The server's change-log head now: a span that starts after this call writes entries after it."""
        reply = await self._mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest())
        return int(reply.header.sequence)

    async def read_entries(self, refresh_id: str, after_sequence: int = 0) -> tuple[list[events_pb2.SequencedEvent],
                                                                                    str]:
        """The span's entries, and why some may be missing ('' when none can be).

        The server answers OUT_OF_RANGE when its change-log retention has dropped entries after
        ``after_sequence``: then the span's remaining entries are read from the floor, and the report says it
        is incomplete instead of undercounting in silence."""
        entries: list[events_pb2.SequencedEvent] = []
        after, incomplete = after_sequence, ""
        while True:
            try:
                reply = await self._mcs.ReadChangeLog(mcs.ReadChangeLogRequest(
                    after_sequence=after, page_size=CHANGE_LOG_PAGE, refresh_id=refresh_id))
            except grpc.aio.AioRpcError as err:
                floor = _floor_of(err)
                if floor is None or incomplete:
                    raise
                incomplete = (f"the access server's change-log retention dropped entries after sequence {after} "
                              f"(its oldest kept entry is {floor}) before this report was built: changes made "
                              "then are missing from it")
                after = floor - 1
                continue
            entries.extend(reply.entries)
            if len(reply.entries) < CHANGE_LOG_PAGE:
                return entries, incomplete
            after = reply.entries[-1].sequence

    async def build(self, span: RefreshSpan, *, store: bool) -> cpb.IntegrationReport | None:
        """The report of one span, or None when it changed nothing. Stored unless ``store`` is False."""
        entries, incomplete = await self.read_entries(span.refresh_id, span.after_sequence)
        created, updated, deleted = classify(entries)
        if not (created or updated or deleted or incomplete):
            return None
        report = cpb.IntegrationReport(
            refresh_id=span.refresh_id, connector_id=span.connector_id, connector_name=span.connector_name,
            daemon_name=self.daemon_name, refresh_start=_ts(span.start), refresh_end=_ts(span.end),
            created_element_guids=created, updated_element_guids=updated, deleted_element_guids=deleted,
            first_sequence=entries[0].sequence if entries else 0, last_sequence=entries[-1].sequence if entries else 0,
            event_driven=span.event_driven, error=span.error, incomplete=incomplete)
        if incomplete:
            log.warning("integration report incomplete", extra={"connector": span.connector_name,
                                                                "refresh_id": span.refresh_id, "why": incomplete})
        if store:
            added = await self._mcs.AddEntity(mcs.AddEntityRequest(
                entity=mcs.NewEntity(type_name=REPORT_TYPE, properties=report_properties(report)),
                request_id=f"report:{span.refresh_id}"))
            report.report_guid = added.entity.header.guid
        self._recent.append(report)
        return report

    async def load_stored(self, limit: int = 500) -> int:
        """Read this daemon's stored reports back (after a restart), newest last in memory."""
        condition = common_pb2.PropertyCondition(
            property_name="serverName", operator=common_pb2.PROPERTY_COMPARISON_OPERATOR_EQ,
            value=_string(self.daemon_name))
        reply = await self._mcs.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(
            type_name=REPORT_TYPE, match_properties=common_pb2.SearchProperties(conditions=[condition]),
            sequencing=common_pb2.Sequencing(order=common_pb2.SEQUENCING_ORDER_CREATION_DATE_RECENT),
            page_size=min(limit, 1000))))
        known = {r.report_guid for r in self._recent}
        loaded = [report_from_entity(e) for e in reply.entities if e.header.guid not in known]
        merged = sorted([*loaded, *self._recent], key=lambda r: r.refresh_end.ToNanoseconds())
        self._recent.clear()
        self._recent.extend(merged)
        return len(loaded)

    def get(self, *, report_guid: str = "", refresh_id: str = "") -> cpb.IntegrationReport:
        if not (report_guid or refresh_id):
            raise InvalidArgument(message="give report_guid or refresh_id", reason="REPORT_KEY_REQUIRED")
        for report in reversed(self._recent):
            if (report_guid and report.report_guid == report_guid) or (refresh_id and report.refresh_id == refresh_id):
                return report
        raise NotFound(message=f"no integration report {report_guid or refresh_id!r}", reason="REPORT_NOT_FOUND")

    def list(self, *, connector_name: str = "", from_ns: int = 0, to_ns: int = 0, page_size: int = 100,
             page_token: str = "") -> tuple[list[cpb.IntegrationReport], str]:
        """Newest first; the page token is an offset into the filtered list."""
        matching = [r for r in reversed(self._recent)
                    if (not connector_name or r.connector_name == connector_name)
                    and (not from_ns or r.refresh_end.ToNanoseconds() >= from_ns)
                    and (not to_ns or r.refresh_end.ToNanoseconds() <= to_ns)]
        offset = _offset(page_token)
        size = min(page_size or 100, 1000)
        page = matching[offset:offset + size]
        more = offset + size < len(matching)
        return page, (_token(offset + size) if more else "")


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("o:"))
    except ValueError as err:
        raise InvalidArgument(message="bad page_token", reason="BAD_PAGE_TOKEN") from err


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


# -- the stored element ----------------------------------------------------------------------------------
def _string(value: str) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
        primitive_def_category=tdp.PRIMITIVE_DEF_CATEGORY_STRING, string_value=value))


def _date(stamp: Timestamp) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(type_name="date", primitive=instances_pb2.PrimitiveValue(
        primitive_def_category=tdp.PRIMITIVE_DEF_CATEGORY_DATE, date_value=stamp.ToMilliseconds()))


def _strings(values: Iterable[str]) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(type_name="array<string>",
                                       array=instances_pb2.ArrayValue(values=[_string(v) for v in values]))


def report_properties(report: cpb.IntegrationReport) -> instances_pb2.InstanceProperties:
    extra = {"eventDriven": str(report.event_driven).lower(), "firstSequence": str(report.first_sequence),
             "lastSequence": str(report.last_sequence)}
    if report.error:
        extra["error"] = report.error
    if report.incomplete:
        extra["incomplete"] = report.incomplete
    values = {
        "serverName": _string(report.daemon_name), "connectorId": _string(report.connector_id),
        "connectorName": _string(report.connector_name), "refreshId": _string(report.refresh_id),
        "refreshStartDate": _date(report.refresh_start), "refreshCompletionDate": _date(report.refresh_end),
        "createdElements": _strings(report.created_element_guids),
        "updatedElements": _strings(report.updated_element_guids),
        "deletedElements": _strings(report.deleted_element_guids),
        "additionalProperties": instances_pb2.PropertyValue(
            type_name="map<string,string>",
            map=instances_pb2.MapValue(values={k: _string(v) for k, v in extra.items()})),
    }
    return instances_pb2.InstanceProperties(properties=values)


def report_from_entity(entity: instances_pb2.EntityDetail) -> cpb.IntegrationReport:
    props = entity.properties.properties

    def text(name: str) -> str:
        return str(props[name].primitive.string_value) if name in props else ""

    def items(name: str) -> list[str]:
        return [v.primitive.string_value for v in props[name].array.values] if name in props else []

    def when(name: str) -> Timestamp:
        stamp = Timestamp()
        if name in props:
            stamp.FromMilliseconds(props[name].primitive.date_value)
        return stamp

    extra = {k: v.primitive.string_value for k, v in props["additionalProperties"].map.values.items()} \
        if "additionalProperties" in props else {}
    return cpb.IntegrationReport(
        report_guid=entity.header.guid, refresh_id=text("refreshId"), connector_id=text("connectorId"),
        connector_name=text("connectorName"), daemon_name=text("serverName"),
        refresh_start=when("refreshStartDate"), refresh_end=when("refreshCompletionDate"),
        created_element_guids=items("createdElements"), updated_element_guids=items("updatedElements"),
        deleted_element_guids=items("deletedElements"), event_driven=extra.get("eventDriven") == "true",
        first_sequence=int(extra.get("firstSequence", "0") or 0),
        last_sequence=int(extra.get("lastSequence", "0") or 0), error=extra.get("error", ""),
        incomplete=extra.get("incomplete", ""))
