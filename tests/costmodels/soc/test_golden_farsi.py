"""Agreement with FARSI's own simulator (Project_FARSI ce59c96, no CACTI).

Constants regenerate with ``experiments/peers/farsi_sim.py`` (FARSI's Python 3.7 venv).
``ref`` is FARSI's reference SoC (every task on one A53, one 4-byte SRAM and bus);
``ip`` puts every task with an IP on it, unrolled once, on the same bus; ``wide`` is
the reference with a 128-byte SRAM and bus; ``two_cores`` moves every other task (by
name) to a second A53 on the same bus. Latency is compared: exactly (1e-9) on the
reference and wide SoCs and the all-IP CAVA pipeline, within 1 % where several
processing elements contend for the memory at once: all-IP audio decoder (dsegym
0.66 % faster) and edge detection (0.36 % faster), two-core audio decoder (0.82 %
slower) and edge detection (0.50 % faster). The source of that gap is not
identified: replacing dsegym's equal split by FARSI's arbitration (equal per master's
pipe, then by each task's work units) did not close it and broke the exact cases.
FARSI's power and area are not compared: without CACTI they are dominated by its
placeholder memory costs (megawatts, square metres).
"""

from __future__ import annotations

import pytest

from dsegym.costmodels.registry import make_problem

from .conftest import needs_farsi

# (workload, design, FARSI latency in s, relative tolerance)
FARSI = [
    ("hpvm_cava", "ref", 84.882331754, 1e-9),
    ("hpvm_cava", "ip", 35.914951359999996, 1e-9),
    ("audio_decoder", "ref", 0.010817377000000001, 1e-9),
    ("audio_decoder", "ip", 0.00931824, 0.01),
    ("edge_detection", "ref", 3.2964607999999997, 1e-9),
    ("edge_detection", "ip", 9.093214562346159, 0.01),
    ("audio_decoder", "wide", 0.006359432, 1e-9),
    ("audio_decoder", "two_cores", 0.010485009, 0.01),
    ("edge_detection", "two_cores", 3.2964607999999997, 0.01),
]


@needs_farsi
@pytest.mark.parametrize(("workload", "case", "latency_s", "rel"), FARSI)
def test_latency_agrees_with_farsi(workload, case, latency_s, rel):
    problem = make_problem("soc-farsi", {"workload": workload})
    model = problem.cost_model
    design = dict(model.reference_design())
    if case == "ip":
        for name in model.parameter_groups["ips"]:
            task = name[len("ip_") :]
            design[f"pe_{task}"] = "ip"
            design[name] = 1
    elif case == "wide":
        design.update(mem0_width=128, bus0_width=128)
    elif case == "two_cores":
        for task in sorted(model.graph.real_tasks)[1::2]:
            design[f"pe_{task}"] = "gpp1"
    metrics = problem.evaluate(design).evaluation.metrics
    assert metrics["latency_ms"] / 1e3 == pytest.approx(latency_s, rel=rel)
