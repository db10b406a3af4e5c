"""``coho archive load|export``: Egeria open metadata archives in and out of a repository.

Both work either on a data directory directly (``--data-dir``, no server running on it), through the same
loader and exporter the TypeService uses, or against a running server (``--server ADDR --token T``) through
TypeService.LoadArchive / ExportArchive. Against a server each file loads in its own call (its own
transaction), where ``--data-dir`` loads all of them in one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_ARCHIVE_ERROR = 1
# (ArchiveCounts field, label), in the order they are printed.
CATEGORIES = (
    ("type_defs", "type defs"),
    ("attribute_type_defs", "attribute type defs"),
    ("type_def_patches", "patches"),
    ("entities", "entities"),
    ("entity_proxies", "proxies"),
    ("relationships", "relationships"),
    ("classifications", "classifications"),
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "archive", help="load or export Egeria open metadata archives",
        description="Load Egeria open metadata archives (.omarchive JSON) into a repository, or export "
        "a repository as one.",
    )
    commands = parser.add_subparsers(dest="archive_command", metavar="ACTION", required=True)

    load = commands.add_parser(
        "load", help="load archives into a repository",
        description="Load archives, in the order given, in one transaction: if any is malformed nothing is "
        "stored and the exit status is 1. Loading an archive again changes nothing.",
    )
    _add_target(load)
    load.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".omarchive file")
    load.add_argument("--validate-only", action="store_true", help="check the archives, store nothing")
    load.add_argument("--json", action="store_true", help="print the counts as JSON")
    load.set_defaults(func=run_load)

    export = commands.add_parser(
        "export", help="export a repository as an archive",
        description="Write the repository's instances (and with --include-types its types) as an Egeria "
        "open metadata archive.",
    )
    _add_target(export)
    export.add_argument("--out", "-o", type=Path, required=True, metavar="FILE", help="archive to write")
    export.add_argument("--include-types", action="store_true", help="also export the type definitions")
    export.add_argument("--home", action="append", default=[], metavar="ID",
                        help="only instances homed in this metadata collection (repeatable; default all)")
    export.add_argument("--name", default="coho export", help="the archive's name")
    export.set_defaults(func=run_export)


def _add_target(parser: argparse.ArgumentParser) -> None:
    # A group so that --server can join --data-dir as the alternative target.
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="the repository's data directory (no server may be running on it)")
    target.add_argument("--server", metavar="ADDR", help="a running coho server (host:port)")
    parser.add_argument("--token", default=os.environ.get("COHO_TOKEN"), metavar="T",
                        help="bearer token for --server (default: $COHO_TOKEN)")


def _error(file: Path | str, path: str, problem: str) -> int:
    print(f"coho: archive error: {file}: {path}: {problem}", file=sys.stderr)
    return EXIT_ARCHIVE_ERROR


@contextmanager
def _open_store(data_dir: Path, *, must_exist: bool) -> Iterator[Any]:
    from coho.server.store.sqlite import open_sqlite_store
    from coho.server.store.sqlite_index import KEEP_STORED
    from coho.server.store.sqlite_schema import DB_FILE

    if must_exist and not (data_dir / DB_FILE).exists():
        raise FileNotFoundError(f"no repository in {data_dir} ({DB_FILE} not found)")
    # The index set the server was configured with stays (a different one would rebuild the index twice).
    store = open_sqlite_store(data_dir, indexed_properties=KEEP_STORED)
    try:
        yield store
    finally:
        store.close_sync()


@dataclass
class _RemoteResult:
    """A LoadArchiveResponse shaped like loader.LoadResult, for :func:`_print_results`."""

    archive_guid: str
    archive_name: str
    loaded: Any
    already_present: Any


@contextmanager
def _channel(args: argparse.Namespace) -> Iterator[Any]:
    import grpc

    # Archives are large single messages: allow what the server allows by default.
    limit = 64 * 1024 * 1024
    options = [("grpc.max_send_message_length", limit), ("grpc.max_receive_message_length", limit)]
    with grpc.insecure_channel(args.server, options=options) as channel:
        yield channel


def _auth(args: argparse.Namespace) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {args.token}")] if args.token else []


def _rpc_error(err: Any, file: Path | str) -> int:
    from coho.client.errors import from_rpc_error

    decoded = from_rpc_error(err)
    path, problem = _violation(decoded) if decoded.field_violations else ("server", str(decoded))
    return _error(file, path, f"{problem} ({decoded.code.name})")


def _load_remote(args: argparse.Namespace) -> int:
    import grpc

    from coho.omrs.v1 import type_service_pb2 as ts
    from coho.omrs.v1 import type_service_pb2_grpc as ts_grpc

    results = []
    with _channel(args) as channel:
        stub = ts_grpc.TypeServiceStub(channel)
        for file in args.files:
            try:
                data = file.read_bytes()
                reply = stub.LoadArchive(ts.LoadArchiveRequest(archive_json=data, validate_only=args.validate_only),
                                         metadata=_auth(args), timeout=600)
            except OSError as err:
                return _error(file, "file", err.strerror or str(err))
            except grpc.RpcError as err:
                return _rpc_error(err, file)
            present = ts.ArchiveCounts(**{name: max(0, getattr(reply.in_archive, name) - getattr(reply.loaded, name))
                                          for name, _ in CATEGORIES})
            results.append(_RemoteResult(reply.archive_guid, reply.archive_name, reply.loaded, present))
    _print_results(args, results)
    return 0


def run_load(args: argparse.Namespace) -> int:
    if args.server:
        return _load_remote(args)
    from coho.server.archive import parse_archive
    from coho.server.archive.loader import load_archives_sync, load_types_from_store
    from coho.server.errors import CohoError

    archives = []
    for file in args.files:
        try:
            archives.append(parse_archive(file.read_bytes()))
        except OSError as err:
            return _error(file, "file", err.strerror or str(err))
        except CohoError as err:
            return _error(file, *_violation(err))
    with _open_store(args.data_dir, must_exist=False) as store:
        try:
            results = load_archives_sync(store, load_types_from_store(store), archives,
                                         validate_only=args.validate_only)
        except CohoError as err:
            path, problem = _violation(err)
            return _error(_file_of(err, args.files), path, problem)
    for file, result in zip(args.files, results, strict=True):
        for path in result.unmodelled:
            print(f"coho: archive warning: {file}: {path}: not modelled by coho (dropped)", file=sys.stderr)
    _print_results(args, results)
    return 0


def _violation(err: Any) -> tuple[str, str]:
    if err.field_violations:
        path, problem = err.field_violations[0]
        return str(path), str(problem)
    return "archive", str(err.message)


def _file_of(err: Any, files: list[Path]) -> Path | str:
    from coho.server.archive.loader import ARCHIVE_INDEX

    index = err.metadata.get(ARCHIVE_INDEX)
    if index is not None and index.isdigit() and int(index) < len(files):
        return files[int(index)]
    return ", ".join(str(f) for f in files)


def _print_results(args: argparse.Namespace, results: list[Any]) -> None:
    if args.json:
        print(json.dumps([{
            "file": str(file), "archive_guid": r.archive_guid, "archive_name": r.archive_name,
            "loaded": {name: getattr(r.loaded, name) for name, _ in CATEGORIES},
            "already_present": {name: getattr(r.already_present, name) for name, _ in CATEGORIES},
        } for file, r in zip(args.files, results, strict=True)], indent=2))
        return
    verb = "would load" if args.validate_only else "loaded"
    for file, result in zip(args.files, results, strict=True):
        print(f"{file}: {result.archive_name} ({result.archive_guid})")
        for name, label in CATEGORIES:
            print(f"  {label + ':':<21}{getattr(result.loaded, name):>6} {verb}, "
                  f"{getattr(result.already_present, name)} already present")


def _export_remote(args: argparse.Namespace) -> int:
    import grpc

    from coho.omrs.v1 import type_service_pb2 as ts
    from coho.omrs.v1 import type_service_pb2_grpc as ts_grpc

    request = ts.ExportArchiveRequest(include_types=args.include_types, home_metadata_collection_ids=args.home,
                                      archive_name=args.name)
    with _channel(args) as channel:
        try:
            reply = ts_grpc.TypeServiceStub(channel).ExportArchive(request, metadata=_auth(args), timeout=600)
        except grpc.RpcError as err:
            return _rpc_error(err, args.server)
    args.out.write_bytes(reply.archive_json)
    summary = ", ".join(f"{getattr(reply.counts, name)} {label}" for name, label in CATEGORIES)
    print(f"{args.out}: {summary}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    if args.server:
        return _export_remote(args)
    from coho.server.archive import archive_to_json, dumps_archive
    from coho.server.archive.exporter import build_export
    from coho.server.archive.loader import load_types_from_store

    with _open_store(args.data_dir, must_exist=True) as store:
        archive = build_export(store, load_types_from_store(store), include_types=args.include_types,
                               home_ids=set(args.home) or None, archive_name=args.name)
    args.out.write_bytes(dumps_archive(archive_to_json(archive)))
    counts = archive.counts()
    summary = ", ".join(f"{getattr(counts, name)} {label}" for name, label in CATEGORIES)
    print(f"{args.out}: {summary}")
    return 0
