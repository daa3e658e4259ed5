"""A stand-in for a real simulator, to show how dsegym wraps one (see toy_sim.yaml).

It behaves like the tools architects wrap (Timeloop, SCALE-Sim, DRAMSys): it reads an
architecture file written for it, takes the workload on its command line, writes its
results to a file, and fails with a message on standard error and a non-zero exit code
when a design cannot run the workload. The numbers come from a first-order model of an
output-/weight-stationary systolic array running one GEMM layer.

    python toy_sim.py --arch arch.json --layer 256x256x256 [--out metrics.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

BYTES_PER_WORD = 1  # int8 operands


def simulate(arch: dict, m: int, n: int, k: int) -> dict[str, float]:
    rows, cols, buffer_kb = arch["pe_rows"], arch["pe_cols"], arch["buffer_kb"]
    # One tile of outputs (ws: weights resident) needs its operand panels on chip.
    tile_kb = (rows + cols) * k * BYTES_PER_WORD / 1024
    if tile_kb > buffer_kb:
        print(
            f"error: a {rows}x{cols} tile of this layer needs {tile_kb:.1f} KiB of "
            f"buffer; the design has {buffer_kb} KiB",
            file=sys.stderr,
        )
        sys.exit(3)
    tiles = math.ceil(m / rows) * math.ceil(n / cols)
    fill_drain = rows + cols if arch["dataflow"] == "ws" else 2 * (rows + cols)
    cycles = tiles * (k + fill_drain)
    macs = m * n * k
    # Operands refetched from DRAM once per tile column/row the buffer cannot hold.
    dram_bytes = (m * k * math.ceil(n / cols) + k * n * math.ceil(m / rows)) * BYTES_PER_WORD
    sram_bytes = 3 * macs * BYTES_PER_WORD / min(rows, cols)
    energy = 0.2 * macs + 1.5 * sram_bytes * math.sqrt(buffer_kb / 64) + 20.0 * dram_bytes
    area = 0.0022 * rows * cols + 0.0045 * buffer_kb + 0.1
    return {"latency_cycles": cycles, "energy_pj": energy, "area_mm2": area}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, help="architecture JSON")
    parser.add_argument("--layer", default="256x256x256", help="GEMM as MxNxK")
    parser.add_argument("--out", default="metrics.json", help="where results go")
    parser.add_argument("--sleep-ms", type=float, default=0.0, help="pretend to be slow")
    args = parser.parse_args()
    with open(args.arch) as f:
        arch = json.load(f)
    m, n, k = (int(x) for x in args.layer.split("x"))
    time.sleep(args.sleep_ms / 1000)
    results = simulate(arch, m, n, k)
    with open(args.out, "w") as f:
        json.dump(results, f)
    print(
        f"simulated {m}x{n}x{k} on {arch['pe_rows']}x{arch['pe_cols']}: "
        f"{results['latency_cycles']:.0f} cycles"
    )


if __name__ == "__main__":
    main()
