"""What a record line costs on disk, and where: bytes per field per evaluation.

    python -m dsegym.experiments.benchmarks.record_size [--budget 300] [--zdt-budget 2000]
    python -m dsegym.experiments.benchmarks.record_size --folder results/quickstart

Records two experiments serially into a temporary folder (or reads ``--folder``):

- ``quickstart``: ``experiments/configs/quickstart.yaml`` with one seed (its 3 problems
  x 3 agents) and ``--budget`` evaluations per run;
- ``zdt1-30``: ``zdt1`` with 30 variables, ``random``, one run of ``--zdt-budget``.

For each, it prints the bytes per evaluation of the ``runs/*.jsonl`` files as written
(``on disk``), and of the same rows written the old way, every field on every line
(``every field per line``, what dsegym wrote before records had a run header). The
per-field rows attribute each line's bytes to its top-level fields: a field's bytes
are its key, separator and value as the line spells them; ``run header`` is the header
line's bytes spread over the run's evaluations; ``framing`` is braces and newline. The
columns add up to the totals exactly (the script checks it). Rule: bytes per
evaluation = bytes of the run files / record lines (cached answers are lines too).

It also prints the CPU time (``time.process_time``, so a shared machine's load counts
less than in wall time) to format the same rows as lines and to read them back with
``read_records``, per line, both ways: the median of five passes over every run.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dsegym.experiments.config import load_config, parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.record_format import DESIGN_KEYS, FORMAT_KEY, METRIC_KEYS
from dsegym.experiments.record_writer import LineFormatter, RowFormatter, line_formatter
from dsegym.experiments.storage import RunFields, read_records

QUICKSTART = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"
#: Separators of the two spellings: the old full lines and the compact lines.
SPELLINGS = ((", ", ": "), (",", ":"))
RUN_KEYS = [f for f in RunFields.__dataclass_fields__]


def _field_bytes(line: bytes) -> dict[str, int]:
    """Bytes of each top-level field of one JSON line (plus ``framing``), summing to it."""
    obj = json.loads(line)
    for item_sep, key_sep in SPELLINGS:
        sizes = {
            k: len(json.dumps(k)) + len(key_sep) + _value_bytes(v, (item_sep, key_sep))
            for k, v in obj.items()
        }
        framing = len(line) - sum(sizes.values())
        separators = len(item_sep) * (len(obj) - 1)
        if framing - separators == 3:  # "{", "}" and the newline: this is the spelling
            out = {k: n + len(item_sep) for k, n in sizes.items()}
            return {**out, "framing": 3 - len(item_sep)}
    raise ValueError(f"cannot attribute the bytes of {line[:80]!r}")


def _value_bytes(value: Any, separators: tuple[str, str]) -> int:
    return len(json.dumps(value, separators=separators, allow_nan=False).encode())


def measure(runs_dir: Path) -> tuple[int, dict[str, float], dict[str, float]]:
    """Evaluations, and bytes per evaluation by field on disk and as full old lines."""
    disk: dict[str, int] = defaultdict(int)
    full: dict[str, int] = defaultdict(int)
    n = 0
    for path in sorted(runs_dir.glob("*.jsonl")):
        lines = path.read_bytes().splitlines(keepends=True)
        rows = read_records(path)
        for line in lines:
            sizes = _field_bytes(line)
            if "dsegym_record" in sizes:  # the run header
                disk["run header"] += len(line)
                continue
            for k, size in sizes.items():
                disk["run fields" if k in RUN_KEYS else k] += size
        for row in rows:
            static = {k: row[k] for k in RUN_KEYS if k in row}
            text = RowFormatter(static).line({k: v for k, v in row.items() if k not in static})
            for k, size in _field_bytes(text.encode()).items():
                full["run fields" if k in RUN_KEYS else k] += size
        n += len(rows)
    return n, {k: v / n for k, v in disk.items()}, {k: v / n for k, v in full.items()}


def _cpu_us(work: Callable[[], object], lines: int, passes: int = 5) -> float:
    """Median CPU microseconds per line of ``passes`` runs of ``work``."""
    times = []
    for _ in range(passes):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times) / lines * 1e6


def _format_all(made: list[tuple[LineFormatter, list[dict[str, Any]]]]) -> list[str]:
    return [formatter.lines(parts) for formatter, parts in made]


def _read_all(paths: list[Path]) -> list[list[dict[str, Any]]]:
    return [read_records(path) for path in paths]


def cpu_per_line(runs_dir: Path, scratch: Path) -> dict[str, tuple[float, float]]:
    """CPU us per line to format and to read the runs' rows: (format 1, format 2)."""
    runs = []
    for path in sorted(runs_dir.glob("*.jsonl")):
        rows = read_records(path)
        header = json.loads(path.read_bytes().split(b"\n", 1)[0])
        run = {k: rows[0][k] for k in RUN_KEYS}
        parts = [{k: v for k, v in row.items() if k not in run} for row in rows]
        keys = (header[DESIGN_KEYS], header[METRIC_KEYS]) if FORMAT_KEY in header else ([], [])
        runs.append((run, keys, parts))
    n = sum(len(parts) for _, _, parts in runs)

    def formatters(old: bool) -> list[tuple[LineFormatter, list[dict[str, Any]]]]:
        return [
            (RowFormatter(run) if old else line_formatter(run, *keys), parts)
            for run, keys, parts in runs
        ]

    out: dict[str, tuple[float, float]] = {}
    files: dict[bool, list[Path]] = {}
    for old in (True, False):
        files[old] = []
        for i, (formatter, parts) in enumerate(formatters(old)):
            files[old].append(scratch / f"{int(old)}-{i}.jsonl")
            files[old][-1].write_text(formatter.lines(parts))
    for what in ("format", "read"):
        cost = []
        for old in (True, False):
            if what == "format":
                made = formatters(old)
                cost.append(_cpu_us(functools.partial(_format_all, made), n))
            else:
                paths = files[old]
                cost.append(_cpu_us(functools.partial(_read_all, paths), n))
        out[what] = (cost[0], cost[1])
    return out


