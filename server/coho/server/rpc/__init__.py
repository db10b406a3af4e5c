"""gRPC edge of coho: the error map, hosting (health, reflection, signals) shared by server and daemon."""
