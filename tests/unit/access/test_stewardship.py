"""StewardshipCore against a real SQLite store and repository."""

from __future__ import annotations

import pytest

from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.access.stewardship import StewardshipCore
from coho.server.errors import AlreadyExists, InvalidArgument, NotFound
from coho.server.repository import Caller, Repository

pytestmark = pytest.mark.timeout(30)
ALICE = Caller(user_id="alice")


@pytest.fixture
def core(repo: Repository) -> StewardshipCore:
    return StewardshipCore(repo)


async def asset(repo: Repository, name: str) -> str:
    props = instances_pb2.InstanceProperties()
    props.properties["qualifiedName"].primitive.string_value = name
    written = await repo.add_entity(ALICE, mcs.NewEntity(type_name="Asset", properties=props))
    return written.value.header.guid


async def test_open_to_do_sets_open_generates_name_and_links_targets(core: StewardshipCore, repo: Repository) -> None:
    target = await asset(repo, "a1")
    written = await core.open_to_do(ALICE, sa.ToDo(name="fix", priority=3, assigned_to="bob",
                                                   action_target_guids=[target, target]))
    to_do = written.value
    assert written.sequence > 0 and to_do.version == 1
    assert to_do.status == sa.TO_DO_STATUS_OPEN and to_do.qualified_name.startswith("ToDo::fix::")
    assert to_do.originator == "alice" and list(to_do.action_target_guids) == [target]
    links = repo.relationships_for_entity(to_do.guid, type_name="ActionTarget").items
    assert [r.entity_two_proxy.header.guid for r in links] == [target]
    assert core.get_to_do(to_do.guid) == to_do


async def test_open_to_do_errors(core: StewardshipCore) -> None:
    with pytest.raises(InvalidArgument) as missing:
        await core.open_to_do(ALICE, sa.ToDo())
    assert missing.value.field_violations[0][0] == "to_do.name"
    with pytest.raises(NotFound) as unknown:
        await core.open_to_do(ALICE, sa.ToDo(name="x", action_target_guids=["nope"]))
    assert unknown.value.resource == ("EntityDetail", "nope")
    assert core.list_to_dos([], "", 10, "").items == []  # the failed open left nothing behind
    await core.open_to_do(ALICE, sa.ToDo(qualified_name="q"))
    with pytest.raises(AlreadyExists):
        await core.open_to_do(ALICE, sa.ToDo(qualified_name="q"))


async def test_request_id_makes_open_idempotent(core: StewardshipCore) -> None:
    first = await core.open_to_do(ALICE, sa.ToDo(name="once"), request_id="r1")
    again = await core.open_to_do(ALICE, sa.ToDo(name="once"), request_id="r1")
    assert again.value == first.value and again.sequence == first.sequence


async def test_update_mask_status_and_targets(core: StewardshipCore, repo: Repository) -> None:
    a, b = await asset(repo, "a"), await asset(repo, "b")
    opened = (await core.open_to_do(ALICE, sa.ToDo(name="t", description="d", action_target_guids=[a]))).value
    updated = (await core.update_to_do(ALICE, sa.ToDo(guid=opened.guid, priority=7, action_target_guids=[b]),
                                       ["priority", "action_target_guids"])).value
    assert updated.priority == 7 and updated.description == "d" and list(updated.action_target_guids) == [b]
    live = repo.relationships_for_entity(opened.guid, type_name="ActionTarget").items
    assert [r.entity_two_proxy.header.guid for r in live] == [b]
    with pytest.raises(InvalidArgument) as bad:
        await core.update_to_do(ALICE, sa.ToDo(guid=opened.guid), ["guid"])
    assert bad.value.reason == "BAD_UPDATE_FIELD"
    with pytest.raises(NotFound) as missing:
        await core.update_to_do(ALICE, sa.ToDo(guid="nope", name="x"), [])
    assert missing.value.reason == "TO_DO_NOT_FOUND" and missing.value.resource == ("ToDo", "nope")


async def test_complete_and_abandon(core: StewardshipCore) -> None:
    opened = (await core.open_to_do(ALICE, sa.ToDo(name="t"))).value
    done = await core.complete_to_do(ALICE, opened.guid)
    assert done.value.status == sa.TO_DO_STATUS_COMPLETE and done.value.HasField("completion_time")
    again = await core.complete_to_do(ALICE, opened.guid)
    assert again.sequence == 0 and again.value == done.value
    with pytest.raises(InvalidArgument) as bad:
        await core.complete_to_do(ALICE, opened.guid, abandoned=True)
    assert bad.value.reason == "BAD_TRANSITION"
    other = (await core.open_to_do(ALICE, sa.ToDo(name="u"))).value
    assert (await core.complete_to_do(ALICE, other.guid, abandoned=True)).value.status == sa.TO_DO_STATUS_ABANDONED


async def test_list_filters_and_pages(core: StewardshipCore) -> None:
    for i in range(5):
        opened = (await core.open_to_do(ALICE, sa.ToDo(name=f"t{i}", assigned_to="bob" if i % 2 else "eve"))).value
        if i == 4:
            await core.complete_to_do(ALICE, opened.guid)
    assert len(core.list_to_dos([sa.TO_DO_STATUS_OPEN], "", 10, "").items) == 4
    assert sorted(t.name for t in core.list_to_dos([], "bob", 10, "").items) == ["t1", "t3"]
    first = core.list_to_dos([], "", 2, "")
    second = core.list_to_dos([], "", 2, first.next_page_token)
    third = core.list_to_dos([], "", 2, second.next_page_token)
    names = {t.name for t in first.items + second.items + third.items}
    assert names == {f"t{i}" for i in range(5)} and third.next_page_token == ""


async def test_incident_lifecycle(core: StewardshipCore, repo: Repository) -> None:
    resource = await asset(repo, "r")
    raised = (await core.raise_incident_report(ALICE, sa.IncidentReport(
        background="too many deletes", incident_class="DeletionThresholdExceeded", severity=70,
        details={"count": "12"}, impacted_resource_guids=[resource]))).value
    assert raised.status == sa.INCIDENT_REPORT_STATUS_RAISED and raised.HasField("raised_time")
    assert list(raised.impacted_resource_guids) == [resource] and raised.details["count"] == "12"
    reviewed = (await core.update_incident_report(
        ALICE, sa.IncidentReport(guid=raised.guid, status=sa.INCIDENT_REPORT_STATUS_REVIEWED), ["status"])).value
    assert reviewed.status == sa.INCIDENT_REPORT_STATUS_REVIEWED and reviewed.severity == 70
    with pytest.raises(InvalidArgument) as back:
        await core.update_incident_report(
            ALICE, sa.IncidentReport(guid=raised.guid, status=sa.INCIDENT_REPORT_STATUS_RAISED), ["status"])
    assert back.value.reason == "BAD_TRANSITION"
    await core.raise_incident_report(ALICE, sa.IncidentReport(background="other"))
    only = core.list_incident_reports([sa.INCIDENT_REPORT_STATUS_REVIEWED], 10, "").items
    assert [r.guid for r in only] == [raised.guid] and list(only[0].impacted_resource_guids) == [resource]
    first = core.list_incident_reports([], 1, "")
    second = core.list_incident_reports([], 1, first.next_page_token)
    assert len({first.items[0].guid, second.items[0].guid}) == 2
    with pytest.raises(NotFound):
        await core.raise_incident_report(ALICE, sa.IncidentReport(background="x", impacted_resource_guids=["nope"]))
