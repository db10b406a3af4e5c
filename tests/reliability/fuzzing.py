"""RPC fuzzing helpers: reflect a running server's methods, generate hostile requests with hypothesis, and send
them concurrently over one channel, recording every status code.

The request generator works from descriptors only (built from gRPC server reflection), so a new RPC or a new
field is fuzzed without touching this file. Field names steer the values: ``*guid*`` fields draw from known,
random and misshapen GUIDs, ``page_size`` / ``*sequence*`` from edge integers, ``search_criteria`` from
catastrophic regexes, ``archive_json`` from hostile archives, and so on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import random
import time
import traceback
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import grpc
import grpc.aio
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

SKIPPED_SERVICES = frozenset({"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection",
                              "grpc.reflection.v1.ServerReflection"})
BAD_CODES = frozenset({grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN})

# A few well-known codes our own bounded calls cause: we cancel streams and give them short deadlines.
SELF_INFLICTED = frozenset({grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED})


@dataclass(frozen=True)
class Method:
    service: str
    name: str
    input: Descriptor
    client_streaming: bool
    server_streaming: bool

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.name}"

    @property
    def kind(self) -> str:
        return {(False, False): "unary", (False, True): "server_stream", (True, False): "client_stream",
                (True, True): "bidi"}[(self.client_streaming, self.server_streaming)]


def reflect_methods(target: str) -> list[Method]:
    """Every RPC the server at ``target`` lists through reflection (sync: run it in a thread)."""
    with grpc.insecure_channel(target) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        pool = descriptor_pool.DescriptorPool(database)
        methods = []
        for service_name in sorted(set(database.get_services()) - SKIPPED_SERVICES):
            service = pool.FindServiceByName(service_name)
            for rpc in service.methods:
                methods.append(Method(service_name, rpc.name, rpc.input_type, rpc.client_streaming,
                                      rpc.server_streaming))
        # Touch every message class now, while the channel that feeds the pool is open.
        for method in methods:
            message_factory.GetMessageClass(method.input)
        return methods


# -- hostile values ---------------------------------------------------------------------------------------------
CATASTROPHIC_REGEXES = ("(a+)+$", "(a|aa)+b", "(x+x+)+y", "(.*a){25}", "^(([a-z])+.)+[A-Z]([a-z])+$",
                        "(\\w+\\s?)+$", "((a*)*)*b")
BAD_REGEXES = ("(", "[", "\\", "*", "(?P<x", "\\Q", "a{99999999}", "(?<=a+)b", "\\p{Nope}", "[z-a]")
PLAIN_REGEXES = (".*", "", "db\\..*", "\\Qa.b\\E", "(?i)ORDERS.*", ".*seed.*")
ODD_STRINGS = ("", " ", "\x00", "a\x00b", "é", "漢字", "🙂🙂", "\u202e\u200b", "\ufffd\ufffe", "Ã©Ã¨",
               "'; DROP TABLE entities;--", "%s%s%n", "../../../etc/passwd", "\\", "null", "-1",
               "a" * 1000, "\n\r\t", "0" * 64)
BOGUS_TOKENS = ("", "x", "garbage", "AAAA", "eyJ9", "eyJvZmZzZXQiOi0xfQ", "eyJvZmZzZXQiOjEwMDAwMDAwMDB9",
                "=====", "-1", "0", "\x00", "not base64 !!", "e30", "bnVsbA")
EDGE_INTS = (0, 1, -1, 2, 10, 100, 1000, 2**31 - 1, -(2**31), 2**53, 2**63 - 1, -(2**63), 7, -100)
PROPERTY_NAMES = ("qualifiedName", "name", "description", "displayName", "", "unknownProperty", "x" * 300,
                  "additionalProperties", "deployedImplementationType", "\x00", "é")
HOSTILE_ARCHIVES = (b"", b"{", b"[]", b"null", b"{\"class\": 7}", b"\xff\xfe\xfd", b"{\"archiveProperties\": []}",
                    b"[" * 5000 + b"]" * 5000, b"{\"a\":" * 3000 + b"1" + b"}" * 3000,
                    json.dumps({"class": "OpenMetadataArchive", "archiveProperties": {"archiveGUID": 5}}).encode(),
                    json.dumps({"class": "OpenMetadataArchive", "archiveProperties": {"archiveGUID": "g"},
                                "archiveInstanceStore": {"entities": [{"class": "EntityDetail"}]}}).encode())


@dataclass
class Pools:
    """Values the generator picks from, filled from the seeded server (known GUIDs and type names)."""

    guids: list[str] = field(default_factory=list)
    type_names: list[str] = field(default_factory=lambda: ["DataFile", "Asset", "Referenceable"])
    sequences: list[int] = field(default_factory=list)
    """Change-log positions around the retention floor and the head, for ``*sequence*`` fields."""
    huge_chars: int = 100_000
    oversize_chars: int = 2 * 1024 * 1024
    max_big_strings: int = 120

    def guid_values(self) -> list[str]:
        shapes = ["", "not-a-guid", str(uuid.UUID(int=0)), str(uuid.uuid4()).upper(), "{" + str(uuid.uuid4()) + "}",
                  str(uuid.uuid4())[:-1], str(uuid.uuid4()) + "-x", "g" * 300, "%", "*"]
        return [*self.guids, *shapes, *[str(uuid.uuid4()) for _ in range(4)]]


def deep_property_value(depth: int, kind: str, cls: type[Message]) -> Message:
    """A PropertyValue nested ``depth`` levels of array / map / struct, built bottom-up (no recursion)."""
    value = cls(type_name="string")
    value.primitive.string_value = "leaf"  # type: ignore[attr-defined]
    for level in range(depth):
        outer = cls(type_name=kind)
        if kind == "array":
            outer.array.values.add().CopyFrom(value)  # type: ignore[attr-defined]
        elif kind == "map":
            outer.map.values[f"k{level}"].CopyFrom(value)  # type: ignore[attr-defined]
        else:
            outer.struct_value.fields[f"f{level}"].CopyFrom(value)  # type: ignore[attr-defined]
        value = outer
    return value


@dataclass(frozen=True)
class Drawn:
    """One hypothesis example: values from hypothesis' own strategies (odd unicode, edge floats, integers,
    bytes) plus a hypothesis-controlled Random that shapes the messages around them.

    Drawing every field through ``data.draw`` costs ~1 ms a draw; this split keeps 10,000 calls to seconds.
    """

    rng: random.Random
    texts: list[str]
    ints: list[int]
    floats: list[float]
    blobs: list[bytes]


DRAWN = st.builds(
    Drawn,
    rng=st.integers(0, 2**32).map(random.Random),  # hypothesis' own Random proxies every call: slow
    texts=st.lists(st.text(max_size=24), min_size=40, max_size=40),
    ints=st.lists(st.integers(), min_size=40, max_size=40),
    floats=st.lists(st.floats(), min_size=20, max_size=20),
    blobs=st.lists(st.binary(max_size=40), min_size=10, max_size=10),
)


class Generator:
    """Builds request messages for any descriptor from one :class:`Drawn` example."""

    MAX_DEPTH = 4

    def __init__(self, pools: Pools) -> None:
        self.pools = pools
        self.guids = pools.guid_values()
        self._deep: dict[tuple[int, str], Message] = {}
        self.big_strings = 0

    def message(self, d: Drawn, descriptor: Descriptor, depth: int = 0) -> Message:
        cls = message_factory.GetMessageClass(descriptor)
        special = self._special(d, descriptor, cls)
        if special is not None:
            return special
        msg = cls()
        if depth > self.MAX_DEPTH:
            return msg
        chosen_oneofs: set[str] = set()
        for fd in descriptor.fields:
            oneof = fd.containing_oneof
            if oneof is not None and oneof.name in chosen_oneofs:
                continue
            # Fields are left unset half of the time, so required-field checks are reached too.
            if d.rng.random() < 0.5:
                continue
            if oneof is not None:
                chosen_oneofs.add(oneof.name)
            try:
                self._set_field(d, msg, fd, depth)
            except (ValueError, TypeError, OverflowError):
                continue  # a value the client library itself refuses (e.g. int out of range): skip it
        return msg

    def _special(self, d: Drawn, descriptor: Descriptor, cls: type[Message]) -> Message | None:
        rng = d.rng
        if descriptor.full_name == "google.protobuf.Timestamp":
            seconds = rng.choice((0, -1, 1_700_000_000, 1_700_000_000, -(2**62), 2**62, 253402300800, -62135596801))
            return cls(seconds=seconds, nanos=rng.choice((0, 0, 999_999_999, -1, 2**31 - 1)))
        if descriptor.name == "PropertyValue" and rng.random() < 0.1:
            # 150 is past protobuf's parse recursion limit (100): the server must refuse it as MALFORMED_REQUEST.
            key = (rng.choice((8, 40, 90, 150)), rng.choice(("array", "map", "struct")))
            if key not in self._deep:
                self._deep[key] = deep_property_value(*key, cls)
            return self._deep[key]
        return None

    def _set_field(self, d: Drawn, msg: Message, fd: FieldDescriptor, depth: int) -> None:
        target = getattr(msg, fd.name)
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            key_fd, value_fd = fd.message_type.fields_by_name["key"], fd.message_type.fields_by_name["value"]
            for _ in range(d.rng.randint(0, 3)):
                key = self._scalar(d, key_fd, map_key=True)
                if value_fd.message_type is not None:
                    target[key].CopyFrom(self.message(d, value_fd.message_type, depth + 1))
                else:
                    target[key] = self._scalar(d, value_fd)
            return
        if _is_repeated(fd):
            for _ in range(d.rng.randint(0, 3)):
                if fd.message_type is not None:
                    target.add().CopyFrom(self.message(d, fd.message_type, depth + 1))
                else:
                    target.append(self._scalar(d, fd))
            return
        if fd.message_type is not None:
            target.CopyFrom(self.message(d, fd.message_type, depth + 1))
            return
        setattr(msg, fd.name, self._scalar(d, fd))

    def _scalar(self, d: Drawn, fd: FieldDescriptor, *, map_key: bool = False) -> Any:
        t, rng = fd.type, d.rng
        if t == FieldDescriptor.TYPE_STRING:
            return self._string(d, fd.name, map_key=map_key)
        if t == FieldDescriptor.TYPE_BYTES:
            return rng.choice(HOSTILE_ARCHIVES) if rng.random() < 0.5 else rng.choice(d.blobs)
        if t == FieldDescriptor.TYPE_BOOL:
            return rng.random() < 0.5
        if t == FieldDescriptor.TYPE_ENUM:
            if rng.random() < 0.15:
                return rng.choice((-1, 99, 12345, 2**31 - 1))  # unknown values of an open proto3 enum
            return rng.choice(fd.enum_type.values).number  # type: ignore[union-attr]
        if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            special = (0.0, -0.0, math.inf, -math.inf, math.nan)
            return rng.choice(d.floats) if rng.random() < 0.7 else rng.choice(special)
        lo, hi = _int_range(t)
        if "sequence" in fd.name and self.pools.sequences and rng.random() < 0.5:
            return rng.choice(self.pools.sequences)
        value = rng.choice(EDGE_INTS) if rng.random() < 0.6 else rng.choice(d.ints)
        return value if lo <= value <= hi else rng.choice((0, 1, lo, hi))

    def _string(self, d: Drawn, name: str, *, map_key: bool) -> str:
        rng = d.rng
        roll = rng.random()
        # Capped: every call's payload is kept until sent, and 1 MB strings in thousands of calls add up.
        if roll < 0.004 and not map_key and self.big_strings < self.pools.max_big_strings:
            self.big_strings += 1
            return "h" * self.pools.huge_chars
        if roll < 0.008 and not map_key and self.big_strings < self.pools.max_big_strings:
            self.big_strings += 1
            return "o" * self.pools.oversize_chars  # past the server's max_message_bytes
        pools: list[Sequence[str]] = [ODD_STRINGS, d.texts]
        if map_key:
            pools.append(PROPERTY_NAMES)
        if "guid" in name or name.endswith("_id") or name in ("subscription", "subscription_name"):
            pools += [self.guids, self.guids]
        if "type" in name:
            pools += [self.pools.type_names, self.pools.type_names]
        if "token" in name:
            pools.append(BOGUS_TOKENS)
        if name in ("search_criteria", "regex", "pattern", "search_string") or "criteria" in name:
            pools += [CATASTROPHIC_REGEXES, BAD_REGEXES, PLAIN_REGEXES]
        if "name" in name:
            pools.append(PROPERTY_NAMES)
        return str(rng.choice(rng.choice(pools)))


def _is_repeated(fd: FieldDescriptor) -> bool:
    flag = getattr(fd, "is_repeated", None)
    return bool(flag) if flag is not None else bool(fd.label == FieldDescriptor.LABEL_REPEATED)  # type: ignore[attr-defined]


def _int_range(t: int) -> tuple[int, int]:
    if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
        return -(2**31), 2**31 - 1
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return 0, 2**32 - 1
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return 0, 2**64 - 1
    return -(2**63), 2**63 - 1


# -- what went wrong inside the server ---------------------------------------------------------------------
class InternalErrors(logging.Handler):
    """Collects the exceptions behind INTERNAL answers ("unexpected error in rpc handler"), by origin."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.origins: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if "/coho/" in f.filename] or frames
            where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}"
            self.origins[f"{getattr(record, 'method', '?')}: {type(exc).__name__}: {str(exc)[:120]} @ {where}"] += 1


