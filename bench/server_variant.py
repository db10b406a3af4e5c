"""``coho server`` with ``Repository.add_entity`` cut short, to split AddEntity's cost (bench-only).

    python bench/server_variant.py MODE server --config FILE

MODE ``stub``: every AddEntity after the first returns the first one's result without touching the store,
so a call costs the server's gRPC, interceptors, auth and servicer only. MODE ``writer``: the same, plus one
empty operation through the store's group-commit writer (queue, BEGIN, COMMIT, waking the caller's loop).
``bench_server.py --decompose`` runs both beside the real server and the raw echo.
"""

from __future__ import annotations

import runpy
import sys
from typing import Any

from coho.server.repository.repository import Repository

MODES = ("stub", "writer")


def install(mode: str) -> None:
    if mode not in MODES:
        raise SystemExit(f"mode must be one of {MODES}, got {mode!r}")
    real = Repository.add_entity
    first: dict[str, Any] = {}

    async def add_entity(self: Repository, caller: Any, new: Any, *, request_id: str = "") -> Any:
        if "written" not in first:  # one real add, so the reply has the real size and shape
            first["written"] = await real(self, caller, new, request_id=request_id)
        elif mode == "writer":
            await self.store.write(lambda txn: None)
        return first["written"]

    Repository.add_entity = add_entity  # type: ignore[method-assign]


if __name__ == "__main__":
    install(sys.argv[1])
    sys.argv = ["coho", *sys.argv[2:]]
    runpy.run_module("coho.server.cli", run_name="__main__")
