"""The public surface of the repository core (Egeria's OMRSMetadataCollection semantics, without grpc).

Servicers, the archive loader, the cohort and the access services call these methods; they never touch the
store directly. Every write returns a :class:`Written` carrying the change-log sequence of the write (0 when
nothing changed), which servicers copy into ``ResponseHeader.sequence``.

Errors are :mod:`coho.server.errors` classes with these reasons (tests and clients switch on them):

==========================  ===================  ==========================================================
reason                      class                when
==========================  ===================  ==========================================================
TYPE_UNKNOWN                FailedPrecondition   type name not known
TYPE_INACTIVE               FailedPrecondition   type deprecated (new instances refused)
TYPE_CATEGORY_MISMATCH      InvalidArgument      an entity type used for a relationship, etc.
PROPERTY_UNKNOWN            InvalidArgument      property not defined for the type (field violation)
PROPERTY_TYPE_MISMATCH      InvalidArgument      wrong value category or primitive (field violation)
ENUM_SYMBOL_UNKNOWN         InvalidArgument      bad enum symbol or ordinal (field violation)
STATUS_INVALID              InvalidArgument      status not valid for the type, or DELETED via UpdateStatus
RELATIONSHIP_END_INVALID    InvalidArgument      an end's entity type does not fit the relationship type
CLASSIFICATION_INVALID      FailedPrecondition   classification not valid for the entity's type
DUPLICATE_UNIQUE_VALUE      AlreadyExists        e.g. qualifiedName already used by another entity
DUPLICATE_GUID              AlreadyExists        caller-chosen GUID already in use
DUPLICATE_LINK              AlreadyExists        multi_link=false and the link exists
CLASSIFICATION_EXISTS       AlreadyExists        classify twice
ENTITY_NOT_FOUND            NotFound             (resource EntityDetail/<guid>)
ENTITY_PROXY_ONLY           NotFound             only a proxy is stored
RELATIONSHIP_NOT_FOUND      NotFound
CLASSIFICATION_NOT_FOUND    NotFound
VERSION_CONFLICT            Conflict             expected_version differs (ABORTED)
NOT_HOME                    FailedPrecondition   a write to a reference copy
IS_HOME                     FailedPrecondition   a reference-copy operation on a home instance
NOT_DELETED                 FailedPrecondition   purge or restore of an instance that is not soft-deleted
ALREADY_DELETED             FailedPrecondition   delete of a soft-deleted instance; or update of one
NO_PREVIOUS_VERSION         FailedPrecondition   undo with no earlier version
==========================  ===================  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from coho.server.store.base import ChangeMeta

T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the authenticated user, and for connectors their tags. Becomes the ChangeMeta."""

    user_id: str
    connector_id: str = ""
    refresh_id: str = ""
    metadata_source: str = ""
    access_service: str = ""

    def change_meta(self) -> ChangeMeta:
        # Built once per caller (both are frozen): every change-log entry of a write asks for it.
        meta: ChangeMeta | None = self.__dict__.get("_change_meta")
        if meta is None:
            meta = ChangeMeta(
                user_id=self.user_id,
                connector_id=self.connector_id,
                refresh_id=self.refresh_id,
                metadata_source=self.metadata_source,
                access_service=self.access_service,
            )
            object.__setattr__(self, "_change_meta", meta)
        return meta


@dataclass(frozen=True)
class Written(Generic[T]):
    """A write's result and the change-log sequence of its last change (0 when it changed nothing)."""

    value: T
    sequence: int


SYSTEM = Caller(user_id="coho")
"""The server acting for itself (archive loads at start, reports)."""
