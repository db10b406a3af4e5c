"""Structured logging for coho processes.

One line per record, either JSON (for log shippers) or ``key=value`` text (for humans).
Context goes in ``extra={...}``; every extra attribute becomes a field, so call sites
log facts (``extra={"peer": name, "sequence": n}``) rather than formatted sentences.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime", "taskName"}
)


# Extra fields whose name says they hold a credential are never printed, whoever passed them: a safety net
# under the rule that secrets are not logged at all. Fingerprints (``token_fingerprint``) are not secrets.
_SECRET_FIELD = re.compile(r"authorization|password|passwd|secret|token|credential|api_?key|private_?key",
                           re.IGNORECASE)
_NOT_SECRET_FIELD = re.compile(r"fingerprint", re.IGNORECASE)
REDACTED = "<redacted>"


def _is_secret_field(name: str) -> bool:
    return bool(_SECRET_FIELD.search(name)) and not _NOT_SECRET_FIELD.search(name)


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "msg": record.getMessage(),
    }
    for key, value in vars(record).items():
        if key not in _STANDARD_ATTRS and not key.startswith("_"):
            fields[key] = REDACTED if _is_secret_field(key) and value not in (None, "") else value
    if record.exc_info:
        fields["exc"] = logging.Formatter().formatException(record.exc_info)
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(record_fields(record), default=str, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = record_fields(record)
        exc = fields.pop("exc", None)
        line = " ".join(f"{key}={_kv(value)}" for key, value in fields.items())
        return f"{line}\n{exc}" if exc else line


def _kv(value: Any) -> str:
    text = str(value)
    if not text or any(c in text for c in ' "=\n'):
        return json.dumps(text, ensure_ascii=False)
    return text


def configure_logging(level: str | int = "INFO", json: bool = True, stream: TextIO | None = None) -> None:
    """Route all logging to ``stream`` (stderr by default) in the chosen format.

    Replaces existing root handlers so that calling it twice (e.g. ``coho up`` starting
    server and daemon in one process) never duplicates lines.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json else KeyValueFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # grpc's own logger is chatty at INFO about internals users cannot act on.
    logging.getLogger("grpc").setLevel(max(logging.WARNING, root.level))
