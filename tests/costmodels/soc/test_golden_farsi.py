"""Agreement with FARSI's own simulator (Project_FARSI ce59c96, no CACTI).

Constants regenerate with ``experiments/peers/farsi_sim.py`` (FARSI's Python 3.7 venv),
which runs FARSI with the library knobs and technology-node factors of its exploration
flow. Designs: ``ref`` is FARSI's reference SoC (every task on one A53, one 4-byte SRAM
and bus); ``ip`` puts every task with an IP on it, unrolled once; ``ip_fast`` unrolls
those IPs 8 times (fully when the loop is shorter) and clocks IPs, memory and bus x4;
``wide`` is the reference with a 128-byte SRAM and bus; ``two_cores`` moves every other
task (by name) to a second A53 on the same bus.

Compared: latency; the energy of the processing elements (cores and IPs); their power
as FARSI defines it (the peak over its 10 ms power windows); their area. Memories and
buses are not compared: without CACTI FARSI costs them with placeholders (megawatts,
square metres), which dsegym leaves out by default.

Exact (1e-9) unless :data:`DIFFERENCES` gives a tolerance, each for the reason below.
(Two tasks sharing a core are exact: both FARSI and dsegym run one task at a time on a
processing element, the waiting task that became ready last first.)

- ``LATENCY_ARBITRATION``: edge detection with IPs, where the laplacian and the
  gradient IPs read and write the one memory at the same time: FARSI's laplacian ends
  33 ms later (0.36 % of the latency; 2.8 % with IPs x8 and clocks x4), the rest of the
  schedule being equal. Power follows the schedule (energy is exact): 18 % (a 10 ms
  window holding other work) and 0.22 %. The cause is not found. FARSI's own
  bottleneck record (``phase_block_duration_bottleneck``) shows the memory holding the
  laplacian back during the 33 ms the max-gradient IP runs: it then gets about 4e-5 of
  the memory (as if it moved 256 of its 6,553,600 bytes), which none of FARSI's sharing
  rules that dsegym reproduces (equal per master's pipe, by bytes within a pipe: a
  memory's write channel by bytes) explains; they make the all-IP audio decoder exact.
- ``AREA_DUMMY_CORE``: FARSI keeps the A53 that hosts the audio decoder's ``dummy_last``
  (a task without work) in the all-IP designs; dsegym allocates no core that no task
  uses, so its area is the IPs' alone.
"""

from __future__ import annotations

import pytest

from dsegym.costmodels.registry import make_problem

from .conftest import needs_farsi

# (workload, design, latency s, PE power W, PE energy J, core area mm^2, IP area mm^2)
FARSI = [
    ("hpvm_cava", "ref", 84.882331754, 0.0425354462053, 3.6105078561, 0.65, 0),
    ("hpvm_cava", "ip", 35.91495136, 5.29070703248e-10, 3.7243328e-11, 0, 0.0117677978),
    ("hpvm_cava", "ip_fast", 1.12234223, 3.04479027738e-08, 2.97946624e-10, 0, 0.0941423824),
    ("audio_decoder", "ref", 0.010817377, 0.027117096784, 0.0002681593186, 0.65, 0),
    ("audio_decoder", "ip", 0.00931824, 1.43692645822e-11, 1.33896256e-13, 0.65, 0.0405380096),
    ("audio_decoder", "ip_fast", 0.00232956, 3.50161506894e-10, 8.1572224e-13, 0.65, 0.240636462),
    ("edge_detection", "ref", 3.2964608, 0.0425354462053, 0.140146893398, 0.65, 0),
    ("edge_detection", "ip", 9.09321456235, 2.2382491822e-11, 7.3726784e-11, 0, 0.0238162452),
    ("edge_detection", "ip_fast", 0.291323152189, 2.818691834e-09, 5.89814272e-10, 0, 0.1905299616),
    ("audio_decoder", "wide", 0.006359432, 0.0421671807482, 0.0002681593186, 0.65, 0),
    ("audio_decoder", "two_cores", 0.010485009, 0.03187124376, 0.0002681593186, 1.3, 0),
    ("edge_detection", "two_cores", 3.2964608, 0.0425354462053, 0.140146893398, 1.3, 0),
]  # fmt: skip
EXACT = 1e-9
#: (workload, design) -> {metric: (relative tolerance, reason)}; see the module docstring.
LATENCY_ARBITRATION = "edge detection's laplacian IP ends 33 ms later in FARSI; not found why"
AREA_DUMMY_CORE = "FARSI's A53 hosting dummy_last, a task without work"
AUDIO_IPS = {"core_area": (None, AREA_DUMMY_CORE)}
DIFFERENCES = {
    ("audio_decoder", "ip"): AUDIO_IPS,
    ("audio_decoder", "ip_fast"): AUDIO_IPS,
    ("edge_detection", "ip"): {
        "latency": (0.01, LATENCY_ARBITRATION),
        "power": (0.2, LATENCY_ARBITRATION),
    },
    ("edge_detection", "ip_fast"): {
        "latency": (0.03, LATENCY_ARBITRATION),
        "power": (0.01, LATENCY_ARBITRATION),
    },
}
FAST_UNROLL, FAST_CLOCK = 8, 4


def farsi_design(model, case: str) -> dict:
    """The dsegym design point of one of the peer script's cases."""
    design = dict(model.reference_design())
    if case in ("ip", "ip_fast"):
        for name in model.parameter_groups["ips"]:
            task = name[len("ip_") :]
            iterations = int(model.graph.iterations[model.graph.index(task)])
            design[f"pe_{task}"] = "ip"
            design[name] = 1 if case == "ip" else min(FAST_UNROLL, iterations)
        if case == "ip_fast":
            design.update(ip_freq=FAST_CLOCK, mem_freq=FAST_CLOCK, bus_freq=FAST_CLOCK)
    elif case == "wide":
        design.update(mem0_width=128, bus0_width=128)
    elif case == "two_cores":
        for task in sorted(model.graph.real_tasks)[1::2]:
            design[f"core_{task}"] = 1
    return design


@needs_farsi
@pytest.mark.parametrize(
    ("workload", "case", "latency_s", "power_w", "energy_j", "core_mm2", "ip_mm2"), FARSI
)
def test_agrees_with_farsi(workload, case, latency_s, power_w, energy_j, core_mm2, ip_mm2):
    problem = make_problem("soc-farsi", {"workload": workload})
    metrics = problem.evaluate(farsi_design(problem.cost_model, case)).evaluation.metrics
    known = DIFFERENCES.get((workload, case), {})
    expected_area = ip_mm2 if "core_area" in known else core_mm2 + ip_mm2
    for metric, found, expected in (
        ("latency", metrics["latency_ms"] / 1e3, latency_s),
        ("power", metrics["power_mw"] / 1e3, power_w),
        ("energy", metrics["energy_mj"] / 1e3, energy_j),
        ("area", metrics["area_mm2"], expected_area),
    ):
        rel = known.get(metric, (EXACT, "exact"))[0]
        assert found == pytest.approx(expected, rel=rel, abs=1e-30), (metric, known.get(metric))
