#!/usr/bin/env python3
"""Regenerate the committed Python stubs from proto/ with grpcio-tools.

    python scripts/gen_protos.py           # rewrite clients/python/**/*_pb2*.py(i)
    python scripts/gen_protos.py --check   # exit 1 if the committed stubs are stale

The proto package equals the Python package (``coho.omrs.v1`` ->
``clients/python/coho/omrs/v1/``), so generated imports need no rewriting. No
``__init__.py`` is created: ``coho`` and its subpackages are PEP 420 namespaces.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "clients" / "python"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def proto_files(proto_dir: Path) -> list[Path]:
    return sorted(proto_dir.rglob("*.proto"))


def generated_files(out_dir: Path) -> dict[str, Path]:
    """Generated stubs under ``out_dir/coho``, keyed by path relative to ``out_dir``."""
    root = out_dir / "coho"
    if not root.exists():
        return {}
    return {
        p.relative_to(out_dir).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name.endswith(GENERATED_SUFFIXES)
    }


def run_protoc(proto_dir: Path, out_dir: Path) -> None:
    from grpc_tools import protoc

    protos = proto_files(proto_dir)
    if not protos:
        raise SystemExit(f"gen_protos: no .proto files under {proto_dir}")
    # The well-known types (google/protobuf/*.proto) ship inside grpcio-tools.
    include = str(resources.files("grpc_tools") / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{proto_dir}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(p.relative_to(proto_dir)) for p in protos),
    ]
    code = protoc.main(args)
    if code != 0:
        raise SystemExit(f"gen_protos: protoc failed with exit code {code}")


def remove_stale(out_dir: Path) -> None:
    """Delete every generated stub, then directories left empty (e.g. a removed package)."""
    for path in generated_files(out_dir).values():
        path.unlink()
    root = out_dir / "coho"
    if root.exists():
        for directory in sorted((d for d in root.rglob("*") if d.is_dir()), reverse=True):
            leftovers = [p for p in directory.iterdir() if p.name != "__pycache__"]
            if not leftovers:
                shutil.rmtree(directory)


def generate(proto_dir: Path = PROTO_DIR, out_dir: Path = OUT_DIR) -> list[str]:
    remove_stale(out_dir)
    run_protoc(proto_dir, out_dir)
    return sorted(generated_files(out_dir))


def check(proto_dir: Path = PROTO_DIR, out_dir: Path = OUT_DIR) -> list[str]:
    """Problems (one line each) between fresh stubs and the committed ones; [] when fresh."""
    with tempfile.TemporaryDirectory(prefix="coho-stubs-") as tmp:
        fresh_dir = Path(tmp)
        run_protoc(proto_dir, fresh_dir)
        fresh = generated_files(fresh_dir)
        committed = generated_files(out_dir)
        problems = [f"missing: {name}" for name in sorted(set(fresh) - set(committed))]
        problems += [f"extra (no .proto for it): {name}" for name in sorted(set(committed) - set(fresh))]
        problems += [
            f"stale: {name}"
            for name in sorted(set(fresh) & set(committed))
            if not filecmp.cmp(fresh[name], committed[name], shallow=False)
        ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true",
                        help="generate into a temp dir and compare with the committed stubs")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(f"gen_protos: {problem}", file=sys.stderr)
        if problems:
            print("gen_protos: stubs are out of date; run: python scripts/gen_protos.py", file=sys.stderr)
            return 1
        print(f"gen_protos: {len(generated_files(OUT_DIR))} generated files are up to date")
        return 0
    written = generate()
    print(f"gen_protos: wrote {len(written)} files under {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
