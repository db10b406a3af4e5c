"""Governance Engine OMAS core: governance action requests and integration groups (no grpc here).

- A governance action request is a ``GovernanceActionRequest`` entity with ``ActionTarget`` links.
- An integration group (Egeria type 0464) is an ``IntegrationGroup`` entity linked by
  ``RegisteredIntegrationConnector`` relationships to ``IntegrationConnector`` entities; the relationship's
  properties say how the group runs the connector. Integration daemons follow these through the Out Topic,
  so every change here is an ordinary repository write.

Fields without a property in the built-in types are kept in ``additionalProperties`` as JSON text:
``completionGuards`` (GovernanceActionRequest.completion_guards) and ``catalogTargets``
(IntegrationConnector.catalog_targets). ``configuration_properties`` (a Struct) is the connector's
``map<string,object>`` property, one JSON value per key, so it round-trips exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from google.protobuf import json_format

from coho.access.v1 import elements_pb2
from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.omrs.v1 import common_pb2, instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.access.metadata import (
    EnumSpec,
    Field,
    RepositoryLike,
    add_entity,
    any_of,
    apply_changes,
    bad_transition,
    changes_for,
    date_value,
    dedupe,
    eq,
    generated_name,
    load_typed,
    new_properties,
    object_map,
    plain_value,
    read_fields,
    read_object_map,
    read_typed,
    request_key,
    str_map,
    str_value,
    sync_links,
    update_entity,
    update_mask,
)
from coho.server.errors import AlreadyExists, InvalidArgument, not_found
from coho.server.repository import relationships
from coho.server.repository.api import Caller, Written
from coho.server.repository.core import fetch_all
from coho.server.repository.headers import DELETED, WriteContext, from_ts
from coho.server.store.base import Page, WriteTxn

_ACTIVITY_ORDINALS = {"REQUESTED": 0, "APPROVED": 1, "WAITING": 2, "ACTIVATING": 3, "IN_PROGRESS": 4,
                      "COMPLETED": 10, "INVALID": 11, "IGNORED": 12, "FAILED": 13, "CANCELLED": 14}
ACTION_STATUS = EnumSpec("ActivityStatus", ge.GovernanceActionStatus, "GOVERNANCE_ACTION_STATUS_",
                         _ACTIVITY_ORDINALS)
SYNC = EnumSpec("PermittedSynchronization", elements_pb2.PermittedSynchronization, "PERMITTED_SYNCHRONIZATION_",
                {"BOTH_DIRECTIONS": 0, "TO_THIRD_PARTY": 1, "FROM_THIRD_PARTY": 2})

ACTION_FIELDS: dict[str, Field] = {
    "qualified_name": Field("qualifiedName"),
    "display_name": Field("displayName"),
    "description": Field("description"),
    "governance_engine_name": Field("governanceEngineName"),
    "request_type": Field("requestType"),
    "request_parameters": Field("requestParameters", "strmap"),
    "action_target_guids": Field("actionTargets", "strarray"),
    "status": Field("status", "enum", ACTION_STATUS),
    "requested_by": Field("requestedBy"),
    "start_time": Field("startTime", "date"),
    "completion_time": Field("completionTime", "date"),
}
ACTION_SETTABLE = ("qualified_name", "display_name", "description", "governance_engine_name", "request_type",
                   "request_parameters", "action_target_guids", "status", "start_time", "completion_time",
                   "completion_guards")
_ACTION_FINAL = frozenset({ge.GOVERNANCE_ACTION_STATUS_COMPLETED, ge.GOVERNANCE_ACTION_STATUS_INVALID,
                           ge.GOVERNANCE_ACTION_STATUS_IGNORED, ge.GOVERNANCE_ACTION_STATUS_FAILED,
                           ge.GOVERNANCE_ACTION_STATUS_CANCELLED})

GROUP_FIELDS: dict[str, Field] = {
    "qualified_name": Field("qualifiedName"),
    "display_name": Field("displayName"),
    "description": Field("description"),
    "version_identifier": Field("versionIdentifier"),
}
CONNECTOR_FIELDS: dict[str, Field] = {
    "qualified_name": Field("qualifiedName"),
    "display_name": Field("displayName"),
    "description": Field("description"),
    "entry_point": Field("entryPoint"),
    "integration_service": Field("integrationService"),
    "uses_blocking_calls": Field("usesBlockingCalls", "bool"),
}
CONNECTOR_SETTABLE = (*CONNECTOR_FIELDS, "configuration_properties", "catalog_targets")
REGISTRATION_FIELDS: dict[str, Field] = {
    "connector_name": Field("connectorName"),
    "connector_user_id": Field("connectorUserId"),
    "metadata_source_qualified_name": Field("metadataSourceQualifiedName"),
    "start_date": Field("startDate", "date"),
    "stop_date": Field("stopDate", "date"),
    "refresh_time_interval_seconds": Field("refreshTimeIntervalSeconds", "long"),
    "generate_integration_report": Field("generateIntegrationReport", "bool"),
    "permitted_synchronization": Field("permittedSynchronization", "enum", SYNC),
}
REGISTERED = "RegisteredIntegrationConnector"


def _with_reports_on(reg: ge.RegisteredConnector) -> ge.RegisteredConnector:
    copy = ge.RegisteredConnector()
    copy.CopyFrom(reg)
    copy.generate_integration_report = True
    return copy


def _extra(entity: instances_pb2.EntityDetail) -> dict[str, str]:
    value = entity.properties.properties.get("additionalProperties")
    found = plain_value(value) if value is not None else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _with_extra(stored: dict[str, str], key: str, values: Sequence[str]) -> instances_pb2.PropertyValue | None:
    merged = dict(stored)
    if values:
        merged[key] = json.dumps(list(values))
    else:
        merged.pop(key, None)
    return str_map(merged) if merged else None


def action_of(entity: instances_pb2.EntityDetail) -> ge.GovernanceActionRequest:
    result = ge.GovernanceActionRequest(guid=entity.header.guid, version=entity.header.version)
    read_fields(entity.properties, ACTION_FIELDS, result)
    result.completion_guards.extend(json.loads(_extra(entity).get("completionGuards", "[]")))
    return result


def group_of(entity: instances_pb2.EntityDetail) -> ge.IntegrationGroup:
    result = ge.IntegrationGroup(guid=entity.header.guid, version=entity.header.version)
    read_fields(entity.properties, GROUP_FIELDS, result)
    return result


def connector_of(entity: instances_pb2.EntityDetail) -> ge.IntegrationConnector:
    result = ge.IntegrationConnector(guid=entity.header.guid, version=entity.header.version)
    read_fields(entity.properties, CONNECTOR_FIELDS, result)
    result.configuration_properties.update(read_object_map(entity.properties.properties.get(
        "configurationProperties")))
    result.catalog_targets.extend(json.loads(_extra(entity).get("catalogTargets", "[]")))
    return result


def registration_of(rel: instances_pb2.Relationship) -> ge.RegisteredConnector:
    result = ge.RegisteredConnector(guid=rel.header.guid, version=rel.header.version,
                                    group_guid=rel.entity_one_proxy.header.guid,
                                    connector_guid=rel.entity_two_proxy.header.guid)
    read_fields(rel.properties, REGISTRATION_FIELDS, result)
    return result


def _connector_changes(given: ge.IntegrationConnector, names: Sequence[str], extra: dict[str, str]
                       ) -> dict[str, instances_pb2.PropertyValue | None]:
    changes = changes_for(given, CONNECTOR_FIELDS, [n for n in names if n in CONNECTOR_FIELDS])
    if "configuration_properties" in names:
        try:
            config = json_format.MessageToDict(given.configuration_properties)
        except ValueError as exc:  # NaN / Infinity have no JSON form
            raise InvalidArgument(message=f"configuration_properties: {exc}", reason="INVALID_FIELD",
                                  field_violations=[("connector.configuration_properties", str(exc))]) from exc
        changes["configurationProperties"] = object_map(config) if config else None
    if "catalog_targets" in names:
        changes["additionalProperties"] = _with_extra(extra, "catalogTargets", given.catalog_targets)
    return changes


def _check_registration(reg: ge.RegisteredConnector, names: Sequence[str]) -> None:
    if "refresh_time_interval_seconds" in names and reg.refresh_time_interval_seconds < 0:
        raise InvalidArgument(message="refresh_time_interval_seconds must be >= 0", reason="BAD_INTERVAL",
                              field_violations=[("registration.refresh_time_interval_seconds", "must be >= 0")])
    if reg.HasField("start_date") and reg.HasField("stop_date") and \
            from_ts(reg.stop_date) < from_ts(reg.start_date):
        raise InvalidArgument(message="stop_date is before start_date", reason="BAD_DATES",
                              field_violations=[("registration.stop_date", "before start_date")])


def _name_taken(txn: WriteTxn, group_guid: str, name: str, except_guid: str = "") -> str | None:
    """The registration in this group already using connector name, if any (names key a daemon's connectors)."""
    for rel in txn.relationships_of(group_guid):
        if rel.header.type.type_def_name != REGISTERED or rel.header.status == DELETED:
            continue
        if rel.header.guid != except_guid and rel.entity_one_proxy.header.guid == group_guid:
            prop = rel.properties.properties.get("connectorName")
            if prop is not None and plain_value(prop) == name:
                return rel.header.guid
    return None


def _duplicate_name(name: str, existing: str) -> AlreadyExists:
    return AlreadyExists(message=f"the group already registers a connector named {name!r}",
                         reason="DUPLICATE_CONNECTOR_NAME", metadata={"existing_guid": existing},
                         field_violations=[("registration.connector_name", "already used in this group")])


def _load_registration(txn: WriteTxn, guid: str) -> instances_pb2.Relationship:
    if not guid:
        raise InvalidArgument(message="registration.guid is required", reason="MISSING_FIELD",
                              field_violations=[("registration.guid", "is required")])
    rel = txn.get_relationship(guid)
    if rel is None or rel.header.status == DELETED or rel.header.type.type_def_name != REGISTERED:
        raise not_found("RegisteredConnector", guid)
    return rel


class GovernanceCore:
    """Governance action requests and integration groups over a repository."""

    def __init__(self, repository: RepositoryLike) -> None:
        self.repo = repository

    # -- governance action requests -------------------------------------------------------------------
    async def create_action(self, caller: Caller, action: ge.GovernanceActionRequest, *, request_id: str = ""
                            ) -> Written[ge.GovernanceActionRequest]:
        given = ge.GovernanceActionRequest()
        given.CopyFrom(action)
        given.qualified_name = given.qualified_name or generated_name(
            "GovernanceActionRequest", given.governance_engine_name, given.request_type)
        given.status = given.status or ge.GOVERNANCE_ACTION_STATUS_REQUESTED
        given.requested_by = given.requested_by or caller.connector_id or caller.user_id
        dedupe(given.action_target_guids)

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.GovernanceActionRequest, int]:
            changes = changes_for(given, ACTION_FIELDS, ACTION_FIELDS)
            changes["additionalProperties"] = _with_extra({}, "completionGuards", given.completion_guards)
            entity, sequence = add_entity(txn, ctx, "GovernanceActionRequest", new_properties(changes), "action")
            linked = sync_links(txn, ctx, anchor=entity.header.guid, anchor_end=1, type_name="ActionTarget",
                                wanted=given.action_target_guids, field="action.action_target_guids")
            return action_of(entity), max(sequence, linked)

        def encode(value: ge.GovernanceActionRequest, sequence: int) -> bytes:
            header = common_pb2.ResponseHeader(sequence=sequence)
            return ge.CreateGovernanceActionRequestResponse(header=header, action=value).SerializeToString()

        def decode(data: bytes) -> Written[ge.GovernanceActionRequest]:
            response = ge.CreateGovernanceActionRequestResponse.FromString(data)
            return Written(response.action, response.header.sequence)

        key = request_key("CreateGovernanceActionRequest", request_id)
        return await self.repo.write_once(caller, key, op, encode=encode, decode=decode)

    async def update_action(self, caller: Caller, action: ge.GovernanceActionRequest, update_fields: Sequence[str]
                            ) -> Written[ge.GovernanceActionRequest]:
        names = update_mask(update_fields, ACTION_SETTABLE)
        given = ge.GovernanceActionRequest()
        given.CopyFrom(action)
        dedupe(given.action_target_guids)
        names = [n for n in names if not (n == "qualified_name" and not given.qualified_name)
                 and not (n == "status" and not given.status)]

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.GovernanceActionRequest, int]:
            stored = load_typed(txn, ctx, given.guid, "GovernanceActionRequest", "action.guid")
            current = action_of(stored)
            changes = changes_for(given, ACTION_FIELDS, [n for n in names if n in ACTION_FIELDS])
            if "status" in names and given.status != current.status:
                if current.status in _ACTION_FINAL:
                    raise bad_transition("action.status", ACTION_STATUS.symbol(current.status),
                                         ACTION_STATUS.symbol(given.status))
                if given.status in _ACTION_FINAL and not given.HasField("completion_time"):
                    changes["completionTime"] = date_value(ctx.time_ms)
            if "completion_guards" in names:
                changes["additionalProperties"] = _with_extra(_extra(stored), "completionGuards",
                                                              given.completion_guards)
            linked = 0
            if "action_target_guids" in names:
                linked = sync_links(txn, ctx, anchor=given.guid, anchor_end=1, type_name="ActionTarget",
                                    wanted=given.action_target_guids, field="action.action_target_guids")
            entity, sequence = update_entity(txn, ctx, stored, apply_changes(stored.properties, changes))
            return action_of(entity), max(sequence, linked)

        return await self.repo.write(caller, op)

    def list_actions(self, statuses: Sequence[int], page_size: int, page_token: str
                     ) -> Page[ge.GovernanceActionRequest]:
        values = [v for v in (ACTION_STATUS.to_value(s) for s in statuses) if v is not None]
        match = common_pb2.SearchProperties(conditions=[any_of([eq("status", v) for v in values])]) if values else None
        page = self.repo.find_entities(type_name="GovernanceActionRequest", match_properties=match,
                                       page_size=page_size, page_token=page_token)
        return Page([action_of(entity) for entity in page.items], page.next_page_token)

    # -- integration groups ---------------------------------------------------------------------------
    async def create_group(self, caller: Caller, group: ge.IntegrationGroup, *, request_id: str = ""
                           ) -> Written[ge.IntegrationGroup]:
        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.IntegrationGroup, int]:
            props = new_properties(changes_for(group, GROUP_FIELDS, GROUP_FIELDS))
            entity, sequence = add_entity(txn, ctx, "IntegrationGroup", props, "group")
            return group_of(entity), sequence

        def encode(value: ge.IntegrationGroup, sequence: int) -> bytes:
            header = common_pb2.ResponseHeader(sequence=sequence)
            return ge.CreateIntegrationGroupResponse(header=header, group=value).SerializeToString()

        def decode(data: bytes) -> Written[ge.IntegrationGroup]:
            response = ge.CreateIntegrationGroupResponse.FromString(data)
            return Written(response.group, response.header.sequence)

        key = request_key("CreateIntegrationGroup", request_id)
        return await self.repo.write_once(caller, key, op, encode=encode, decode=decode)

    async def update_group(self, caller: Caller, group: ge.IntegrationGroup, update_fields: Sequence[str]
                           ) -> Written[ge.IntegrationGroup]:
        names = [n for n in update_mask(update_fields, tuple(GROUP_FIELDS))
                 if not (n == "qualified_name" and not group.qualified_name)]

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.IntegrationGroup, int]:
            stored = load_typed(txn, ctx, group.guid, "IntegrationGroup", "group.guid")
            changes = changes_for(group, GROUP_FIELDS, names)
            entity, sequence = update_entity(txn, ctx, stored, apply_changes(stored.properties, changes))
            return group_of(entity), sequence

        return await self.repo.write(caller, op)

    def get_group(self, guid: str = "", qualified_name: str = "") -> tuple[ge.IntegrationGroup,
                                                                          list[ge.RegisteredConnector]]:
        """The group with every live registration, each embedding its IntegrationConnector (what daemons read)."""
        entity = read_typed(self.repo, guid, "IntegrationGroup") if guid else self._group_named(qualified_name)
        rels = fetch_all(lambda token: self.repo.relationships_for_entity(
            entity.header.guid, type_name=REGISTERED, page_size=1000, page_token=token))
        registrations = []
        for rel in rels:
            if rel.entity_one_proxy.header.guid != entity.header.guid:
                continue
            registration = registration_of(rel)
            registration.connector.CopyFrom(connector_of(self.repo.get_entity(registration.connector_guid)))
            registrations.append(registration)
        return group_of(entity), registrations

    def _group_named(self, qualified_name: str) -> instances_pb2.EntityDetail:
        match = common_pb2.SearchProperties(conditions=[eq("qualifiedName", str_value(qualified_name))])
        found = self.repo.find_entities(type_name="IntegrationGroup", match_properties=match, page_size=1).items
        if not found:
            raise not_found("IntegrationGroup", qualified_name)
        return found[0]

    def list_groups(self, page_size: int, page_token: str) -> Page[ge.IntegrationGroup]:
        page = self.repo.find_entities(type_name="IntegrationGroup", page_size=page_size, page_token=page_token)
        return Page([group_of(entity) for entity in page.items], page.next_page_token)

    # -- integration connectors -----------------------------------------------------------------------
    async def create_connector(self, caller: Caller, connector: ge.IntegrationConnector, *, request_id: str = ""
                               ) -> Written[ge.IntegrationConnector]:
        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.IntegrationConnector, int]:
            props = new_properties(_connector_changes(connector, CONNECTOR_SETTABLE, {}))
            entity, sequence = add_entity(txn, ctx, "IntegrationConnector", props, "connector")
            return connector_of(entity), sequence

        def encode(value: ge.IntegrationConnector, sequence: int) -> bytes:
            header = common_pb2.ResponseHeader(sequence=sequence)
            return ge.CreateIntegrationConnectorResponse(header=header, connector=value).SerializeToString()

        def decode(data: bytes) -> Written[ge.IntegrationConnector]:
            response = ge.CreateIntegrationConnectorResponse.FromString(data)
            return Written(response.connector, response.header.sequence)

        key = request_key("CreateIntegrationConnector", request_id)
        return await self.repo.write_once(caller, key, op, encode=encode, decode=decode)

    async def update_connector(self, caller: Caller, connector: ge.IntegrationConnector,
                               update_fields: Sequence[str]) -> Written[ge.IntegrationConnector]:
        names = [n for n in update_mask(update_fields, CONNECTOR_SETTABLE)
                 if not (n == "qualified_name" and not connector.qualified_name)]

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.IntegrationConnector, int]:
            stored = load_typed(txn, ctx, connector.guid, "IntegrationConnector", "connector.guid")
            changes = _connector_changes(connector, names, _extra(stored))
            entity, sequence = update_entity(txn, ctx, stored, apply_changes(stored.properties, changes))
            return connector_of(entity), sequence

        return await self.repo.write(caller, op)

    # -- registrations --------------------------------------------------------------------------------
    async def link_connector(self, caller: Caller, reg: ge.RegisteredConnector) -> Written[ge.RegisteredConnector]:
        _check_registration(reg, tuple(REGISTRATION_FIELDS))
        if not reg.HasField("generate_integration_report"):
            # Egeria's default: a registration reports unless it says otherwise.
            reg = _with_reports_on(reg)

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.RegisteredConnector, int]:
            load_typed(txn, ctx, reg.group_guid, "IntegrationGroup", "registration.group_guid")
            connector = load_typed(txn, ctx, reg.connector_guid, "IntegrationConnector",
                                   "registration.connector_guid")
            existing = _name_taken(txn, reg.group_guid, reg.connector_name)
            if existing is not None:
                raise _duplicate_name(reg.connector_name, existing)
            new = mcs.NewRelationship(type_name=REGISTERED, entity_one_guid=reg.group_guid,
                                      entity_two_guid=reg.connector_guid,
                                      properties=new_properties(changes_for(reg, REGISTRATION_FIELDS,
                                                                            REGISTRATION_FIELDS)))
            rel, sequence = relationships.add_relationship(txn, ctx, new, "registration")
            result = registration_of(rel)
            result.connector.CopyFrom(connector_of(connector))
            return result, sequence

        return await self.repo.write(caller, op)

    async def update_registration(self, caller: Caller, reg: ge.RegisteredConnector, update_fields: Sequence[str]
                                  ) -> Written[ge.RegisteredConnector]:
        names = [n for n in update_mask(update_fields, tuple(REGISTRATION_FIELDS))
                 if not (n == "connector_name" and not reg.connector_name)]
        _check_registration(reg, names)

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[ge.RegisteredConnector, int]:
            stored = _load_registration(txn, reg.guid)
            group_guid = stored.entity_one_proxy.header.guid
            existing = _name_taken(txn, group_guid, reg.connector_name, reg.guid) if "connector_name" in names \
                else None
            if existing is not None:
                raise _duplicate_name(reg.connector_name, existing)
            props = apply_changes(stored.properties, changes_for(reg, REGISTRATION_FIELDS, names))
            rel, sequence = stored, 0
            if props != stored.properties:
                rel, sequence = relationships.update_properties(txn, ctx, reg.guid, props, merge=False,
                                                                expected_version=stored.header.version)
            result = registration_of(rel)
            connector = txn.get_entity(result.connector_guid)
            if connector is not None:
                result.connector.CopyFrom(connector_of(connector))
            return result, sequence

        return await self.repo.write(caller, op)

    async def unlink_connector(self, caller: Caller, guid: str) -> Written[None]:
        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[None, int]:
            stored = _load_registration(txn, guid)
            _, sequence = relationships.delete_relationship(txn, ctx, stored.header.guid, expected_version=0)
            return None, sequence

        return await self.repo.write(caller, op)
