"""coho integration daemon: hosts integration connectors against a metadata access server.

Connector authors need :class:`IntegrationConnector` (here) and a context class from
:mod:`coho.daemon.context`; :mod:`coho.daemon.testing` runs a connector against an in-process server.
"""

from __future__ import annotations

from importlib import metadata

from coho.daemon.sdk import IntegrationConnector

try:
    __version__ = metadata.version("coho")
except metadata.PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"

__all__ = ["IntegrationConnector", "__version__"]
