"""``coho.omrs.v1.CohortService``: the thin gRPC handler of the cohort's Exchange stream (peer role only).

The client is the subscriber: Hello first, then Acks (and optional heartbeats). This handler opens the
publication in the core (:mod:`coho.server.cohort`), answers Welcome, yields the publication's batches and
heartbeats, and feeds the acks back from a reader task. Errors go through the one error map.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import grpc.aio

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import cohort_service_pb2_grpc as cs_grpc
from coho.server.cohort import CohortManager
from coho.server.cohort.publisher import Publication
from coho.server.errors import InvalidArgument
from coho.server.rpc.errors import invalid, rpc_method
from coho.server.rpc.identity import current_identity
from coho.server.runtime import Runtime

SERVICE_NAME = "coho.omrs.v1.CohortService"


class CohortServicer(cs_grpc.CohortServiceServicer):
    def __init__(self, manager: CohortManager) -> None:
        self.manager = manager

    @rpc_method
    async def Exchange(
        self, request_iterator: AsyncIterator[cs.ExchangeRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[cs.ExchangeResponse]:
        current_identity()
        requests = request_iterator.__aiter__()
        try:
            first = await requests.__anext__()
        except StopAsyncIteration:
            raise invalid("hello", "the first message must be a hello", reason="HELLO_REQUIRED") from None
        if first.WhichOneof("kind") != "hello":
            raise invalid("hello", "the first message must be a hello", reason="HELLO_REQUIRED")
        hello = first.hello
        membership, publication, welcome = self.manager.open_publication(hello)
        reader = asyncio.create_task(_read_acks(requests, publication), name="cohort-acks")
        try:
            yield cs.ExchangeResponse(welcome=welcome)
            async for response in publication.stream(welcome.head_sequence if hello.snapshot
                                                     else hello.resume_after_sequence, hello.snapshot):
                yield response
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            membership.close_publication(publication)


async def _read_acks(requests: AsyncIterator[cs.ExchangeRequest], publication: Publication) -> None:
    """Feed acks to the publication; the subscriber hanging up (or misbehaving) ends the publication."""
    try:
        async for request in requests:
            kind = request.WhichOneof("kind")
            if kind == "ack":
                publication.ack(request.ack)
            elif kind == "hello":
                raise InvalidArgument(message="hello may only be sent once", reason="HELLO_REPEATED")
    except (InvalidArgument, grpc.aio.AioRpcError):
        pass
    finally:
        publication.close()


def factory(runtime: Runtime) -> tuple[str, object]:
    if runtime.cohort is None:
        runtime.cohort = CohortManager(runtime)
    return SERVICE_NAME, CohortServicer(runtime.cohort)
