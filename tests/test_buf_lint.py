"""buf lint (STANDARD) passes on proto/ (DESIGN §2)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(60)
def test_buf_lint() -> None:
    buf = shutil.which("buf")
    if buf is None:
        pytest.fail("buf not found: pip install -e '.[test]' (buf-bin)")
    result = subprocess.run([buf, "lint"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
