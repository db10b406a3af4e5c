"""Egeria open metadata archives: the JSON codec, the loader into a store, and the exporter.

:mod:`.egeria_json` decodes and encodes ``.omarchive`` documents without loss; :mod:`.loader` stores a parsed
archive in one transaction; :mod:`.exporter` writes a store back out as an archive.
"""

from coho.server.archive.egeria_json import (
    ARCHIVE_INVALID,
    ArchiveProperties,
    ParsedArchive,
    archive_to_json,
    dumps_archive,
    parse_archive,
)

__all__ = [
    "ARCHIVE_INVALID",
    "ArchiveProperties",
    "ParsedArchive",
    "archive_to_json",
    "dumps_archive",
    "parse_archive",
]
