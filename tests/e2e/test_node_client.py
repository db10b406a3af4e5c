"""The Node.js client's own test suite (clients/node), run against a real Python server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

NODE_DIR = Path(__file__).resolve().parents[2] / "clients" / "node"


def test_node_client_suite() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not installed: the Node.js client suite cannot run")
    if not (NODE_DIR / "node_modules").is_dir():
        pytest.fail(f"{NODE_DIR}/node_modules is missing: run `npm ci` in clients/node")
    # The Node test starts `python -m coho.server.cli`; use this interpreter.
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(["npm", "test"], cwd=NODE_DIR, env=env, capture_output=True, text=True,
                            timeout=110, check=False)
    assert result.returncode == 0, f"npm test failed:\n{result.stdout}\n{result.stderr}"