# -- the call plan ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    method: Method
    requests: tuple[bytes, ...]
    token: str | None


def plan_calls(methods: Sequence[Method], pools: Pools, count: int, tokens: Sequence[str | None],
               seed_value: int, batch: int = 100) -> list[Call]:
    """At least ``count`` calls, spread over ``methods`` in runs of ``batch``, built from hypothesis examples.

    Hypothesis runs in generate-only mode: this is a bulk generator feeding one fast asyncio sender, not a
    shrink-on-failure loop (a failure is reported with its method, status and ``seed_value`` instead).
    """
    generator = Generator(pools)
    calls: list[Call] = []

    @settings(max_examples=max(1, count // batch + 1), database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(DRAWN)
    def draw(d: Drawn) -> None:
        # The batch walks the methods from a random start, so every RPC gets its share of the calls.
        start = d.rng.randrange(len(methods))
        for i in range(batch):
            method = methods[(start + i) % len(methods)]
            messages = 1 if not method.client_streaming else d.rng.randint(0, 3)
            payload = tuple(generator.message(d, method.input).SerializeToString() for _ in range(messages))
            calls.append(Call(method, payload, d.rng.choice(tokens)))

    for attempt in range(20):
        if len(calls) >= count:
            break
        seed(seed_value + attempt)(draw)()
    return calls


# -- the sender -------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    method: str
    code: str
    detail: str = ""
    payload: bytes = b""


@dataclass
class Tally:
    calls: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    per_method: Counter[str] = field(default_factory=Counter)
    bad: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    client_write_races: int = 0
    deadlines: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome, bad: bool) -> None:
        if outcome.code == "DEADLINE_EXCEEDED":
            self.deadlines[outcome.method] += 1
        self.calls += 1
        self.codes[outcome.code] += 1
        self.per_method[outcome.method] += 1
        if bad:
            self.bad.append(outcome)

    def summary(self) -> dict[str, Any]:
        return {"calls": self.calls, "seconds": round(self.seconds, 2),
                "calls_per_second": round(self.calls / self.seconds, 1) if self.seconds else None,
                "methods": len(self.per_method), "client_write_races_replayed": self.client_write_races,
                "codes": dict(sorted(self.codes.items())), "deadline_exceeded": dict(self.deadlines),
                "bad_by_method": dict(Counter(f"{b.method} {b.code}" for b in self.bad)),
                "bad": [{"method": b.method, "code": b.code, "detail": b.detail[:300]} for b in self.bad[:50]]}


def client_options() -> list[tuple[str, int]]:
    # Unlimited on the client, so oversized requests reach the server and are refused by *its* limit.
    return [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]


async def send_all(channel: grpc.aio.Channel, calls: Sequence[Call], *, concurrency: int = 48,
                   unary_timeout: float = 30.0, stream_timeout: float = 1.0, stream_messages: int = 3,
                   is_bad: Callable[[Call, grpc.StatusCode], bool] | None = None) -> Tally:
    """Send every call (bounded concurrency) and tally the status codes; ``is_bad`` decides what fails."""
    tally = Tally()
    judge = is_bad or (lambda _call, code: code in BAD_CODES)
    queue: asyncio.Queue[Call] = asyncio.Queue()
    for call in calls:
        queue.put_nowait(call)

    trace = _trace_file()

    async def worker() -> None:
        while not queue.empty():
            call = queue.get_nowait()
            if trace is not None:  # a debugging aid: which calls were in flight when the process died
                trace.write(f"{call.method.path} {call.token} {[r.hex()[:2000] for r in call.requests]}\n")
                trace.flush()
            code, detail = await _one(channel, call, unary_timeout, stream_timeout, stream_messages)
            replays = 0
            while is_client_write_race(call, code, detail) and replays < 3:
                # Verified with grpcurl (Go): the server sent its real status; grpc.aio's client turns a write
                # (or the half-close) after the server's trailers into INTERNAL "Internal error from Core".
                # Replay the first message alone to learn the server's actual answer.
                tally.client_write_races += 1
                replays += 1
                code, detail = await _one(channel, replace(call, requests=call.requests[:1]), unary_timeout,
                                          stream_timeout, stream_messages)
            outcome = Outcome(call.method.path, code.name, detail, call.requests[0] if call.requests else b"")
            tally.add(outcome, judge(call, code))

    started = time.monotonic()
    concurrency = int(os.environ.get("COHO_FUZZ_CONCURRENCY", concurrency))
    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        if trace is not None:
            trace.close()
    tally.seconds = time.monotonic() - started
    return tally


def _trace_file() -> TextIO | None:
    """``COHO_FUZZ_TRACE``: a file each call is written to before it is sent (which calls were in flight when a
    process died?). Closed by :func:`send_all`."""
    path = os.environ.get("COHO_FUZZ_TRACE")
    return open(path, "a", encoding="utf-8") if path else None


CLIENT_RACE_DETAIL = "Internal error from Core"


def is_client_write_race(call: Call, code: grpc.StatusCode, detail: str) -> bool:
    return code == grpc.StatusCode.INTERNAL and detail == CLIENT_RACE_DETAIL and call.method.client_streaming


def _metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    return () if token is None else (("authorization", f"Bearer {token}"),)


async def _one(channel: grpc.aio.Channel, call: Call, unary_timeout: float, stream_timeout: float,
               stream_messages: int) -> tuple[grpc.StatusCode, str]:
    method, md = call.method, _metadata(call.token)
    first = call.requests[0] if call.requests else b""
    try:
        if method.kind == "unary":
            await channel.unary_unary(method.path)(first, metadata=md, timeout=unary_timeout)
        elif method.kind == "client_stream":
            await channel.stream_unary(method.path)(_requests(call.requests), metadata=md, timeout=stream_timeout)
        else:
            if method.kind == "server_stream":
                stream = channel.unary_stream(method.path)(first, metadata=md, timeout=stream_timeout)
            else:
                stream = channel.stream_stream(method.path)(_requests(call.requests), metadata=md,
                                                             timeout=stream_timeout)
            try:
                received = 0
                async for _ in stream:
                    received += 1
                    if received >= stream_messages:
                        break
            finally:
                stream.cancel()
    except grpc.aio.AioRpcError as err:
        return err.code(), err.details() or ""
    except asyncio.CancelledError:
        return grpc.StatusCode.CANCELLED, "cancelled by the fuzzer"
    return grpc.StatusCode.OK, ""


async def _requests(payloads: Sequence[bytes]) -> AsyncIterator[bytes]:
    for payload in payloads:
        yield payload


def call_budget(default: int = 10_000) -> int:
    """How many calls a run makes: ``COHO_FUZZ_CALLS`` raises it for longer runs."""
    return max(1, int(os.environ.get("COHO_FUZZ_CALLS", default)))


def write_report(summary: dict[str, Any], default_path: Path) -> Path:
    """Write the run's summary as JSON: to ``COHO_FUZZ_REPORT`` if set, else ``default_path``."""
    path = Path(os.environ.get("COHO_FUZZ_REPORT", str(default_path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    existing: dict[str, Any] = {}
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            existing = {}
    existing[str(summary.get("name", "run"))] = summary
    path.write_text(json.dumps(existing, indent=2, sort_keys=True), encoding="utf-8")
    return path
