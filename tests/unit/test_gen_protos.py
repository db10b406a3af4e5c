"""scripts/gen_protos.py: generation into a tree, stale / missing / extra detection."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protos", ROOT / "scripts" / "gen_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    proto = tmp_path / "proto" / "coho" / "demo" / "v1"
    proto.mkdir(parents=True)
    (proto / "demo.proto").write_text(
        'syntax = "proto3";\npackage coho.demo.v1;\nimport "google/protobuf/timestamp.proto";\n'
        "message PingRequest { google.protobuf.Timestamp at = 1; }\n"
        "message PingResponse {}\nservice DemoService { rpc Ping(PingRequest) returns (PingResponse); }\n"
    )
    out = tmp_path / "out"
    (out / "coho" / "client").mkdir(parents=True)
    (out / "coho" / "client" / "__init__.py").write_text("# hand-written, must survive\n")
    return tmp_path / "proto", out


def test_generate_then_check_is_clean(gen: ModuleType, tree: tuple[Path, Path]) -> None:
    proto, out = tree
    written = gen.generate(proto, out)
    assert written == ["coho/demo/v1/demo_pb2.py", "coho/demo/v1/demo_pb2.pyi", "coho/demo/v1/demo_pb2_grpc.py"]
    assert not (out / "coho" / "demo" / "v1" / "__init__.py").exists()
    assert (out / "coho" / "client" / "__init__.py").exists()
    assert gen.check(proto, out) == []


def test_check_reports_stale_missing_and_extra(gen: ModuleType, tree: tuple[Path, Path]) -> None:
    proto, out = tree
    gen.generate(proto, out)
    stubs = out / "coho" / "demo" / "v1"
    (stubs / "demo_pb2.py").write_text("# edited by hand\n")
    (stubs / "demo_pb2.pyi").unlink()
    (stubs / "old_pb2.py").write_text("")
    assert gen.check(proto, out) == [
        "missing: coho/demo/v1/demo_pb2.pyi",
        "extra (no .proto for it): coho/demo/v1/old_pb2.py",
        "stale: coho/demo/v1/demo_pb2.py",
    ]


def test_regenerate_removes_stubs_of_deleted_protos(gen: ModuleType, tree: tuple[Path, Path]) -> None:
    proto, out = tree
    other = proto / "coho" / "other" / "v1"
    other.mkdir(parents=True)
    (other / "other.proto").write_text('syntax = "proto3";\npackage coho.other.v1;\nmessage X {}\n')
    gen.generate(proto, out)
    assert (out / "coho" / "other" / "v1" / "other_pb2.py").exists()
    shutil.rmtree(proto / "coho" / "other")
    gen.generate(proto, out)
    assert not (out / "coho" / "other").exists()
    assert (out / "coho" / "demo" / "v1" / "demo_pb2.py").exists()
