"""The cohort registry store: this member's registration and its peers, per cohort, persisted in state.

Egeria keeps one registry store per cohort (local registration + remote registrations). Here it is a small
JSON document under ``cohort/<name>/registry`` in the store's key/value state, written through
:meth:`Store.write` so it is as durable as the metadata. The subscriber cursor for each peer is a separate
key (:func:`cursor_key`) because it is written in the same transaction as every applied batch, and rewriting
the whole registry per batch would be waste.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from google.protobuf.timestamp_pb2 import Timestamp

from coho.omrs.v1 import events_pb2
from coho.server.store.base import Store, WriteTxn

REGISTERED = "registered"
UNREGISTERED = "unregistered"


def registry_key(cohort: str) -> str:
    return f"cohort/{cohort}/registry"


def cursor_key(cohort: str, peer_id: str) -> str:
    return f"cohort/{cohort}/cursor/{peer_id}"


def read_cursor(store: Store, cohort: str, peer_id: str) -> int | None:
    """The last sequence of the peer's log applied here, or None when nothing was (a snapshot is due)."""
    raw = store.get_state(cursor_key(cohort, peer_id))
    return None if raw is None else int(raw)


def write_cursor(txn: WriteTxn, cohort: str, peer_id: str, sequence: int) -> None:
    txn.put_state(cursor_key(cohort, peer_id), str(sequence).encode())


@dataclass
class Member:
    """One registration as the registry keeps it (times in epoch ms)."""

    metadata_collection_id: str
    metadata_collection_name: str = ""
    server_name: str = ""
    server_type: str = "coho"
    organization_name: str = ""
    endpoint: str = ""
    registration_time_ms: int = 0
    state: str = REGISTERED

    @classmethod
    def from_proto(cls, reg: events_pb2.MemberRegistration) -> Member:
        return cls(
            metadata_collection_id=reg.metadata_collection_id, metadata_collection_name=reg.metadata_collection_name,
            server_name=reg.server_name, server_type=reg.server_type or "coho",
            organization_name=reg.organization_name, endpoint=reg.endpoint,
            registration_time_ms=reg.registration_time.ToMilliseconds() if reg.HasField("registration_time") else 0,
        )

    def to_proto(self) -> events_pb2.MemberRegistration:
        ts = Timestamp()
        ts.FromMilliseconds(self.registration_time_ms)
        return events_pb2.MemberRegistration(
            metadata_collection_id=self.metadata_collection_id, metadata_collection_name=self.metadata_collection_name,
            server_name=self.server_name, server_type=self.server_type, organization_name=self.organization_name,
            endpoint=self.endpoint, registration_time=ts,
        )

    def clashes_with(self, other: Member) -> bool:
        """Same collection id claimed by a different server: Egeria's CONFLICTING_COLLECTION_ID."""
        return self.metadata_collection_id == other.metadata_collection_id and self.server_name != other.server_name


@dataclass
class CohortRegistry:
    """The registry document of one cohort."""

    cohort: str
    local: Member | None = None
    peers: dict[str, Member] = field(default_factory=dict)
    left: bool = False

    @classmethod
    def load(cls, store: Store, cohort: str) -> CohortRegistry:
        raw = store.get_state(registry_key(cohort))
        if raw is None:
            return cls(cohort)
        data = json.loads(raw)
        local = Member(**data["local"]) if data.get("local") else None
        peers = {key: Member(**value) for key, value in data.get("peers", {}).items()}
        return cls(cohort, local, peers, bool(data.get("left", False)))

    def encode(self) -> bytes:
        data = {"local": asdict(self.local) if self.local else None,
                "peers": {key: asdict(value) for key, value in self.peers.items()}, "left": self.left}
        return json.dumps(data, sort_keys=True).encode()

    def put(self, txn: WriteTxn) -> None:
        txn.put_state(registry_key(self.cohort), self.encode())

    async def save(self, store: Store) -> None:
        data = self.encode()
        key = registry_key(self.cohort)
        await store.write(lambda txn: txn.put_state(key, data))

    def active_peers(self) -> list[Member]:
        return [m for m in self.peers.values() if m.state == REGISTERED]

    def directory(self) -> list[events_pb2.MemberRegistration]:
        """Every registered member, this one first, for Welcome."""
        members = [self.local] if self.local else []
        return [m.to_proto() for m in members + self.active_peers()]
