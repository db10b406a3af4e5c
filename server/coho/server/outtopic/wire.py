"""Out Topic events encoded once, at write time, and spliced into responses without decoding.

Mapping and serializing an event costs ~10 us in Python, decoding the stored OmrsEvent ~12 us more: done
per event of every catch-up, that bounded a subscriber at ~30k events/s. Instead:

- **At write time** :func:`annex_event` (installed as the store's change annexer, on the writer thread)
  maps and serializes the event's :class:`OutTopicEvent` *without* its sequence (the sequence is not known
  to the annexer; ~10 us per write, work the live tailer used to do for every commit anyway) and returns
  it with a tag: the event type, plus :data:`TAG_DECODE` when filtering needs more than
  the change-log columns (see :meth:`EventFilter.admits`). Entries that produce no out-topic event get
  :data:`NO_EVENT` (tag 0, empty annex), so an annex of None only ever means "written before the annexer
  existed" (:func:`with_annexes` maps those the old way).
- **At read time** :func:`frame` prefixes the sequence: protobuf merges a message's fields in any order, so
  ``0x08 varint(sequence) + annex`` parses as the complete event, and wrapping it as field 1 makes it one
  element of ``SubscribeResponse.events`` / ``OutTopicEventBatch.events``. A response is a join of frames.

Building the annex by splicing serialized sub-messages instead of through :func:`map_event` was measured
and was no faster (~10.5 us both: reading the fields of the event is the cost), so there is one mapping.
"""

from __future__ import annotations

from collections.abc import Iterable

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.omrs.v1 import events_pb2
from coho.server.outtopic.mapping import TAG_DECODE, map_event
from coho.server.store.base import AnnexRecord, ChangeMeta, Store

NO_EVENT: tuple[int, bytes] = (0, b"")
"""The annex of an entry that is not an element change: examined, nothing to send."""

Framed = tuple[int, bytes]
"""(sequence, frame): one event ready to splice into a response; plain tuples keep the catch-up loop cheap."""


def varint(value: int) -> bytes:
    """Protobuf base-128 varint of a non-negative int (unrolled: sequences and lengths are mostly < 2**28)."""
    if value < 0x80:
        return bytes((value,))
    if value < 0x4000:
        return bytes((value & 0x7F | 0x80, value >> 7))
    if value < 0x200000:
        return bytes((value & 0x7F | 0x80, value >> 7 & 0x7F | 0x80, value >> 14))
    if value < 0x10000000:
        return bytes((value & 0x7F | 0x80, value >> 7 & 0x7F | 0x80, value >> 14 & 0x7F | 0x80, value >> 21))
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(key: bytes, body: bytes) -> bytes:
    # key is the one-byte tag of a length-delimited field (all fields spliced here have numbers < 16).
    return key + varint(len(body)) + body


def _sequence_key(value: int) -> bytes:
    # ``sequence`` (field 1, varint) in one bytes() call for the usual sizes: this runs per catch-up event.
    if value < 0x4000:
        return bytes((0x08, value)) if value < 0x80 else bytes((0x08, value & 0x7F | 0x80, value >> 7))
    if value < 0x200000:
        return bytes((0x08, value & 0x7F | 0x80, value >> 7 & 0x7F | 0x80, value >> 14))
    return b"\x08" + varint(value)


_EVENT_PREFIX = [b"\x0a" + varint(size) for size in range(1 << 12)]
"""Field 1's key and length for every event size below 4 KiB (a table lookup instead of a varint)."""


def frame(sequence: int, annex: bytes) -> bytes:
    """``SubscribeResponse.events`` element (field 1) for an annex: the event with its sequence prefixed."""
    key = _sequence_key(sequence)
    size = len(key) + len(annex)
    return (_EVENT_PREFIX[size] if size < 1 << 12 else b"\x0a" + varint(size)) + key + annex


def events_body(events: Iterable[Framed], progress: ot.Progress) -> bytes:
    """A serialized SubscribeResponse (the same bytes are an OutTopicEventBatch: same field numbers)."""
    return b"".join([data for _, data in events]) + _field(b"\x12", progress.SerializeToString())


def listen_batch(events: Iterable[Framed], progress: ot.Progress) -> bytes:
    """A serialized ``ListenResponse{batch: ...}`` (batch is field 2)."""
    return _field(b"\x12", events_body(events, progress))


def decode(events: Iterable[Framed]) -> list[ot.OutTopicEvent]:
    """The messages of some frames (tests and in-process consumers; the server never decodes)."""
    return list(ot.SubscribeResponse.FromString(b"".join([data for _, data in events])).events)


# -- the write-time encoder ------------------------------------------------------------------------------
def annex_event(event: events_pb2.OmrsEvent, meta: ChangeMeta) -> tuple[int, bytes]:
    """The store's change annexer: (tag, OutTopicEvent bytes without the sequence), or :data:`NO_EVENT`."""
    out = map_event(event, meta)
    if out is None:
        return NO_EVENT
    tag = int(out.event_type)
    header, section = out.element_header, event.instance
    if (
        out.previous_guid or out.previous_type_name
        or header.guid != section.instance_guid or header.type_name != section.type_def_name
    ):
        # The change-log columns (the section's guid and type) do not tell the whole story: filter on the event.
        tag |= TAG_DECODE
    return tag, out.SerializeToString()


# -- the read side -------------------------------------------------------------------------------------------
def with_annexes(store: Store, records: list[AnnexRecord]) -> list[AnnexRecord]:
    """``records`` with every missing annex (entries written before the annexer existed) computed now.

    Those are read back in full and encoded here: slow, but only for a database older than the annexer.
    """
    missing = [record.sequence for record in records if record.annex is None]
    if not missing:
        return records
    changes = {
        change.sequence: change
        for change in store.read_changes(missing[0] - 1, missing[-1] - missing[0] + 1)
    }
    out: list[AnnexRecord] = []
    for record in records:
        if record.annex is None:
            change = changes.get(record.sequence)
            tag, annex = annex_event(change.event, change.meta) if change is not None else NO_EVENT
            out.append(AnnexRecord(record.sequence, record.guid, record.type_name, record.access_service, tag, annex))
        else:
            out.append(record)
    return out
