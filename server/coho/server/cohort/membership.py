"""One cohort membership: the registry, the subscriptions to peers and the publications to them.

Membership is symmetric: each ordered pair of members has one stream. A member subscribes to its seeds and
its registered peers; a Hello from an unknown member registers it and we subscribe back; a Welcome's
directory names the members a newcomer has not met, and it subscribes to them. So every member ends up
subscribed to every other, whichever it heard of first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2, instances_pb2
from coho.server import audit
from coho.server.cohort import registry as reg
from coho.server.cohort.apply import ApplyRules, BatchResult, apply_batch
from coho.server.cohort.publisher import ALL_STATUSES, OutboundStatus, Publication
from coho.server.cohort.rules import ExchangeRule
from coho.server.cohort.subscriber import Subscription
from coho.server.cohort.transport import CohortTransport, StreamError
from coho.server.config import CohortConfig
from coho.server.errors import FailedPrecondition, InvalidArgument, OutOfRange
from coho.server.repository.api import Caller
from coho.server.repository.events import PROTOCOL_VERSION
from coho.server.repository.headers import new_guid, now_ms, to_ts
from coho.server.store.base import ChangeMeta, InstanceFilter, Page, WriteTxn

if TYPE_CHECKING:
    from coho.server.runtime import Runtime

COMPONENT = "cohort"
COHORT_CALLER = Caller(user_id="coho-cohort")
E = events_pb2
MAX_AUDIT_GUIDS = 50
DEREGISTERED = instances_pb2.INSTANCE_PROVENANCE_TYPE_DEREGISTERED_REPOSITORY


def _guids(guids: list[str]) -> str:
    # Enough to find one event in a test or an incident; a 500-event batch keeps its count only.
    return ",".join(guids[:MAX_AUDIT_GUIDS]) + ("" if len(guids) <= MAX_AUDIT_GUIDS else ",...")


class Membership:
    def __init__(self, runtime: Runtime, config: CohortConfig, transport: CohortTransport) -> None:
        self.runtime = runtime
        self.config = config
        self.cohort = config.name
        self.token = config.token
        self.transport = transport
        self.process = ExchangeRule.from_config(config.events_to_process)
        self.save_rule = ExchangeRule.from_config(config.events_to_save)
        self.send_rule = ExchangeRule.from_config(config.events_to_send)
        self.registry = reg.CohortRegistry(config.name)
        self.subscriptions: list[Subscription] = []
        self.outbound: dict[str, OutboundStatus] = {}
        self.publications: set[Publication] = set()
        self.active = False
        self.notifier: Any = None
        self.acked = asyncio.Event()
        """Set on every ack from any subscriber (leave() waits on it)."""
        self.background: set[asyncio.Task[Any]] = set()
        self.audit_writer: Executor | None = None
        """Set by the manager while running: the publisher side's per-batch records are written there."""

    @property
    def local_id(self) -> str:
        return self.runtime.store.metadata_collection_id

    def _audit(self, severity: int, action: str, message: str, **details: object) -> None:
        self.runtime.audit.record(severity, COMPONENT, action, message, details={"cohort": self.cohort, **details})

    def _audit_off_loop(self, record: Callable[[], None]) -> None:
        """Per-batch records of the publisher side go to one writer thread, in order. Inserted on the event
        loop they took ~12% of a busy home's loop time (bench_cohort profile at 2,000 events/s, two peers),
        and every stream of that home waited behind them. A kill -9 may lose the few still queued."""
        writer = self.audit_writer
        if writer is not None:
            with contextlib.suppress(RuntimeError):  # shut down meanwhile: write it here
                writer.submit(record)
                return
        record()

    def spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    # -- lifecycle -------------------------------------------------------------------------------------
    async def start(self, endpoint: str) -> None:
        store = self.runtime.store
        self.registry = reg.CohortRegistry.load(store, self.cohort)
        if self.registry.left:
            self._audit(audit.COHORT, "COHORT_LEFT_EARLIER", f"not rejoining cohort {self.cohort}: it was left")
            return
        first = self.registry.local is None
        registered_ms = now_ms() if first or self.registry.local is None else self.registry.local.registration_time_ms
        self.registry.local = reg.Member(
            metadata_collection_id=self.local_id,
            metadata_collection_name=self.runtime.repository.metadata_collection_name,
            server_name=self.runtime.config.server_name, organization_name=self.runtime.config.organization,
            endpoint=endpoint, registration_time_ms=registered_ms)
        kind = E.REGISTRY_EVENT_TYPE_REGISTRATION_EVENT if first else E.REGISTRY_EVENT_TYPE_RE_REGISTRATION_EVENT
        event = self._registry_event(kind)

        def op(txn: WriteTxn) -> int:
            self.registry.put(txn)
            return self._append_registry(txn, event)

        sequence = await store.write(op)
        action = "REGISTRATION_EVENT" if first else "RE_REGISTRATION_EVENT"
        self._audit(audit.COHORT, action, f"registered with cohort {self.cohort} as {endpoint}",
                    endpoint=endpoint, sequence=sequence, peers=len(self.registry.active_peers()))
        self.active = True
        for peer in self.registry.active_peers():
            self.ensure_subscription(peer.endpoint, peer.metadata_collection_id)
        for seed in self.config.seeds:
            if seed != endpoint:
                self.ensure_subscription(seed, None)

    async def stop(self) -> None:
        self.active = False
        for publication in list(self.publications):
            publication.close()
        subscriptions, self.subscriptions = self.subscriptions, []
        await asyncio.gather(*(s.stop() for s in subscriptions), return_exceptions=True)
        # leave() runs as a background task and ends with stop(): a task that gathered itself would make a
        # cycle that cancellation recurses through forever (RecursionError at shutdown).
        others = [t for t in self.background if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _registry_event(self, kind: int) -> events_pb2.OmrsEvent:
        local = self.registry.local
        assert local is not None
        return events_pb2.OmrsEvent(
            protocol_version=PROTOCOL_VERSION, timestamp=to_ts(now_ms()),
            originator=events_pb2.EventOriginator(metadata_collection_id=local.metadata_collection_id,
                                                  metadata_collection_name=local.metadata_collection_name,
                                                  server_name=local.server_name, server_type="coho",
                                                  organization_name=local.organization_name),
            category=E.OMRS_EVENT_CATEGORY_REGISTRY,
            registry=events_pb2.RegistryEventSection(event_type=kind, cohort_name=self.cohort,  # type: ignore[arg-type]
                                                     registration=local.to_proto()))

    def _append_registry(self, txn: WriteTxn, event: events_pb2.OmrsEvent) -> int:
        return txn.append_change(event, guid=self.local_id, type_name="", kind="registry",
                                 meta=ChangeMeta(user_id=COHORT_CALLER.user_id))

    async def leave(self, wait_seconds: float = 5.0) -> int:
        """Send UN_REGISTRATION_EVENT through our log, wait (bounded) for peers to ack it, then stop."""
        if not self.active:
            return 0
        event = self._registry_event(E.REGISTRY_EVENT_TYPE_UN_REGISTRATION_EVENT)
        sequence = await self.runtime.store.write(lambda txn: self._append_registry(txn, event))
        deadline = time.monotonic() + wait_seconds
        peers = {m.metadata_collection_id for m in self.registry.active_peers()}
        while time.monotonic() < deadline and not all(
                self.outbound.get(p, OutboundStatus()).acked_sequence >= sequence for p in peers):
            self.acked.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.acked.wait(), max(0.0, deadline - time.monotonic()))
        notified = sum(1 for p in peers if self.outbound.get(p, OutboundStatus()).acked_sequence >= sequence)
        self.registry.left = True
        await self.registry.save(self.runtime.store)
        await self.stop()
        self._audit(audit.COHORT, "UN_REGISTRATION_EVENT", f"left cohort {self.cohort}",
                    members_notified=notified, members=len(peers), sequence=sequence)
        return notified

    # -- subscriptions (we follow peers) ------------------------------------------------------------------
    def ensure_subscription(self, endpoint: str, peer_id: str | None) -> None:
        if not self.active or not endpoint or peer_id == self.local_id:
            return
        for sub in self.subscriptions:
            if not sub.live:
                continue
            if peer_id and sub.peer_id == peer_id and sub.endpoint != endpoint and sub.status.state != "connected":
                # The peer moved (restarted on another port): follow it at its new address.
                sub.request_stop()
                self.spawn(sub.stop())
                continue
            if (peer_id and sub.peer_id == peer_id) or sub.endpoint == endpoint:
                return
        self.subscriptions = [s for s in self.subscriptions if s.live]
        sub = Subscription(self, endpoint, peer_id, heartbeat_seconds=self.config.heartbeat_seconds,
                           reconnect_max_seconds=self.config.reconnect_max_seconds, local_id=self.local_id)
        self.subscriptions.append(sub)
        sub.start()

    def hello(self, peer_id: str | None) -> cs.Hello:
        cursor = reg.read_cursor(self.runtime.store, self.cohort, peer_id) if peer_id else None
        assert self.registry.local is not None
        # Our process rule is pushed down when the publisher can evaluate it, so filtered events never
        # cross the wire; LEARNED_TYPES depends on what we learn, so it is evaluated here only.
        pushdown = self.process if self.process.rule != cs.EXCHANGE_RULE_LEARNED_TYPES else ExchangeRule()
        return cs.Hello(cohort_name=self.cohort, registration=self.registry.local.to_proto(),
                        resume_after_sequence=cursor or 0, snapshot=cursor is None,
                        max_in_flight=self.config.max_in_flight, max_batch_events=self.config.max_batch_events,
                        events_to_send=pushdown.to_proto(), known_member_ids=list(self.registry.peers))

    def on_welcome(self, subscription: Subscription, welcome: cs.Welcome) -> bool:
        peer = reg.Member.from_proto(welcome.registration)
        if peer.metadata_collection_id == self.local_id:
            return False  # a seed that is ourselves under another address
        for other in self.subscriptions:
            if other is not subscription and not other.stopped and other.peer_id == peer.metadata_collection_id:
                return False
        if not self._register(peer):
            return False
        for entry in welcome.directory:
            member = reg.Member.from_proto(entry)
            if member.metadata_collection_id not in self.registry.peers and self._register(member):
                self.ensure_subscription(member.endpoint, member.metadata_collection_id)
        return True

    def _register(self, member: reg.Member) -> bool:
        """Add or refresh a peer; False (and an audit record) on a collection id clash."""
        member_id = member.metadata_collection_id
        if not member_id or member_id == self.local_id:
            return False
        known = self.registry.peers.get(member_id)
        if known is not None and known.clashes_with(member):
            self._audit(audit.ERROR, "CONFLICTING_COLLECTION_ID",
                        f"{member.server_name} claims collection id {member_id} of {known.server_name}",
                        metadata_collection_id=member_id, server_name=member.server_name, endpoint=member.endpoint)
            return False
        changed = known is None or known.endpoint != member.endpoint or known.state != reg.REGISTERED
        if changed:
            self.registry.peers[member_id] = member
            self.spawn(self.registry.save(self.runtime.store))
            self._audit(audit.COHORT, "MEMBER_REGISTERED", f"member {member.server_name} registered",
                        metadata_collection_id=member_id, server_name=member.server_name, endpoint=member.endpoint)
        return True

    def on_refused(self, subscription: Subscription, error: StreamError) -> None:
        self._audit(audit.ERROR, "SUBSCRIPTION_REFUSED", f"{subscription.endpoint} refused our subscription",
                    endpoint=subscription.endpoint, code=error.code, reason=error.reason, error=error.message)

    def on_registry_event(self, peer_id: str, event: events_pb2.OmrsEvent) -> None:
        section = event.registry
        if section.cohort_name not in ("", self.cohort):
            return
        member = reg.Member.from_proto(section.registration)
        member_id = member.metadata_collection_id or event.originator.metadata_collection_id
        if section.event_type == E.REGISTRY_EVENT_TYPE_UN_REGISTRATION_EVENT:
            known = self.registry.peers.get(member_id)
            if known is not None:
                known.state = reg.UNREGISTERED
                self.spawn(self.registry.save(self.runtime.store))
            for sub in self.subscriptions:
                if sub.peer_id == member_id:
                    sub.request_stop()
            self._audit(audit.COHORT, "MEMBER_UNREGISTERED", f"member {member.server_name} left the cohort",
                        metadata_collection_id=member_id)
            self.spawn(self._mark_deregistered(member_id))
        elif member_id and member_id != self.local_id:
            self._register(member)

    async def _mark_deregistered(self, home_id: str) -> None:
        """Copies of a departed member stay, with provenance DEREGISTERED_REPOSITORY (Egeria)."""
        store = self.runtime.store
        marked = 0
        finders: list[tuple[Callable[[InstanceFilter], Page[Any]], str]] = [
            (store.find_entities, "put_entity"), (store.find_relationships, "put_relationship")]
        for finder, put in finders:
            token = ""
            while True:
                page = await asyncio.to_thread(finder, InstanceFilter(
                    statuses=ALL_STATUSES, page_size=500, page_token=token))
                items = [i for i in page.items if i.header.metadata_collection_id == home_id]
                for item in items:
                    item.header.instance_provenance_type = DEREGISTERED
                if items:
                    await store.write(_put_all(put, items))
                marked += len(items)
                token = page.next_page_token
                if not token:
                    break
        self._audit(audit.COHORT, "COPIES_DEREGISTERED", f"{marked} reference copies of {home_id} kept as deregistered",
                    metadata_collection_id=home_id, copies=marked)

    # -- applying a peer's batch ------------------------------------------------------------------------
    async def apply(self, peer_id: str, batch: cs.EventBatch) -> BatchResult:
        rules = ApplyRules(self.cohort, peer_id, self.process, self.save_rule)
        runtime = self.runtime
        teaches_types = any(e.event.WhichOneof("section") == "typedef" for e in batch.events)
        # Typedef events stage a new registry; the type lock keeps a concurrent type change from losing it.
        async with runtime.type_lock if teaches_types else contextlib.nullcontext():
            result = await runtime.store.write(
                lambda txn: apply_batch(txn, runtime.repository.write_context(COHORT_CALLER), batch, rules))
            if result.staged_types is not None:
                runtime.swap_types(result.staged_types)
        if result.learned_type_names:
            self._audit(audit.TYPES, "TYPES_LEARNED", f"{len(result.learned_type_names)} types learned from {peer_id}",
                        names=",".join(result.learned_type_names), publisher=peer_id)
        for line in result.conflicts:
            self._audit(audit.ERROR, "EVENT_CONFLICT", line, publisher=peer_id,
                        first_sequence=batch.first_sequence, last_sequence=batch.last_sequence)
        for event in result.error_events:
            self._on_error_event(peer_id, event)
        for event in result.registry_events:
            self.on_registry_event(peer_id, event)
        return result

    def _on_error_event(self, peer_id: str, event: events_pb2.OmrsEvent) -> None:
        error = event.error
        code = E.OmrsEventErrorCode.Name(error.error_code).removeprefix("OMRS_EVENT_ERROR_CODE_")
        self._audit(audit.ERROR, "ERROR_EVENT_RECEIVED", f"{code} from {peer_id}: {error.error_message}",
                    code=code, publisher=peer_id, target=error.target_metadata_collection_id,
                    guid=error.target_instance_guid)
        if (error.error_code == E.OMRS_EVENT_ERROR_CODE_CONFLICTING_INSTANCES
                and error.target_metadata_collection_id == self.local_id and error.target_instance_guid):
            self.spawn(self._re_identify(error.target_instance_guid))

    async def _re_identify(self, guid: str) -> None:
        """Our instance's GUID clashes with another member's: give ours a new GUID (Egeria's remedy)."""
        repository = self.runtime.repository
        entity = repository.store.get_entity(guid)
        relationship = None if entity is not None else repository.store.get_relationship(guid)
        instance = entity or relationship
        if instance is None or instance.header.metadata_collection_id != self.local_id:
            return  # already re-identified (several peers report the same clash)
        new = new_guid()
        try:
            if entity is not None:
                await repository.re_identify_entity(COHORT_CALLER, guid, new)
            else:
                await repository.re_identify_relationship(COHORT_CALLER, guid, new)
        except Exception as exc:  # a concurrent re-identify or delete: nothing left to do
            self._audit(audit.ERROR, "RE_IDENTIFY_FAILED", f"cannot re-identify {guid}: {exc!r}", guid=guid)
            return
        self._audit(audit.COHORT, "INSTANCE_RE_IDENTIFIED", f"{guid} clashed in the cohort; now {new}",
                    guid=guid, new_guid=new)

    def on_acked(self, peer_id: str, batch: cs.EventBatch, result: BatchResult, ack: cs.Ack) -> None:
        if not batch.events:
            return
        span = {"publisher": peer_id, "subscriber": self.local_id, "first_sequence": batch.first_sequence,
                "last_sequence": batch.last_sequence, "batch_id": batch.batch_id}
        if result.saved_guids:
            self._audit(audit.EVENT, "EVENT_SAVED", f"{len(result.saved_guids)} reference copies saved from {peer_id}",
                        guids=_guids(result.saved_guids), outcomes=result.counts(), **span)
        self._audit(audit.EVENT, "ACK_SENT", f"acknowledged {len(ack.outcomes)} events of {peer_id}",
                    outcomes=result.counts(), **span)

    # -- publications (peers follow us) ------------------------------------------------------------------
    def open_publication(self, hello: cs.Hello) -> tuple[Publication, cs.Welcome]:
        if not self.active or self.registry.local is None:
            raise FailedPrecondition(message=f"not a member of cohort {hello.cohort_name!r}", reason="UNKNOWN_COHORT")
        subscriber = reg.Member.from_proto(hello.registration)
        if not subscriber.metadata_collection_id:
            raise InvalidArgument(message="hello.registration.metadata_collection_id is required",
                                  field_violations=[("hello.registration.metadata_collection_id", "required")])
        self._refuse_clash(subscriber)
        if self._register(subscriber):
            self.ensure_subscription(subscriber.endpoint, subscriber.metadata_collection_id)
        store = self.runtime.store
        floor, head = store.floor_sequence(), store.head_sequence()
        if not hello.snapshot and hello.resume_after_sequence < floor:
            raise OutOfRange(message=f"sequence {hello.resume_after_sequence} is below the retention floor {floor}",
                             reason="BELOW_RETENTION_FLOOR", metadata={"floor_sequence": floor})
        status = self.outbound.setdefault(subscriber.metadata_collection_id, OutboundStatus())
        status.acked_sequence = head if hello.snapshot else hello.resume_after_sequence
        status.connected, status.last_heard, status.in_flight = True, time.time(), 0
        send_rule = ExchangeRule.from_proto(hello.events_to_send)
        publication = Publication(
            store=store, notifier=self.runtime_notifier(), cohort=self.cohort, local_id=self.local_id,
            subscriber_id=subscriber.metadata_collection_id, types=lambda: self.runtime.types,
            send_rule=_both(self.send_rule, send_rule), status=status,
            max_in_flight=hello.max_in_flight or 4, max_batch_events=min(hello.max_batch_events or 500, 5000),
            heartbeat_seconds=self.config.heartbeat_seconds,
            on_sent=lambda b: self._on_sent(subscriber.metadata_collection_id, b),
            on_ack=lambda a: self._on_ack(subscriber.metadata_collection_id, a))
        self.publications.add(publication)
        welcome = cs.Welcome(registration=self.registry.local.to_proto(), directory=self.registry.directory(),
                             head_sequence=head, floor_sequence=floor, snapshot_follows=hello.snapshot)
        return publication, welcome

    def runtime_notifier(self) -> Any:
        """The manager's shared LogNotifier (the manager owns it: one commit listener per server)."""
        return self.notifier

    def _refuse_clash(self, subscriber: reg.Member) -> None:
        member_id = subscriber.metadata_collection_id
        known = self.registry.peers.get(member_id)
        if member_id == self.local_id or (known is not None and known.clashes_with(subscriber)):
            holder = self.registry.local.server_name if member_id == self.local_id else known.server_name  # type: ignore[union-attr]
            self._audit(audit.SECURITY, "CONFLICTING_COLLECTION_ID",
                        f"refused {subscriber.server_name}: collection id {member_id} belongs to {holder}",
                        metadata_collection_id=member_id, server_name=subscriber.server_name,
                        endpoint=subscriber.endpoint)
            raise FailedPrecondition(message=f"metadata collection id {member_id} is already used by {holder}",
                                     reason="CONFLICTING_COLLECTION_ID", metadata={"metadata_collection_id": member_id})

    def close_publication(self, publication: Publication) -> None:
        publication.close()
        self.publications.discard(publication)
        if not any(p.subscriber_id == publication.subscriber_id for p in self.publications):
            publication.status.connected = False

    def _on_sent(self, subscriber_id: str, batch: cs.EventBatch) -> None:
        if batch.events:
            self._audit_off_loop(lambda: self._audit_sent(subscriber_id, batch))

    def _audit_sent(self, subscriber_id: str, batch: cs.EventBatch) -> None:
        guids = [e.event.instance.instance_guid for e in batch.events if e.event.instance.instance_guid]
        self._audit(audit.EVENT, "EVENT_BATCH_SENT", f"sent {len(batch.events)} events to {subscriber_id}",
                    subscriber=subscriber_id, first_sequence=batch.first_sequence,
                    last_sequence=batch.last_sequence, batch_id=batch.batch_id, events=len(batch.events),
                    guids=_guids(guids), snapshot=batch.snapshot)

    def _on_ack(self, subscriber_id: str, ack: cs.Ack) -> None:
        self.acked.set()
        if ack.outcomes:
            self._audit_off_loop(lambda: self._audit_ack(subscriber_id, ack))

    def _audit_ack(self, subscriber_id: str, ack: cs.Ack) -> None:
        if ack.outcomes:
            counts: dict[str, int] = {}
            for outcome in ack.outcomes:
                name = cs.EventOutcome.Name(outcome.outcome).removeprefix("EVENT_OUTCOME_").lower()
                counts[name] = counts.get(name, 0) + 1
            self._audit(audit.EVENT, "ACK_RECEIVED", f"{subscriber_id} acknowledged {len(ack.outcomes)} events",
                        subscriber=subscriber_id, first_sequence=ack.first_sequence, last_sequence=ack.last_sequence,
                        batch_id=ack.batch_id, outcomes=counts)


def _both(mine: ExchangeRule, theirs: ExchangeRule) -> ExchangeRule:
    """The stricter of our events_to_send and the subscriber's pushed-down rule (ALL defers to the other)."""
    if mine.rule == cs.EXCHANGE_RULE_ALL:
        return theirs
    return mine if theirs.rule == cs.EXCHANGE_RULE_ALL else _And(mine, theirs)


class _And(ExchangeRule):
    def __init__(self, first: ExchangeRule, second: ExchangeRule) -> None:
        super().__init__(first.rule, first.selected)
        self.first, self.second = first, second

    def admits(self, event: events_pb2.OmrsEvent, types: Any) -> bool:
        return self.first.admits(event, types) and self.second.admits(event, types)

    def admits_type(self, type_name: str, types: Any) -> bool:
        return self.first.admits_type(type_name, types) and self.second.admits_type(type_name, types)


def _put_all(method: str, items: list[Any]) -> Callable[[WriteTxn], None]:
    def op(txn: WriteTxn) -> None:
        for item in items:
            getattr(txn, method)(item)
    return op
