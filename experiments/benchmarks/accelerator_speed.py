"""Times the accelerator model against SCALE-Sim 3.0.0 and ZigZag 3.9.1 on the same layers.

Run from the repository root (peers are optional; they run in their own venvs)::

    python -m dsegym.experiments.benchmarks.accelerator_speed \
        [--scalesim-python /work/peers/accel/bin/python] \
        [--zigzag-python /work/peers/accel-zigzag/bin/python]

Prints dsegym's throughput (layer evaluations per second on one core, batched), the
time of one ResNet-50 evaluation, and per-layer times of each peer next to dsegym's
single-layer time with the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from dsegym.costmodels.accelerator.layers import Layer, load_workload  # noqa: E402
from dsegym.costmodels.accelerator.model import SystolicArrayModel  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "experiments" / "peers"
DESIGN = dict(
    rows=32,
    cols=32,
    dataflow="ws",
    ifmap_kib=64,
    weight_kib=64,
    ofmap_kib=64,
    dram_words_per_cycle=16,
)
# Layers both peers can run: a 3x3 convolution, a 1x1 convolution and a GEMM.
PEER_LAYERS = [
    ("conv3x3", "conv", [16, 16, 3, 3, 64, 64, 1]),
    ("conv1x1_s2", "conv", [27, 27, 1, 1, 64, 128, 2]),
    ("gemm", "gemm", [64, 256, 512]),
]


def best_of(fn, repeat: int = 5, number: int = 20) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def dsegym_figures() -> dict[str, float]:
    model = SystolicArrayModel()
    resnet50 = load_workload("resnet50")
    single = best_of(lambda: model.evaluate(DESIGN, "resnet50"))
    rng = np.random.default_rng(0)
    designs = [model.space.sample(rng) for _ in range(500)]
    batch = best_of(lambda: model.evaluate_batch(designs, "resnet50"), repeat=3, number=1)
    return {
        "resnet50_layers": len(resnet50),
        "resnet50_single_ms": single * 1e3,
        "batch_layer_evals_per_s": len(designs) * len(resnet50) / batch,
        "single_layer_evals_per_s": len(resnet50) / single,
    }


def dsegym_layer_seconds(kind: str, dims: list[int]) -> float:
    model = SystolicArrayModel()
    layer = Layer("x", *dims) if kind == "conv" else Layer.gemm("x", *dims)
    return best_of(lambda: model.evaluate(DESIGN, [layer]))


SCALESIM_CODE = """
import json, sys, time
import scalesim_cycles as peer
out = []
for case in json.loads(sys.argv[1]):
    start = time.perf_counter()
    peer.run_case(case)
    out.append(time.perf_counter() - start)
print(json.dumps(out))
"""

ZIGZAG_CODE = """
import json, sys, time
import zigzag_tpu_like as peer
out = []
for name, kind, dims in json.loads(sys.argv[1]):
    start = time.perf_counter()
    peer.run_layer(kind, dims)
    out.append(time.perf_counter() - start)
print(json.dumps(out))
"""


def peer_seconds(python: str, code: str, cases: list) -> list[float] | None:
    if not Path(python).exists():
        return None
    result = subprocess.run(
        [python, "-c", code, json.dumps(cases)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # The peer adapters are plain modules in experiments/peers, found by PYTHONPATH.
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(PEERS)},
        check=False,
    )
    if result.returncode:
        print(f"peer failed ({python}):\n{result.stderr[-2000:]}", file=sys.stderr)
        return None
    times: list[float] = json.loads(result.stdout.strip().splitlines()[-1])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalesim-python", default="/work/peers/accel/bin/python")
    parser.add_argument("--zigzag-python", default="/work/peers/accel-zigzag/bin/python")
    args = parser.parse_args()

    figures = dsegym_figures()
    print(
        f"dsegym ResNet-50 ({figures['resnet50_layers']} layers), one design: "
        f"{figures['resnet50_single_ms']:.2f} ms"
    )
    print(f"dsegym single-design layer evaluations/s: {figures['single_layer_evals_per_s']:,.0f}")
    print(
        f"dsegym batched (500 designs) layer evaluations/s: "
        f"{figures['batch_layer_evals_per_s']:,.0f}"
    )

    scalesim_cases = [
        [name, kind, dims, DESIGN["rows"], DESIGN["cols"], DESIGN["dataflow"], None]
        for name, kind, dims in PEER_LAYERS
    ]
    peers = {
        "SCALE-Sim 3.0.0": peer_seconds(args.scalesim_python, SCALESIM_CODE, scalesim_cases),
        "ZigZag 3.9.1": peer_seconds(args.zigzag_python, ZIGZAG_CODE, PEER_LAYERS),
    }
    print(f"\n{'layer':12s} {'dsegym':>10s} " + " ".join(f"{p:>26s}" for p in peers))
    for i, (name, kind, dims) in enumerate(PEER_LAYERS):
        ours = dsegym_layer_seconds(kind, dims)
        cells = []
        for times in peers.values():
            if times is None:
                cells.append(f"{'not installed':>26s}")
            else:
                cells.append(f"{times[i] * 1e3:9.1f} ms ({times[i] / ours:8,.0f}x)")
        print(f"{name:12s} {ours * 1e6:7.0f} us " + " ".join(cells))


if __name__ == "__main__":
    main()
