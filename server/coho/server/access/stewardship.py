"""Stewardship Action OMAS core: to-dos and incident reports as open metadata (no grpc here).

A to-do is a ``ToDo`` entity and its action targets are ``ActionTarget`` relationships; an incident report is
an ``IncidentReport`` entity whose impacted resources are ``ImpactedResource`` relationships. Each mutation
(entity plus its links) runs as ONE repository write transaction through the same maintenance functions the
Repository uses, so it is atomic (an unknown target leaves nothing behind) and reaches the change log and
the Out Topic like any other write.

The property-mapping toolkit it shares with :mod:`.governance` lives in :mod:`.metadata`.

Where a proto field has no property in the built-in types (which this service may not extend) it is kept in
``additionalProperties`` (Referenceable's ``map<string,string>``) under the keys documented on each table:

- ``IncidentReport.status`` -> ``additionalProperties["incidentReportStatus"]``: the type's ``incidentStatus``
  is Egeria 6's *classification* enum (UNCLASSIFIED, MARGINAL, ...), not the RAISED/REVIEWED/... lifecycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.omrs.v1 import common_pb2, instances_pb2
from coho.server.access.metadata import (
    EnumSpec,
    Field,
    Props,
    RepositoryLike,
    add_entity,
    any_of,
    apply_changes,
    bad_transition,
    changes_for,
    date_value,
    dedupe,
    eq,
    filtered_page,
    generated_name,
    linked_guids,
    load_typed,
    new_properties,
    page_size_or_default,
    plain_value,
    read_fields,
    read_typed,
    request_key,
    str_map,
    str_value,
    sync_links,
    update_entity,
    update_mask,
)
from coho.server.errors import InvalidArgument
from coho.server.repository.api import Caller, Written
from coho.server.repository.headers import WriteContext, to_ts
from coho.server.store.base import Page, WriteTxn

# ---------------------------------------------------------------------------------------------- to-dos
TODO_STATUS = EnumSpec("ToDoStatus", sa.ToDoStatus, "TO_DO_STATUS_",
                       {"OPEN": 0, "IN_PROGRESS": 1, "WAITING": 2, "COMPLETE": 3, "ABANDONED": 4})
TODO_FIELDS: dict[str, Field] = {
    "qualified_name": Field("qualifiedName"),
    "name": Field("name"),
    "description": Field("description"),
    "to_do_type": Field("toDoType"),
    "priority": Field("priority", "int"),
    "due_time": Field("dueTime", "date"),
    "completion_time": Field("completionTime", "date"),
    "status": Field("status", "enum", TODO_STATUS),
    "assigned_to": Field("assignedTo"),
    "action_target_guids": Field("actionTargets", "strarray"),
    "originator": Field("originator"),
    "additional_properties": Field("additionalProperties", "strmap"),
}
TODO_SETTABLE = ("qualified_name", "name", "description", "to_do_type", "priority", "due_time", "status",
                 "assigned_to", "action_target_guids", "additional_properties")
_TODO_DONE = frozenset({sa.TO_DO_STATUS_COMPLETE, sa.TO_DO_STATUS_ABANDONED})


def to_do_of(entity: instances_pb2.EntityDetail) -> sa.ToDo:
    result = sa.ToDo(guid=entity.header.guid, version=entity.header.version)
    read_fields(entity.properties, TODO_FIELDS, result)
    return result


class StewardshipCore:
    """To-dos and incident reports over a repository; servicers call these after validating requests."""

    def __init__(self, repository: RepositoryLike) -> None:
        self.repo = repository

    # -- to-dos -----------------------------------------------------------------------------------------
    async def open_to_do(self, caller: Caller, to_do: sa.ToDo, *, request_id: str = "") -> Written[sa.ToDo]:
        if not to_do.name and not to_do.qualified_name:
            raise InvalidArgument(message="to_do.name or to_do.qualified_name is required", reason="MISSING_FIELD",
                                  field_violations=[("to_do.name", "name or qualified_name is required")])
        given = sa.ToDo()
        given.CopyFrom(to_do)
        given.qualified_name = given.qualified_name or generated_name("ToDo", given.name)
        given.status = sa.TO_DO_STATUS_OPEN
        given.originator = given.originator or caller.connector_id or caller.user_id
        given.ClearField("completion_time")
        dedupe(given.action_target_guids)

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[sa.ToDo, int]:
            changes = changes_for(given, TODO_FIELDS, TODO_FIELDS)
            changes["creationTime"] = date_value(ctx.time_ms)
            entity, sequence = add_entity(txn, ctx, "ToDo", new_properties(changes), "to_do")
            linked = sync_links(txn, ctx, anchor=entity.header.guid, anchor_end=1, type_name="ActionTarget",
                                wanted=given.action_target_guids, field="to_do.action_target_guids")
            return to_do_of(entity), max(sequence, linked)

        return await self.repo.write_once(caller, request_key("OpenToDo", request_id), op,
                                   encode=_encode_to_do, decode=_decode_to_do)

    async def update_to_do(self, caller: Caller, to_do: sa.ToDo, update_fields: Sequence[str]) -> Written[sa.ToDo]:
        names = update_mask(update_fields, TODO_SETTABLE)
        given = sa.ToDo()
        given.CopyFrom(to_do)
        dedupe(given.action_target_guids)
        if not given.qualified_name:
            names = [n for n in names if n != "qualified_name"]  # required, so empty means "keep"
        if given.status == sa.TO_DO_STATUS_UNSPECIFIED:
            names = [n for n in names if n != "status"]

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[sa.ToDo, int]:
            stored = load_typed(txn, ctx, given.guid, "ToDo", "to_do.guid")
            current = to_do_of(stored)
            changes = changes_for(given, TODO_FIELDS, names)
            if "status" in names:
                changes.update(_to_do_transition(current, given.status, ctx.time_ms))
            linked = 0
            if "action_target_guids" in names:
                linked = sync_links(txn, ctx, anchor=given.guid, anchor_end=1, type_name="ActionTarget",
                                    wanted=given.action_target_guids, field="to_do.action_target_guids")
            entity, sequence = update_entity(txn, ctx, stored, apply_changes(stored.properties, changes))
            return to_do_of(entity), max(sequence, linked)

        return await self.repo.write(caller, op)

    async def complete_to_do(self, caller: Caller, guid: str, *, abandoned: bool = False) -> Written[sa.ToDo]:
        target = sa.TO_DO_STATUS_ABANDONED if abandoned else sa.TO_DO_STATUS_COMPLETE

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[sa.ToDo, int]:
            stored = load_typed(txn, ctx, guid, "ToDo")
            current = to_do_of(stored)
            if current.status == target:
                return current, 0  # a retried completion changes nothing
            changes = _to_do_transition(current, target, ctx.time_ms)
            entity, sequence = update_entity(txn, ctx, stored, apply_changes(stored.properties, changes))
            return to_do_of(entity), sequence

        return await self.repo.write(caller, op)

    def get_to_do(self, guid: str) -> sa.ToDo:
        return to_do_of(read_typed(self.repo, guid, "ToDo"))

    def list_to_dos(self, statuses: Sequence[int], assigned_to: str, page_size: int, page_token: str
                    ) -> Page[sa.ToDo]:
        conditions = []
        values = [value for value in (TODO_STATUS.to_value(s) for s in statuses) if value is not None]
        if values:
            conditions.append(any_of([eq("status", value) for value in values]))
        if assigned_to:
            conditions.append(eq("assignedTo", str_value(assigned_to)))
        match = common_pb2.SearchProperties(conditions=conditions, match_criteria=common_pb2.MATCH_CRITERIA_ALL)
        page = self.repo.find_entities(type_name="ToDo", match_properties=match if conditions else None,
                                       page_size=page_size, page_token=page_token)
        return Page([to_do_of(entity) for entity in page.items], page.next_page_token)

    # -- incident reports -------------------------------------------------------------------------------
    async def raise_incident_report(self, caller: Caller, report: sa.IncidentReport, *, request_id: str = ""
                                    ) -> Written[sa.IncidentReport]:
        if not report.background and not report.qualified_name:
            raise InvalidArgument(message="report.background is required", reason="MISSING_FIELD",
                                  field_violations=[("report.background", "is required")])
        given = sa.IncidentReport()
        given.CopyFrom(report)
        given.qualified_name = given.qualified_name or generated_name("IncidentReport", given.incident_class)
        given.status = sa.INCIDENT_REPORT_STATUS_RAISED
        given.originator = given.originator or caller.connector_id or caller.user_id
        dedupe(given.impacted_resource_guids)

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[sa.IncidentReport, int]:
            if not given.HasField("raised_time"):
                given.raised_time.CopyFrom(to_ts(ctx.time_ms))
            changes = changes_for(given, INCIDENT_FIELDS, INCIDENT_FIELDS)
            changes["additionalProperties"] = str_map({_STATUS_KEY: INCIDENT_STATUS.symbol(given.status)})
            entity, sequence = add_entity(txn, ctx, "IncidentReport", new_properties(changes), "report")
            linked = sync_links(txn, ctx, anchor=entity.header.guid, anchor_end=2, type_name="ImpactedResource",
                                wanted=given.impacted_resource_guids, field="report.impacted_resource_guids")
            return _incident_of(entity, given.impacted_resource_guids), max(sequence, linked)

        return await self.repo.write_once(caller, request_key("RaiseIncidentReport", request_id), op,
                                   encode=_encode_incident, decode=_decode_incident)

    async def update_incident_report(self, caller: Caller, report: sa.IncidentReport, update_fields: Sequence[str]
                                     ) -> Written[sa.IncidentReport]:
        names = update_mask(update_fields, INCIDENT_SETTABLE, "update_fields")
        given = sa.IncidentReport()
        given.CopyFrom(report)
        dedupe(given.impacted_resource_guids)
        if not given.qualified_name:
            names = [n for n in names if n != "qualified_name"]
        if given.status == sa.INCIDENT_REPORT_STATUS_UNSPECIFIED:
            names = [n for n in names if n != "status"]

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[sa.IncidentReport, int]:
            stored = load_typed(txn, ctx, given.guid, "IncidentReport", "report.guid")
            targets = list(linked_guids(txn, given.guid, "ImpactedResource", 2))
            current = _incident_of(stored, targets)
            changes = changes_for(given, INCIDENT_FIELDS, [n for n in names if n in INCIDENT_FIELDS])
            if "status" in names:
                _check_incident_transition(current.status, given.status)
                extra = dict(plain_value(stored.properties.properties["additionalProperties"]) or {}) \
                    if "additionalProperties" in stored.properties.properties else {}
                extra[_STATUS_KEY] = INCIDENT_STATUS.symbol(given.status)
                changes["additionalProperties"] = str_map(extra)
            linked = 0
            if "impacted_resource_guids" in names:
                targets = list(given.impacted_resource_guids)
                linked = sync_links(txn, ctx, anchor=given.guid, anchor_end=2, type_name="ImpactedResource",
                                    wanted=targets, field="report.impacted_resource_guids")
            entity, sequence = update_entity(txn, ctx, stored, apply_changes(stored.properties, changes))
            return _incident_of(entity, targets), max(sequence, linked)

        return await self.repo.write(caller, op)

    def list_incident_reports(self, statuses: Sequence[int], page_size: int, page_token: str
                              ) -> Page[sa.IncidentReport]:
        # The lifecycle status lives in additionalProperties (see the module docstring), which search
        # conditions cannot reach, so the status filter runs here over the store's pages.
        wanted = {INCIDENT_STATUS.symbol(s) for s in statuses if s}
        size = page_size_or_default(page_size)

        def keep(entity: instances_pb2.EntityDetail) -> bool:
            return not wanted or _incident_status_symbol(entity) in wanted

        page = filtered_page(lambda token: self.repo.find_entities(type_name="IncidentReport", page_size=size,
                                                                   page_token=token), keep, size, page_token)
        return Page([self._incident(entity) for entity in page.items], page.next_page_token)

    def _incident(self, entity: instances_pb2.EntityDetail) -> sa.IncidentReport:
        links = self.repo.relationships_for_entity(entity.header.guid, type_name="ImpactedResource",
                                                   page_size=1000).items
        targets = [rel.entity_one_proxy.header.guid for rel in links
                   if rel.entity_two_proxy.header.guid == entity.header.guid]
        return _incident_of(entity, targets)



def _to_do_transition(current: sa.ToDo, status: int, now_ms: int) -> Props:
    """Changes for moving to status: completed to-dos are final; completing stamps the completion time."""
    if current.status in _TODO_DONE and status != current.status:
        raise bad_transition("to_do.status", TODO_STATUS.symbol(current.status), TODO_STATUS.symbol(status))
    changes: Props = {"status": TODO_STATUS.to_value(status)}
    if status in _TODO_DONE and current.status not in _TODO_DONE:
        changes["completionTime"] = date_value(now_ms)
    return changes


def _encode_to_do(value: sa.ToDo, sequence: int) -> bytes:
    response = sa.OpenToDoResponse(header=common_pb2.ResponseHeader(sequence=sequence), to_do=value)
    return response.SerializeToString()


def _decode_to_do(data: bytes) -> Written[sa.ToDo]:
    response = sa.OpenToDoResponse.FromString(data)
    return Written(response.to_do, response.header.sequence)


# ---------------------------------------------------------------------------------------------- incidents
INCIDENT_STATUS = EnumSpec("", sa.IncidentReportStatus, "INCIDENT_REPORT_STATUS_", {})
_STATUS_KEY = "incidentReportStatus"
INCIDENT_FIELDS: dict[str, Field] = {
    "qualified_name": Field("qualifiedName"),
    "background": Field("background"),
    "incident_class": Field("incidentClass"),
    "severity": Field("severity", "int"),
    "originator": Field("originator"),
    "details": Field("details", "strmap"),
    "raised_time": Field("createdTime", "date"),
}
INCIDENT_SETTABLE = ("qualified_name", "background", "incident_class", "severity", "details", "status",
                     "impacted_resource_guids")
_INCIDENT_FINAL = frozenset({sa.INCIDENT_REPORT_STATUS_RESOLVED, sa.INCIDENT_REPORT_STATUS_INVALID,
                             sa.INCIDENT_REPORT_STATUS_IGNORED})
_INCIDENT_ORDER: dict[int, int] = {sa.INCIDENT_REPORT_STATUS_RAISED: 0, sa.INCIDENT_REPORT_STATUS_REVIEWED: 1,
                   sa.INCIDENT_REPORT_STATUS_VALIDATED: 2}


def _check_incident_transition(old: int, new: int) -> None:
    """Incidents move forward (RAISED -> REVIEWED -> VALIDATED) to a final outcome, never back or out of one."""
    backwards = old in _INCIDENT_ORDER and new in _INCIDENT_ORDER and _INCIDENT_ORDER[new] < _INCIDENT_ORDER[old]
    if (old in _INCIDENT_FINAL and new != old) or backwards:
        raise bad_transition("report.status", INCIDENT_STATUS.symbol(old), INCIDENT_STATUS.symbol(new))


def _incident_status_symbol(entity: instances_pb2.EntityDetail) -> str:
    extra = entity.properties.properties.get("additionalProperties")
    values = plain_value(extra) if extra is not None else None
    return str(values.get(_STATUS_KEY, "")) if isinstance(values, dict) else ""


def _incident_of(entity: instances_pb2.EntityDetail, impacted: Iterable[str]) -> sa.IncidentReport:
    result = sa.IncidentReport(guid=entity.header.guid, version=entity.header.version,
                               impacted_resource_guids=list(impacted))
    read_fields(entity.properties, INCIDENT_FIELDS, result)
    result.status = INCIDENT_STATUS.from_symbol(_incident_status_symbol(entity))  # type: ignore[assignment]
    return result


def _encode_incident(value: sa.IncidentReport, sequence: int) -> bytes:
    response = sa.RaiseIncidentReportResponse(header=common_pb2.ResponseHeader(sequence=sequence), report=value)
    return response.SerializeToString()


def _decode_incident(data: bytes) -> Written[sa.IncidentReport]:
    response = sa.RaiseIncidentReportResponse.FromString(data)
    return Written(response.report, response.header.sequence)