def _record(name: str, config: Any, out: Path) -> Path:
    folder = out / name
    run_experiment(config, results_dir=folder, workers=1, show_progress=False)
    return folder / "runs"


def _print(name: str, runs_dir: Path) -> None:
    on_disk = sum(p.stat().st_size for p in runs_dir.glob("*.jsonl"))
    n, disk, full = measure(runs_dir)
    assert abs(sum(disk.values()) * n - on_disk) < 1e-6 * max(on_disk, 1), "bytes unaccounted"
    print(f"\n{name}: {n} record lines, {on_disk} bytes in runs/*.jsonl")
    print(f"{'field':<16} {'every field per line':>22} {'on disk':>10}   (bytes per evaluation)")
    for key in sorted(set(disk) | set(full), key=lambda k: -full.get(k, 0)):
        print(f"{key:<16} {full.get(key, 0):>22.1f} {disk.get(key, 0):>10.1f}")
    total_full, total_disk = sum(full.values()), sum(disk.values())
    ratio = total_disk / total_full
    print(f"{'total':<16} {total_full:>22.1f} {total_disk:>10.1f}   ratio {ratio:.3f}")
    with tempfile.TemporaryDirectory() as scratch:
        for what, (old, new) in cpu_per_line(runs_dir, Path(scratch)).items():
            print(f"CPU to {what} a line: {old:.1f} us every field per line, {new:.1f} us now")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=300, help="quick start runs' budget")
    parser.add_argument("--zdt-budget", type=int, default=2000, help="zdt1-30 run's budget")
    parser.add_argument("--folder", type=Path, help="measure this results folder instead")
    args = parser.parse_args(argv)
    logging.getLogger("ray").setLevel(logging.ERROR)
    if args.folder is not None:
        _print(str(args.folder), args.folder / "runs")
        return
    quick = load_config(QUICKSTART).model_copy(update={"seeds": [0], "budget": args.budget})
    zdt = parse_config(
        {
            "name": "zdt1-30",
            "budget": args.zdt_budget,
            "seeds": [0],
            "problems": [{"name": "zdt1", "params": {"n_var": 30}}],
            "agents": ["random"],
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, config in (("quickstart", quick), ("zdt1-30", zdt)):
            _print(name, _record(name, config, Path(tmp)))


if __name__ == "__main__":
    main()
