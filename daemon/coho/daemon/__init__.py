"""coho integration daemon: hosts integration connectors against a metadata access server."""
