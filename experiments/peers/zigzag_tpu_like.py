"""Runs ZigZag 3.9.1 on its bundled ``tpu_like`` hardware and prints energy, latency and
DRAM accesses per operand as JSON.

ZigZag needs numpy >= 2 while SCALE-Sim 3.0.0 needs numpy < 2, so it has its own venv::

    python -m venv /work/peers/accel-zigzag
    /work/peers/accel-zigzag/bin/pip install zigzag-dse==3.9.1 six
    /work/peers/accel-zigzag/bin/python experiments/peers/zigzag_tpu_like.py

Layers are given in SCALE-Sim's encoding (``conv``: ifmap h, ifmap w, filter h, filter w,
channels, filters, stride; ``gemm``: M, N, K) and use ZigZag's default tpu_like
mapping (K over D1, C over D2, 32 each), with its temporal mapping search (LOMA,
minimum energy). The printed numbers are the constants pinned in
``tests/costmodels/accelerator/test_golden_zigzag.py``; the temporal mappings it prints
show the mapping that test reproduces (every reduction loop inside the PE registers).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import tempfile
from importlib import resources
from typing import Any

LAYERS: list[list[Any]] = [
    ["conv3x3", "conv", [16, 16, 3, 3, 64, 64, 1]],
    ["conv1x1_s2", "conv", [27, 27, 1, 1, 64, 128, 2]],
    ["gemm", "gemm", [64, 256, 512]],
    ["conv7x7_s2_rgb", "conv", [37, 37, 7, 7, 3, 64, 2]],
    ["conv5x5_c48", "conv", [12, 12, 5, 5, 48, 40, 1]],
    ["gemm_k100", "gemm", [30, 70, 100]],
]


def zigzag_layer(kind: str, dims: list[int]) -> dict[str, Any]:
    if kind == "gemm":
        m, n, k = dims
        h, w, fh, fw, ch, nf, s = m, 1, 1, 1, k, n, 1
    else:
        h, w, fh, fw, ch, nf, s = dims
    oy, ox = (h - fh) // s + 1, (w - fw) // s + 1
    return {
        "id": 0,
        "name": "layer",
        "operator_type": "Conv",
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
        "dimension_relations": [f"ix={s}*ox+1*fx", f"iy={s}*oy+1*fy"],
        "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
        "loop_sizes": [1, nf, ch, oy, ox, fh, fw],
        "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
        "operand_source": {"I": 0},
    }


def run_layer(kind: str, dims: list[int]) -> dict[str, Any]:
    from zigzag.api import get_hardware_performance_zigzag
    from zigzag.hardware.architecture.memory_port import DataDirection

    logging.disable(logging.CRITICAL)
    inputs = resources.files("zigzag") / "inputs"
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        energy, latency, cmes = get_hardware_performance_zigzag(
            workload=[zigzag_layer(kind, dims)],
            accelerator=str(inputs / "hardware" / "tpu_like.yaml"),
            mapping=str(inputs / "mapping" / "tpu_like.yaml"),
            opt="energy",
            dump_folder=tmp,
            loma_show_progress_bar=False,
        )
    cme = cmes[0][1][0][0]
    # DRAM is the last level of every operand; its accesses are 64-bit words.
    dram = {}
    for operand, accesses in cme.memory_word_access.items():
        top = accesses[-1]
        dram[str(operand)] = {
            "reads_64b": int(top.get(DataDirection.RD_OUT_TO_LOW)),
            "writes_64b": int(top.get(DataDirection.WR_IN_BY_LOW)),
        }
    return {
        "energy_pj": float(energy),
        "latency_cycles": float(latency),
        "ideal_cycles": float(cme.ideal_cycle),
        "mac_energy_pj": float(cme.mac_energy),
        "memory_energy_pj": float(cme.mem_energy),
        "energy_per_level_pj": {
            str(k): [float(x) for x in v] for k, v in cme.mem_energy_breakdown.items()
        },
        "dram_accesses": dram,
        "temporal_mapping": str(cme.temporal_mapping),
    }


def main(argv: list[str]) -> None:
    wanted = set(argv)
    out = {
        name: run_layer(kind, dims) for name, kind, dims in LAYERS if not wanted or name in wanted
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
