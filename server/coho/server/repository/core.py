"""The state and write plumbing every group of Repository methods shares.

Writes run as one :meth:`Store.write` callback each, so a write, its history rows and its change-log events
commit together and a failing write leaves nothing behind. A create with a request id stores its response in
the same transaction, so a retry is answered from it without writing again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import regex  # type: ignore[import-untyped]  # no stubs installed; the store does the same

from coho.omrs.v1 import common_pb2, instances_pb2
from coho.server.errors import FailedPrecondition, InvalidArgument
from coho.server.repository.api import Caller, Written
from coho.server.repository.checks import require_type
from coho.server.repository.headers import WriteContext, now_ms
from coho.server.repository.regex_cost import check_expansion
from coho.server.store.base import Page, Store, WriteTxn
from coho.server.types import TypeRegistry

T = TypeVar("T")
Op = Callable[[WriteTxn, WriteContext], tuple[T, int]]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page_size_of(page_size: int) -> int:
    """0 means the default; above the maximum is a caller error, not a silent cut."""
    if page_size < 0 or page_size > MAX_PAGE_SIZE:
        raise InvalidArgument(
            message=f"page_size must be 0..{MAX_PAGE_SIZE}",
            field_violations=[("page_size", f"must be 0..{MAX_PAGE_SIZE}")],
        )
    return page_size or DEFAULT_PAGE_SIZE


class RepositoryCore:
    """State and write plumbing shared by the Repository method groups."""

    def __init__(
        self,
        store: Store,
        types: TypeRegistry,
        *,
        metadata_collection_name: str = "",
        server_name: str = "",
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.store = store
        self.types = types
        """Replaced wholesale (never mutated in place) when types are added, so a write sees one version."""
        self.metadata_collection_name = metadata_collection_name
        self.server_name = server_name
        self._clock = clock

    @property
    def metadata_collection_id(self) -> str:
        return self.store.metadata_collection_id

    # -- writing --------------------------------------------------------------------------------------
    def write_context(self, caller: Caller) -> WriteContext:
        """The context for the functions in refcopies/entities/...; call it inside the write callback."""
        return WriteContext(
            types=self.types,
            local_id=self.metadata_collection_id,
            local_name=self.metadata_collection_name,
            server_name=self.server_name,
            caller=caller,
            time_ms=self._clock(),
        )

    async def write(self, caller: Caller, op: Op[T]) -> Written[T]:
        """Run ``op(txn, ctx)`` as one repository write: all it does commits, and is logged, together or not at
        all. ``op`` returns (value, sequence of its last change). This is how access services compose several
        maintenance functions into one atomic operation."""

        def run(txn: WriteTxn) -> Written[T]:
            value, sequence = op(txn, self.write_context(caller))
            return Written(value, sequence)

        return await self.store.write(run)

    async def write_once(
        self,
        caller: Caller,
        request_id: str,
        op: Op[T],
        encode: Callable[[T, int], bytes],
        decode: Callable[[bytes], Written[T]],
    ) -> Written[T]:
        """A create that a retry with the same request id answers from the stored first result."""

        def run(txn: WriteTxn) -> Written[T]:
            if request_id:
                earlier = txn.get_request(request_id, caller.user_id)
                if earlier is not None:
                    return decode(earlier)
            value, sequence = op(txn, self.write_context(caller))
            if request_id:
                txn.put_request(request_id, caller.user_id, encode(value, sequence))
            return Written(value, sequence)

        return await self.store.write(run)

    def _header(self, sequence: int) -> common_pb2.ResponseHeader:
        return common_pb2.ResponseHeader(metadata_collection_id=self.metadata_collection_id, sequence=sequence)

    def _type_names(self, type_name: str, subtype_names: Sequence[str], category: int) -> frozenset[str] | None:
        """type_name with its subtypes, narrowed to subtype_names (each with its subtypes)."""
        if type_name:
            require_type(self.types, type_name, category, "type_name", for_new_instance=False)
        if not subtype_names:
            return self.types.subtypes(type_name) if type_name else None
        names: set[str] = set()
        for index, name in enumerate(subtype_names):
            require_type(self.types, name, category, f"subtype_names[{index}]", for_new_instance=False)
            if type_name and not self.types.is_a(name, type_name):
                raise InvalidArgument(
                    message=f"{name} is not a subtype of {type_name}",
                    field_violations=[(f"subtype_names[{index}]", f"not a subtype of {type_name}")],
                )
            names |= self.types.subtypes(name)
        return frozenset(names)


def check_regex(pattern: str, field: str = "search_criteria") -> None:
    """Refuse a pattern that does not compile before it reaches the store."""
    if not pattern:
        raise InvalidArgument(message=f"{field} must not be empty", field_violations=[(field, "required")])
    check_expansion(pattern, field)  # before compiling: regex unrolls {m,n} repeats at compile time
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise InvalidArgument(
            message=f"{field} is not a valid regular expression: {exc}",
            field_violations=[(field, f"invalid regular expression: {exc}")],
        ) from None


def fetch_all(read: Callable[[str], Page[T]]) -> list[T]:
    """Every item of a paged read."""
    items: list[T] = []
    token = ""
    while True:
        page = read(token)
        items.extend(page.items)
        token = page.next_page_token
        if not token:
            return items


def no_previous_version(header: instances_pb2.InstanceHeader) -> FailedPrecondition:
    return FailedPrecondition(
        message=f"{header.guid} has no earlier version to go back to",
        reason="NO_PREVIOUS_VERSION",
        metadata={"guid": header.guid, "version": header.version},
    )
