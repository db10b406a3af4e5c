"""The cohort manager: every membership of one server, and what admin and the servicer ask of them.

Built (not started) when the CohortService servicer is built, started once the server is serving (peers
that call back must find it up), and stopped before the store closes.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from google.protobuf.timestamp_pb2 import Timestamp

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2
from coho.server.cohort import registry as reg
from coho.server.cohort import subscriber as sub
from coho.server.cohort.federation import Peer
from coho.server.cohort.membership import Membership
from coho.server.cohort.publisher import LogNotifier, OutboundStatus, Publication
from coho.server.cohort.transport import CohortTransport, GrpcTransport
from coho.server.errors import FailedPrecondition, NotFound, Unavailable
from coho.server.repository.api import Caller
from coho.server.repository.events import PROTOCOL_VERSION
from coho.server.repository.headers import to_ts
from coho.server.store.base import WriteTxn

if TYPE_CHECKING:
    from coho.server.runtime import Runtime

E = events_pb2
STATES = {
    sub.CONNECTING: admin_pb.CONNECTION_STATE_CONNECTING, sub.CONNECTED: admin_pb.CONNECTION_STATE_CONNECTED,
    sub.DISCONNECTED: admin_pb.CONNECTION_STATE_DISCONNECTED, sub.BACKING_OFF: admin_pb.CONNECTION_STATE_BACKING_OFF,
    sub.UNREGISTERED: admin_pb.CONNECTION_STATE_UNREGISTERED,
}


class CohortManager:
    def __init__(self, runtime: Runtime, transport: CohortTransport | None = None) -> None:
        self.runtime = runtime
        self.transport = transport or GrpcTransport.for_server(runtime.config)
        self.memberships = {c.name: Membership(runtime, c, self.transport) for c in runtime.config.cohorts}
        self.notifier: LogNotifier | None = None
        self.audit_writer: ThreadPoolExecutor | None = None
        self.started = False

    async def start(self, endpoint: str) -> None:
        """Register in every configured cohort and start following its members. ``endpoint`` is advertised
        unless the cohort config names its own."""
        self.notifier = LogNotifier(self.runtime.store)
        self.audit_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cohort-audit")
        for membership in self.memberships.values():
            membership.notifier = self.notifier
            membership.audit_writer = self.audit_writer
            await membership.start(membership.config.endpoint or endpoint)
        self.started = True

    async def stop(self) -> None:
        """Stop streams (both directions). Cursors are already durable: each was committed with its batch."""
        self.started = False
        for membership in self.memberships.values():
            await membership.stop()
        if self.notifier is not None:
            self.notifier.close()
        if self.audit_writer is not None:
            writer, self.audit_writer = self.audit_writer, None
            for membership in self.memberships.values():
                membership.audit_writer = None
            await asyncio.to_thread(writer.shutdown, True)  # the queued records are written before we return
        await self.transport.close()

    def membership(self, name: str) -> Membership:
        membership = self.memberships.get(name)
        if membership is None:
            raise NotFound(message=f"cohort {name!r} is not configured", reason="COHORT_NOT_FOUND",
                           resource=("Cohort", name))
        return membership

    async def leave(self, name: str) -> int:
        return await self.membership(name).leave()

    def leave_soon(self, name: str) -> None:
        """Leave in the background: peers reconnecting to us hear the un-registration (bounded wait)."""
        membership = self.membership(name)
        membership.spawn(membership.leave(wait_seconds=15.0))

    async def request_refresh(self, caller: Caller, guid: str, type_name: str, home_id: str, *,
                              relationship: bool) -> int:
        """Append REFRESH_*_REQUEST to our log; the publishers send it, and only the home answers (REFRESHED_*).

        Returns the request's sequence. NO_COHORT when no membership is running: nobody would hear it."""
        if not any(m.active for m in self.memberships.values()) or not self.started:
            raise FailedPrecondition(message="no cohort connection is running", reason="NO_COHORT",
                                     metadata={"cohorts": ",".join(self.memberships)})
        kind = (E.INSTANCE_EVENT_TYPE_REFRESH_RELATIONSHIP_REQUEST if relationship
                else E.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST)
        repository = self.runtime.repository

        def op(txn: WriteTxn) -> int:
            ctx = repository.write_context(caller)
            event = E.OmrsEvent(
                protocol_version=PROTOCOL_VERSION, timestamp=to_ts(ctx.time_ms), originator=ctx.originator(),
                category=E.OMRS_EVENT_CATEGORY_INSTANCE,
                instance=E.InstanceEventSection(event_type=kind, instance_guid=guid, type_def_name=type_name,
                                                home_metadata_collection_id=home_id))
            return txn.append_change(event, guid=guid, type_name=type_name, kind="other", meta=caller.change_meta())

        return int(await self.runtime.store.write(op))

    def federation_peers(self) -> list[Peer]:
        """Every registered peer of every cohort we are active in, once (a peer in two cohorts is asked once)."""
        peers: dict[str, Peer] = {}
        for membership in self.memberships.values():
            if not (self.started and membership.active):
                continue
            for member in membership.registry.active_peers():
                if member.endpoint and member.metadata_collection_id not in peers:
                    peers[member.metadata_collection_id] = Peer(member.metadata_collection_id, member.endpoint,
                                                                membership.token)
        return list(peers.values())

    def open_publication(self, hello: cs.Hello) -> tuple[Membership, Publication, cs.Welcome]:
        if not self.started:
            raise Unavailable(message="the cohort is starting", reason="COHORT_STARTING")
        membership = self.memberships.get(hello.cohort_name)
        if membership is None:
            raise FailedPrecondition(message=f"not a member of cohort {hello.cohort_name!r}", reason="UNKNOWN_COHORT")
        publication, welcome = membership.open_publication(hello)
        return membership, publication, welcome

    # -- admin ------------------------------------------------------------------------------------------------
    def members(self, cohort_name: str = "") -> list[admin_pb.CohortMember]:
        names = [cohort_name] if cohort_name else list(self.memberships)
        out: list[admin_pb.CohortMember] = []
        for name in names:
            membership = self.membership(name)
            for peer in membership.registry.peers.values():
                out.append(self._member(membership, peer))
        return out

    def _member(self, membership: Membership, peer: reg.Member) -> admin_pb.CohortMember:
        store = self.runtime.store
        peer_id = peer.metadata_collection_id
        subscription = next((s for s in membership.subscriptions if s.peer_id == peer_id and not s.stopped), None)
        inbound = subscription.status if subscription is not None else sub.InboundStatus(state=sub.DISCONNECTED)
        # A live subscription knows the cursor it last committed; the store is read only when it has none
        # (a SQLite read on the event loop per peer made a 2 ms admin poll cost a busy home ~6% of its loop).
        cursor = inbound.cursor or reg.read_cursor(store, membership.cohort, peer_id) or 0
        head = max(inbound.head, cursor)
        outbound = membership.outbound.get(peer_id, OutboundStatus())
        unregistered = peer.state == reg.UNREGISTERED
        out_state = sub.CONNECTED if outbound.connected else sub.DISCONNECTED
        last_heard = max(inbound.last_heard, outbound.last_heard)
        stamp = Timestamp()
        stamp.FromMilliseconds(int(last_heard * 1000))
        return admin_pb.CohortMember(
            cohort_name=membership.cohort, registration=peer.to_proto(),
            inbound_cursor=cursor, inbound_head_sequence=head, inbound_lag=max(0, head - cursor),
            inbound_state=STATES[sub.UNREGISTERED if unregistered else inbound.state],
            outbound_acked_sequence=outbound.acked_sequence,
            outbound_lag=max(0, store.head_sequence() - outbound.acked_sequence),
            outbound_state=STATES[sub.UNREGISTERED if unregistered else out_state],
            last_heard=stamp if last_heard else None,
            events_to_process=membership.process.to_proto(), events_to_save=membership.save_rule.to_proto(),
            events_to_send=membership.send_rule.to_proto())

