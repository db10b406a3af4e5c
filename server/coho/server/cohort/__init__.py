"""The cohort: members exchange their change logs over CohortService.Exchange (DESIGN §5).

- :mod:`.rules` compiles exchange rules (ALL, JUST_TYPEDEFS, SELECTED_TYPES, LEARNED_TYPES, REGISTRATION_ONLY);
- :mod:`.registry` is the persisted registry store (local registration, peers, cursors);
- :mod:`.apply` applies one batch of a peer's events and the cursor in one transaction;
- :mod:`.rehome` takes over an instance that its old home re-homed here;
- :mod:`.publisher` serves one subscription (the server side of Exchange);
- :mod:`.subscriber` follows one peer (the client side), with reconnects and backoff;
- :mod:`.transport` hides gRPC behind a small interface, so Kafka or NATS could be added;
- :mod:`.federation` fans a federated Find* or graph query out to the peers and merges the answers by GUID;
- :mod:`.manager` ties them together per server.

No servicer code here: :mod:`coho.server.services.cohort` is the thin gRPC handler.
"""

from coho.server.cohort.manager import CohortManager

__all__ = ["CohortManager"]
