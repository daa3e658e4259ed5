r"""Runs FARSI's own simulator on the golden SoC cases and prints its figures as JSON.

FARSI (facebookresearch/Project_FARSI, ce59c96) is research code, not a package: run it
from a checkout with its own Python 3.7 virtual environment, without CACTI, outside
dsegym's install::

    /root/.pyenv/versions/3.7.16/bin/python -m venv /work/peers/farsi-venv
    /work/peers/farsi-venv/bin/pip install numpy==1.21.6 pandas==1.3.5 matplotlib==3.5.2 \\
        sympy==1.10.1 dill==0.3.5.1 psutil plotly==5.8.2 seaborn scikit-learn
    # in FARSI's settings/config.py: use_cacti = False
    # pygraphviz is only used to draw graphs: a stub module named pygraphviz on
    # PYTHONPATH (class AGraph accepting anything) is enough.
    python experiments/peers/farsi_sim.py /work/peers/farsi /work/peers/farsi-venv/bin/python \\
        --stubs /work/peers/farsi-stubs > farsi.json

Each case writes a hardware graph and task mapping in FARSI's parsing folder (FARSI's
shipped graphs use block names its current parser no longer accepts) and runs FARSI's
``simple_sim_run`` flow on it: ``ref`` is FARSI's reference SoC (every task on one A53,
one SRAM and one bus, 4 bytes wide), ``ip`` puts every task that has an IP on it
(unrolling 1), ``wide`` uses the 128-byte SRAM and bus, ``two_cores`` puts every
other task (by name) on a second A53. The printed latencies are pinned in
``tests/costmodels/soc/test_golden_farsi.py``; FARSI's power and area are printed too
but not compared (without CACTI they are dominated by its placeholder memory costs).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

CASES = [
    ("hpvm_cava", "ref"),
    ("hpvm_cava", "ip"),
    ("audio_decoder", "ref"),
    ("audio_decoder", "ip"),
    ("edge_detection", "ref"),
    ("edge_detection", "ip"),
    ("audio_decoder", "wide"),
    ("audio_decoder", "two_cores"),
    ("edge_detection", "two_cores"),
]
ALIAS = {"source": "souurce", "sink": "siink"}
DATA = Path(os.environ.get("DSEGYM_DATA_DIR", "/work/shared/data")) / "farsi"


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def write_case(farsi: Path, workload: str, mode: str) -> None:
    rows = read_csv(DATA / workload / "task_data_movement.csv")
    header = [ALIAS.get(c, c) for c in rows[0][1:]]
    tasks = [ALIAS.get(r[0], r[0]) for r in rows[1:]]
    edges = [
        (ALIAS.get(r[0], r[0]), child)
        for r in rows[1:]
        for child, cell in zip(header, r[1:], strict=True)
        if cell.strip() and float(cell) > 0 and child != ALIAS.get(r[0], r[0])
    ]
    perf = {r[0]: r for r in read_csv(DATA / workload / "task_pe_performance.csv")}

    def real(task: str) -> bool:
        row = perf.get(task, [])
        return any(cell.strip() not in ("", "0") for cell in row[1:3])

    second_core = sorted(t for t in tasks if real(t))[1::2]

    def pe(task: str) -> str:
        row = perf.get(task, [])
        has_ip = len(row) > 2 and row[2].strip() not in ("", "0")
        if mode == "ip" and has_ip:
            return f"{task}_IP0_1_1_0"
        return "A53_1" if mode == "two_cores" and task in second_core else "A53_0"

    pes = sorted({pe(t) for t in tasks})
    width = 5 if mode == "wide" else 0  # library rows LMEM_5 / LMEM_ic_5: 128 bytes
    mem, ic = f"LMEM_{width}_1_0", f"LMEM_ic_{width}_1_0"
    prefix = farsi / "specs/database_data/parsing" / f"{workload}_database - "
    blocks = pes + [ic, mem]
    with open(f"{prefix}Hardware Graph.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Block Name"] + blocks)
        for b in blocks:
            w.writerow([b] + ["1" if (x == ic) != (b == ic) else "" for x in blocks])
    columns = {b: [t for t in tasks if pe(t) == b] for b in pes}
    columns[mem] = columns[ic] = [f"{p} -> {c}" for p, c in edges]
    names = pes + [mem, ic]
    depth = max(len(v) for v in columns.values())
    for fname in ("Task to Hardware Mapping.csv", "Task To Hardware Mapping.csv"):
        with open(f"{prefix}{fname}", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(names)
            for i in range(depth):
                w.writerow([columns[b][i] if i < len(columns[b]) else "" for b in names])


def run_case(farsi: Path, python: str, stubs: str, workload: str) -> dict[str, float]:
    here = farsi / "data_collection/collection_utils/sim_run"
    script = here / "dsegym_one_run.py"
    source = (here / "simple_sim_run.py").read_text()
    script.write_text(
        source.replace('workloads = {"SOC_example_1p_2r"}', "workloads = {sys.argv[1]}")
    )
    env = dict(os.environ, PYTHONPATH=stubs)
    out = subprocess.run(
        [python, script.name, workload],
        cwd=here,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    ).stdout
    found = re.search(r"lat is ([0-9.eE+-]+)", out)
    if found is None:
        raise RuntimeError(f"FARSI printed no latency; its output ends:\n{out[-2000:]}")
    latency = float(found.group(1))
    results = sorted((farsi / "data_collection/data/simple_sim_run").glob("*/result_summary/*.csv"))
    table = read_csv(results[-1])
    row = dict(zip(table[0], table[1], strict=True))
    return {
        "latency_s": latency,
        "power_w": float(row["power"]),
        "area_m2": float(row["area"]),
        "energy_j": float(row["energy"]),
    }


def main() -> None:
    farsi, python = Path(sys.argv[1]), sys.argv[2]
    stubs = sys.argv[sys.argv.index("--stubs") + 1] if "--stubs" in sys.argv else ""
    found = {}
    for workload, mode in CASES:
        write_case(farsi, workload, mode)
        found[f"{workload}/{mode}"] = run_case(farsi, python, stubs, workload)
    json.dump(found, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
