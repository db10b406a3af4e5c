"""Recording a benchmark run in bench/RESULTS.md without growing duplicate sections.

A run is added at the end of its section (created if missing) as a dated block, so the section's own tables
and notes stay where their authors put them and reruns do not scatter copies of the heading through the file.
"""

from __future__ import annotations

import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def record_run(section: str, command: str, lines: list[str], path: Path = RESULTS) -> None:
    """Append ``lines`` as a dated run of ``command`` at the end of the ``## section`` section."""
    block = f"\nRun of `{command}` ({time.strftime('%Y-%m-%d %H:%M')}):\n\n" + "".join(f"- {x}\n" for x in lines)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    heading = f"## {section}\n"
    start = text.find(heading)
    if start < 0:
        path.write_text(text.rstrip("\n") + f"\n\n{heading}" + block, encoding="utf-8")
        return
    end = text.find("\n## ", start + len(heading))
    end = len(text) if end < 0 else end + 1
    path.write_text(text[:end].rstrip("\n") + "\n" + block + "\n" + text[end:], encoding="utf-8")
