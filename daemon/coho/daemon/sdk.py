"""The connector SDK: the base class every in-process integration connector extends (DESIGN §7).

Lifecycle, as Egeria's: the daemon builds the connector, sets its context, awaits :meth:`start` (register
listeners; no long work), then awaits :meth:`refresh` at start, on every refresh interval and on demand,
and finally awaits :meth:`disconnect`. A connector whose work is blocking code (a third-party client without
asyncio) overrides :meth:`engage`; the daemon runs it on a dedicated thread, calling it again after a short
pause for as long as the connector runs, so it can never hold up the event loop or other connectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from coho.daemon.context import IntegrationContext

C = TypeVar("C", bound="IntegrationContext")


class IntegrationConnector(Generic[C]):
    """Base of an integration connector; subclass it and override what you need.

    ``IntegrationConnector[FilesIntegrationContext]`` types :attr:`context` for the service it runs in.
    """

    # Set True (or give the class an engage() override) to have engage() run on its own thread.
    uses_blocking_calls: bool = False

    def __init__(self) -> None:
        self._context: C | None = None

    @property
    def context(self) -> C:
        """The context the daemon set before :meth:`start`."""
        if self._context is None:
            raise RuntimeError(f"{type(self).__name__}: the context is set by the daemon before start()")
        return self._context

    def set_context(self, context: C) -> None:
        """Called by the daemon (or the test harness) before :meth:`start`."""
        self._context = context

    async def start(self) -> None:
        """Register listeners and open third-party clients; the first refresh follows immediately."""

    async def refresh(self) -> None:
        """Synchronize now. Every metadata call made here is tagged with this refresh's id."""

    async def disconnect(self) -> None:
        """Release everything; the daemon bounds how long this may take."""

    def engage(self) -> None:
        """Blocking work, run on a dedicated thread; called again after a short pause while running.

        Use ``self.context.run_sync(coro)`` for metadata calls from here.
        """

    @classmethod
    def has_engage(cls) -> bool:
        """Whether this class does blocking work in :meth:`engage` (so the daemon starts a thread)."""
        return cls.uses_blocking_calls or cls.engage is not IntegrationConnector.engage
