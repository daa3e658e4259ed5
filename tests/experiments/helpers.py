"""Helpers shared by the experiment tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dsegym.cli import main
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


def cli_fails(argv: list[str], capsys: Any) -> str:
    """Runs the CLI expecting one user error: exit 2, no traceback; the message, one line."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert "Traceback" not in err
    return " ".join(err.split())
