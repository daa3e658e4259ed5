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

Each case (see :data:`CASES`) writes a hardware graph and task mapping in FARSI's
parsing folder (FARSI's shipped graphs use block names its current parser no longer
accepts) and runs FARSI's ``simple_sim_run`` flow on it, edited (:data:`EDITS`) to use
the library knobs and technology-node factors of FARSI's exploration flow and to print
per-block results. Printed per case: latency, FARSI's summary power, area and energy
(dominated, without CACTI, by its placeholder memory and bus costs), and the energy and
area by block kind, the power of the processing elements alone (FARSI's own window
rule) and the phase durations. ``tests/costmodels/soc/test_golden_farsi.py`` pins the
latency and the processing elements' power, energy and area.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

#: (workload, design): ``ref`` is FARSI's reference SoC (every task on one A53, one
#: 4-byte SRAM and bus); ``ip`` every task that has an IP on it (unrolling 1, clock x1);
#: ``ip_fast`` the same IPs unrolled 8 times (the whole loop where it has fewer
#: iterations) with IPs, memory and bus clocked x4; ``wide`` the reference with the
#: 128-byte SRAM and bus; ``two_cores`` every other task (by name) on a second A53.
CASES = [
    ("hpvm_cava", "ref"),
    ("hpvm_cava", "ip"),
    ("hpvm_cava", "ip_fast"),
    ("audio_decoder", "ref"),
    ("audio_decoder", "ip"),
    ("audio_decoder", "ip_fast"),
    ("edge_detection", "ref"),
    ("edge_detection", "ip"),
    ("edge_detection", "ip_fast"),
    ("audio_decoder", "wide"),
    ("audio_decoder", "two_cores"),
    ("edge_detection", "two_cores"),
]
FAST_UNROLL, FAST_CLOCK = 8, 4
#: Edits to FARSI's ``simple_sim_run.py``: the workload from the command line; the
#: library knobs of FARSI's exploration flow (``FARSI_what_ifs_with_params.py``: IP
#: unrolling by powers of two, at most 17 levels, clocks x1/4/6/8, and its
#: technology-node factors, memory area 0.07 instead of this script's 0.079); and a
#: line of per-block results after the run.
EDITS = [
    ('workloads = {"SOC_example_1p_2r"}', "workloads = {sys.argv[1]}"),
    (
        '"area":{"non_mem":.0374 , "mem":.079, "gpp":1}}',
        '"area":{"non_mem":.0374 , "mem":.07, "gpp":1}}',
    ),
    (
        '"tech_node_SF":tech_node_SF,',
        '"tech_node_SF":tech_node_SF, "ip_spawn": {"ip_loop_unrolling": {"incr": 2, '
        '"max_spawn_ip": 17, "spawn_mode": "geometric"}, "ip_freq_range": [1, 4, 6, 8]}, '
        '"mem_spawn": {"mem_freq_range": [1, 4, 6, 8]}, '
        '"ic_spawn": {"ic_freq_range": [1, 4, 6, 8]},',
    ),
    (
        "    run_ctr += 1\n",
        """    run_ctr += 1
    import collections, json as _json
    _dp = dse_hndlr.dse.so_far_best_sim_dp
    _energy, _area = {}, {}
    for _k in _dp.get_kernels():
        for _b, _ph in _k.stats.block_phase_energy_dict.items():
            _energy[_b.subtype] = _energy.get(_b.subtype, 0.0) + sum(_ph.values())
    for _b in _dp.dp_rep.get_blocks():
        _area[_b.subtype] = _area.get(_b.subtype, 0.0) + _b.get_area()
    # Power as FARSI computes it (peak over its power-collection windows), of the
    # processing elements alone: memories and buses cost CACTI placeholders here.
    from design_utils.common_design_utils import slice_phases_with_PWP
    _lat = collections.OrderedDict(sorted(_dp.dp_rep.phase_latency_dict.items()))
    _pe = {_ph: 0.0 for _ph in _lat}
    for _k in _dp.get_kernels():
        for _b, _ph in _k.stats.block_phase_energy_dict.items():
            if _b.subtype in ("gpp", "ip"):
                for _n, _e in _ph.items():
                    _pe[_n] = _pe.get(_n, 0.0) + _e
    _d, _e = list(_lat.values()), [_pe[_n] for _n in _lat]
    _power = max(
        (sum(_e[a:b]) / sum(_d[a:b]) if sum(_d[a:b]) > 0 else 0.0)
        for a, b in slice_phases_with_PWP(_lat)
    )
    print("DSEGYM " + _json.dumps({"energy_by_kind_j": _energy, "area_by_kind_m2": _area,
        "pe_power_w": _power, "phase_s": _d,
        "finish_s": {_k.get_task_name(): _k.get_completion_time() for _k in _dp.get_kernels()}}))
""",
    ),
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
    itr = {
        ALIAS.get(r[0], r[0]): float(r[1])
        for r in read_csv(DATA / workload / "task_itr_count.csv")[1:]
        if len(r) > 1 and r[1].strip()
    }

    def real(task: str) -> bool:
        row = perf.get(task, [])
        return any(cell.strip() not in ("", "0") for cell in row[1:3])

    second_core = sorted(t for t in tasks if real(t))[1::2]

    def pe(task: str) -> str:
        row = perf.get(task, [])
        has_ip = len(row) > 2 and row[2].strip() not in ("", "0")
        if mode == "ip" and has_ip:
            return f"{task}_IP0_1_1_0"
        if mode == "ip_fast" and has_ip:
            unroll = min(FAST_UNROLL, int(itr.get(task, 1)))
            return f"{task}_IP0_{unroll}_{FAST_CLOCK}_0"
        return "A53_1" if mode == "two_cores" and task in second_core else "A53_0"

    pes = sorted({pe(t) for t in tasks})
    width = 5 if mode == "wide" else 0  # library rows LMEM_5 / LMEM_ic_5: 128 bytes
    clock = FAST_CLOCK if mode == "ip_fast" else 1
    mem, ic = f"LMEM_{width}_{clock}_0", f"LMEM_ic_{width}_{clock}_0"
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
    for old, new in EDITS:
        if old not in source:
            raise RuntimeError(f"simple_sim_run.py no longer contains {old!r}")
        source = source.replace(old, new)
    script.write_text(source)
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
    blocks = re.search(r"^DSEGYM (.*)$", out, re.MULTILINE)
    if found is None or blocks is None:
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
        **json.loads(blocks.group(1)),
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
