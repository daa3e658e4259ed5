"""Helpers shared by the experiment tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsegym.experiments.storage import read_records

VOLATILE = ("eval_time_s", "timestamp")


def records(results_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every run's rows without the wall-clock fields, keyed by run id."""
    out = {}
    for path in sorted((Path(results_dir) / "runs").glob("*.jsonl")):
        out[path.stem] = [
            {k: v for k, v in r.items() if k not in VOLATILE} for r in read_records(path)
        ]
    return out
