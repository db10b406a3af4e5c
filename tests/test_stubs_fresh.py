"""The committed Python stubs match proto/ (CI regenerates them and fails on any diff)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(60)
def test_generated_stubs_are_fresh() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_protos.py"), "--check"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_no_init_files_in_namespace_packages() -> None:
    # `coho` and the generated proto packages are PEP 420 namespaces across three roots.
    for root in ("server", "daemon", "clients/python"):
        assert not (ROOT / root / "coho" / "__init__.py").exists()
    generated_dirs = {p.parent for p in (ROOT / "clients/python/coho").rglob("*_pb2.py")}
    assert generated_dirs
    assert not [d for d in generated_dirs if (d / "__init__.py").exists()]
