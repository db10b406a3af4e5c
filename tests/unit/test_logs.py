"""Structured log lines: JSON and key=value, with extra fields."""

from __future__ import annotations

import io
import json
import logging

from coho.server.logs import configure_logging


def emit(as_json: bool) -> str:
    stream = io.StringIO()
    configure_logging("INFO", json=as_json, stream=stream)
    logging.getLogger("coho.test").info("peer joined", extra={"peer": "beta", "sequence": 42})
    logging.getLogger("coho.test").debug("hidden")
    return stream.getvalue()


def test_json_lines_carry_extra_fields() -> None:
    [line] = emit(True).splitlines()
    record = json.loads(line)
    assert record["msg"] == "peer joined"
    assert (record["level"], record["logger"], record["peer"], record["sequence"]) == (
        "info", "coho.test", "beta", 42)
    assert record["ts"].endswith("+00:00")


def test_text_lines_are_key_value() -> None:
    [line] = emit(False).splitlines()
    assert 'msg="peer joined"' in line
    assert "peer=beta sequence=42" in line


def test_exceptions_are_included() -> None:
    stream = io.StringIO()
    configure_logging("INFO", json=True, stream=stream)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("coho.test").exception("failed")
    record = json.loads(stream.getvalue())
    assert "ValueError: boom" in record["exc"]


def test_reconfiguring_does_not_duplicate_handlers() -> None:
    configure_logging("INFO", json=True, stream=io.StringIO())
    configure_logging("INFO", json=True, stream=io.StringIO())
    assert len(logging.getLogger().handlers) == 1
