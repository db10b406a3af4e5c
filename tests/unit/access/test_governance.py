"""GovernanceCore against a real SQLite store and repository."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2, timestamp_pb2

from coho.access.v1 import elements_pb2
from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.server.access.governance import GovernanceCore
from coho.server.errors import AlreadyExists, InvalidArgument, NotFound
from coho.server.repository import Caller, Repository

pytestmark = pytest.mark.timeout(30)
ALICE = Caller(user_id="alice")


@pytest.fixture
def core(repo: Repository) -> GovernanceCore:
    return GovernanceCore(repo)


def config() -> struct_pb2.Struct:
    value = struct_pb2.Struct()
    value.update({"path": "/data", "depth": 3, "ratio": 0.5, "on": True, "none": None,
                  "nested": {"list": [1, "two", {"x": False}]}})
    return value


async def setup_group(core: GovernanceCore) -> tuple[ge.IntegrationGroup, ge.IntegrationConnector]:
    group = (await core.create_group(ALICE, ge.IntegrationGroup(qualified_name="g1", display_name="G"))).value
    connector = (await core.create_connector(ALICE, ge.IntegrationConnector(
        qualified_name="c1", entry_point="pkg.mod:Conn", integration_service="files", uses_blocking_calls=True,
        configuration_properties=config(), catalog_targets=["t1", "t2"]))).value
    return group, connector


async def test_actions_create_update_list(core: GovernanceCore) -> None:
    created = (await core.create_action(ALICE, ge.GovernanceActionRequest(
        governance_engine_name="engine", request_type="scan", request_parameters={"a": "b"},
        completion_guards=["done"]), request_id="r")).value
    assert created.status == ge.GOVERNANCE_ACTION_STATUS_REQUESTED and created.requested_by == "alice"
    assert list(created.completion_guards) == ["done"] and created.request_parameters["a"] == "b"
    again = (await core.create_action(ALICE, ge.GovernanceActionRequest(request_type="scan"), request_id="r")).value
    assert again.guid == created.guid
    done = (await core.update_action(ALICE, ge.GovernanceActionRequest(
        guid=created.guid, status=ge.GOVERNANCE_ACTION_STATUS_COMPLETED), ["status"])).value
    assert done.status == ge.GOVERNANCE_ACTION_STATUS_COMPLETED and done.HasField("completion_time")
    with pytest.raises(InvalidArgument):
        await core.update_action(ALICE, ge.GovernanceActionRequest(
            guid=created.guid, status=ge.GOVERNANCE_ACTION_STATUS_IN_PROGRESS), ["status"])
    await core.create_action(ALICE, ge.GovernanceActionRequest(request_type="other"))
    listed = core.list_actions([ge.GOVERNANCE_ACTION_STATUS_COMPLETED], 10, "").items
    assert [a.guid for a in listed] == [created.guid]
    assert len(core.list_actions([], 10, "").items) == 2
    with pytest.raises(NotFound):
        await core.create_action(ALICE, ge.GovernanceActionRequest(request_type="x", action_target_guids=["nope"]))


async def test_connector_round_trips_struct_exactly(core: GovernanceCore, repo: Repository) -> None:
    _, connector = await setup_group(core)
    assert connector.configuration_properties == config()
    assert list(connector.catalog_targets) == ["t1", "t2"] and connector.uses_blocking_calls
    changed = (await core.update_connector(ALICE, ge.IntegrationConnector(guid=connector.guid, catalog_targets=[]),
                                           ["catalog_targets"])).value
    assert list(changed.catalog_targets) == [] and changed.configuration_properties == config()
    assert changed.version == connector.version + 1
    with pytest.raises(AlreadyExists):
        await core.create_connector(ALICE, ge.IntegrationConnector(qualified_name="c1"))


async def test_link_get_update_unlink(core: GovernanceCore) -> None:
    group, connector = await setup_group(core)
    start = timestamp_pb2.Timestamp(seconds=1000)
    reg = (await core.link_connector(ALICE, ge.RegisteredConnector(
        group_guid=group.guid, connector_guid=connector.guid, connector_name="files-1", connector_user_id="svc",
        refresh_time_interval_seconds=30, start_date=start, generate_integration_report=True,
        permitted_synchronization=elements_pb2.PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY))).value
    assert reg.connector.guid == connector.guid and reg.refresh_time_interval_seconds == 30
    got_group, regs = core.get_group(qualified_name="g1")
    assert got_group == group and len(regs) == 1
    assert regs[0].connector.configuration_properties == config()
    assert regs[0].permitted_synchronization == elements_pb2.PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY
    assert regs[0].start_date == start and regs[0].generate_integration_report
    updated = (await core.update_registration(ALICE, ge.RegisteredConnector(
        guid=reg.guid, refresh_time_interval_seconds=5), ["refresh_time_interval_seconds"])).value
    assert updated.refresh_time_interval_seconds == 5 and updated.connector_user_id == "svc"
    assert updated.version == reg.version + 1
    await core.unlink_connector(ALICE, reg.guid)
    assert core.get_group(group.guid)[1] == []
    with pytest.raises(NotFound) as gone:
        await core.unlink_connector(ALICE, reg.guid)
    assert gone.value.resource == ("RegisteredConnector", reg.guid)


async def test_link_errors(core: GovernanceCore) -> None:
    group, connector = await setup_group(core)
    other = (await core.create_connector(ALICE, ge.IntegrationConnector(qualified_name="c2"))).value
    await core.link_connector(ALICE, ge.RegisteredConnector(group_guid=group.guid, connector_guid=connector.guid,
                                                            connector_name="n"))
    with pytest.raises(AlreadyExists) as dup:
        await core.link_connector(ALICE, ge.RegisteredConnector(group_guid=group.guid, connector_guid=other.guid,
                                                                connector_name="n"))
    assert dup.value.reason == "DUPLICATE_CONNECTOR_NAME"
    with pytest.raises(NotFound) as unknown:
        await core.link_connector(ALICE, ge.RegisteredConnector(group_guid="nope", connector_guid=other.guid,
                                                                connector_name="m"))
    assert unknown.value.resource == ("IntegrationGroup", "nope")
    with pytest.raises(InvalidArgument):
        await core.link_connector(ALICE, ge.RegisteredConnector(group_guid=group.guid, connector_guid=other.guid,
                                                                connector_name="m", refresh_time_interval_seconds=-1))
    with pytest.raises(NotFound):
        core.get_group("nope")


async def test_groups_update_and_page(core: GovernanceCore) -> None:
    for i in range(3):
        await core.create_group(ALICE, ge.IntegrationGroup(qualified_name=f"g{i}"))
    with pytest.raises(AlreadyExists):
        await core.create_group(ALICE, ge.IntegrationGroup(qualified_name="g0"))
    first = core.list_groups(2, "")
    second = core.list_groups(2, first.next_page_token)
    assert len(first.items) == 2 and len(second.items) == 1 and not second.next_page_token
    updated = (await core.update_group(ALICE, ge.IntegrationGroup(guid=first.items[0].guid, description="d"),
                                       ["description"])).value
    assert updated.description == "d" and updated.qualified_name == first.items[0].qualified_name


async def test_reports_are_on_unless_a_registration_turns_them_off(core: GovernanceCore) -> None:
    group, connector = await setup_group(core)
    unset = (await core.link_connector(ALICE, ge.RegisteredConnector(
        group_guid=group.guid, connector_guid=connector.guid, connector_name="defaulted"))).value
    other = (await core.create_connector(ALICE, ge.IntegrationConnector(qualified_name="c-quiet"))).value
    off = (await core.link_connector(ALICE, ge.RegisteredConnector(
        group_guid=group.guid, connector_guid=other.guid, connector_name="quiet",
        generate_integration_report=False))).value
    assert unset.generate_integration_report and not off.generate_integration_report
    stored = {r.connector_name: r.generate_integration_report for r in core.get_group(group.guid)[1]}
    assert stored == {"defaulted": True, "quiet": False}
