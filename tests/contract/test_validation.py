"""Every error reason of repository/api.py's table: its class, its exact reason and its field path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from contract.builders import (
    ALICE,
    DELETED,
    DRAFT,
    TEST_ASSET,
    TEST_DEPRECATED,
    add,
    enum,
    link,
    long,
    new_entity,
    new_rel,
    props,
    proxy_of,
    remote_entity,
)

from coho.server import errors
from coho.server.repository import Repository, api

Scenario = Callable[[Repository], Awaitable[Any]]


async def _type_unknown(repo: Repository) -> Any:
    await repo.add_entity(ALICE, new_entity("NoSuchType"))


async def _type_inactive(repo: Repository) -> Any:
    await repo.add_entity(ALICE, new_entity(TEST_DEPRECATED, qualifiedName="d"))


async def _category(repo: Repository) -> Any:
    await repo.add_entity(ALICE, new_entity("NestedFile"))


async def _property_unknown(repo: Repository) -> Any:
    await repo.add_entity(ALICE, new_entity("DataFile", qualifiedName="p", bogus="x"))


async def _property_type(repo: Repository) -> Any:
    await repo.add_entity(ALICE, new_entity("DataFile", qualifiedName="p", fileName=long(1)))


async def _enum_symbol(repo: Repository) -> Any:
    await repo.add_entity(ALICE, new_entity(TEST_ASSET, qualifiedName="e", pattern=enum("NO_SUCH_SYMBOL")))


async def _status_invalid(repo: Repository) -> Any:
    new = new_entity("DataFile", qualifiedName="s")
    new.initial_status = DRAFT
    await repo.add_entity(ALICE, new)


async def _status_deleted(repo: Repository) -> Any:
    entity = await add(repo)
    await repo.update_entity_status(ALICE, entity.header.guid, DELETED)


async def _end_invalid(repo: Repository) -> Any:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    await repo.add_relationship(ALICE, new_rel("NestedFile", file.header.guid, folder.header.guid))


async def _classification_invalid(repo: Repository) -> Any:
    entity = await add(repo)
    await repo.classify_entity(ALICE, entity.header.guid, "PrimaryKey")


async def _duplicate_unique(repo: Repository) -> Any:
    await add(repo, qualifiedName="same")
    await add(repo, "FileFolder", qualifiedName="same")  # unique across every Referenceable


async def _duplicate_guid(repo: Repository) -> Any:
    entity = await add(repo)
    new = new_entity("DataFile", qualifiedName="other")
    new.guid = entity.header.guid
    await repo.add_entity(ALICE, new)


async def _duplicate_link(repo: Repository) -> Any:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    await link(repo, "NestedFile", folder, file)
    await link(repo, "NestedFile", folder, file)


async def _classification_exists(repo: Repository) -> Any:
    entity = await add(repo)
    await repo.classify_entity(ALICE, entity.header.guid, "Memento")
    await repo.classify_entity(ALICE, entity.header.guid, "Memento")


async def _entity_not_found(repo: Repository) -> Any:
    folder = await add(repo, "FileFolder")
    await repo.add_relationship(ALICE, new_rel("NestedFile", folder.header.guid, "no-such-guid"))


async def _entity_proxy_only(repo: Repository) -> Any:
    proxy = proxy_of(repo.types, remote_entity(repo.types))
    await repo.add_entity_proxy(ALICE, proxy)
    repo.get_entity(proxy.header.guid)


async def _relationship_not_found(repo: Repository) -> Any:
    await repo.delete_relationship(ALICE, "no-such-guid")


async def _classification_not_found(repo: Repository) -> Any:
    entity = await add(repo)
    await repo.declassify_entity(ALICE, entity.header.guid, "Memento")


async def _version_conflict(repo: Repository) -> Any:
    entity = await add(repo)
    await repo.delete_entity(ALICE, entity.header.guid, expected_version=7)


async def _not_home(repo: Repository) -> Any:
    entity = remote_entity(repo.types)
    await repo.save_entity_reference_copy(ALICE, entity)
    await repo.update_entity_properties(ALICE, entity.header.guid, props(fileName="x"))


async def _is_home(repo: Repository) -> Any:
    await repo.save_entity_reference_copy(ALICE, await add(repo))


async def _not_deleted(repo: Repository) -> Any:
    await repo.purge_entity(ALICE, (await add(repo)).header.guid)


async def _already_deleted(repo: Repository) -> Any:
    entity = await add(repo)
    await repo.delete_entity(ALICE, entity.header.guid)
    await repo.delete_entity(ALICE, entity.header.guid)


async def _no_previous_version(repo: Repository) -> Any:
    await repo.undo_entity_update(ALICE, (await add(repo)).header.guid)


CASES: list[tuple[str, type[errors.CohoError], Scenario, str | None]] = [
    ("TYPE_UNKNOWN", errors.FailedPrecondition, _type_unknown, "entity.type_name"),
    ("TYPE_INACTIVE", errors.FailedPrecondition, _type_inactive, "entity.type_name"),
    ("TYPE_CATEGORY_MISMATCH", errors.InvalidArgument, _category, "entity.type_name"),
    ("PROPERTY_UNKNOWN", errors.InvalidArgument, _property_unknown, "entity.properties.bogus"),
    ("PROPERTY_TYPE_MISMATCH", errors.InvalidArgument, _property_type, "entity.properties.fileName"),
    ("ENUM_SYMBOL_UNKNOWN", errors.InvalidArgument, _enum_symbol, "entity.properties.pattern"),
    ("STATUS_INVALID", errors.InvalidArgument, _status_invalid, "entity.initial_status"),
    ("STATUS_INVALID", errors.InvalidArgument, _status_deleted, "status"),
    ("RELATIONSHIP_END_INVALID", errors.InvalidArgument, _end_invalid, "relationship.entity_one_guid"),
    ("CLASSIFICATION_INVALID", errors.FailedPrecondition, _classification_invalid, "classification_name"),
    ("DUPLICATE_UNIQUE_VALUE", errors.AlreadyExists, _duplicate_unique, "entity.properties.qualifiedName"),
    ("DUPLICATE_GUID", errors.AlreadyExists, _duplicate_guid, "entity.guid"),
    ("DUPLICATE_LINK", errors.AlreadyExists, _duplicate_link, "relationship.type_name"),
    ("CLASSIFICATION_EXISTS", errors.AlreadyExists, _classification_exists, "classification_name"),
    ("ENTITY_NOT_FOUND", errors.NotFound, _entity_not_found, "relationship.entity_two_guid"),
    ("ENTITY_PROXY_ONLY", errors.NotFound, _entity_proxy_only, None),
    ("RELATIONSHIP_NOT_FOUND", errors.NotFound, _relationship_not_found, None),
    ("CLASSIFICATION_NOT_FOUND", errors.NotFound, _classification_not_found, "classification_name"),
    ("VERSION_CONFLICT", errors.Conflict, _version_conflict, "options.expected_version"),
    ("NOT_HOME", errors.FailedPrecondition, _not_home, None),
    ("IS_HOME", errors.FailedPrecondition, _is_home, None),
    ("NOT_DELETED", errors.FailedPrecondition, _not_deleted, None),
    ("ALREADY_DELETED", errors.FailedPrecondition, _already_deleted, None),
    ("NO_PREVIOUS_VERSION", errors.FailedPrecondition, _no_previous_version, None),
]


def test_every_reason_of_the_table_is_covered() -> None:
    table = api.__doc__ or ""
    reasons = {line.split()[0] for line in table.splitlines() if line[:1].isupper() and "  " in line}
    assert reasons == {reason for reason, *_ in CASES}


@pytest.mark.parametrize(("reason", "cls", "scenario", "field"), CASES, ids=[f"{c[0]}-{c[2].__name__}" for c in CASES])
async def test_reason(
    repo: Repository, reason: str, cls: type[errors.CohoError], scenario: Scenario, field: str | None
) -> None:
    with pytest.raises(errors.CohoError) as info:
        await scenario(repo)
    error = info.value
    assert type(error) is cls
    assert error.reason == reason
    if field is not None:
        assert field in [path for path, _ in error.field_violations]
    if reason.endswith("NOT_FOUND") or reason == "ENTITY_PROXY_ONLY":
        assert error.resource is not None
