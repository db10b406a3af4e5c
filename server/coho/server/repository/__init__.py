"""The home repository core: Egeria's metadata collection semantics over a Store (no grpc)."""

from coho.server.repository.api import SYSTEM, Caller, Written
from coho.server.repository.repository import Repository

__all__ = ["SYSTEM", "Caller", "Repository", "Written"]
