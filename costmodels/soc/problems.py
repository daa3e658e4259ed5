"""The ``soc-farsi`` problem: a FARSI workload on an SoC, within FARSI's published budgets."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.costmodels.soc.model import BUDGET_METRICS, SocFarsi
from dsegym.costmodels.soc.workload import WORKLOADS, load_budget

Workload = Literal[
    "audio_decoder",
    "edge_detection",
    "hpvm_cava",
    "edge_detection_1",
    "edge_detection_2",
    "edge_detection_3",
    "edge_detection_4",
]
PositiveFloat = Annotated[float, Field(gt=0)]


def soc_farsi(
    workload: Workload = "audio_decoder",
    form: Literal["constraints", "distance"] = "constraints",
    latency_budget_ms: PositiveFloat | None = None,
    power_budget_mw: PositiveFloat | None = None,
    area_budget_mm2: PositiveFloat | None = None,
    memory_costs: Literal["excluded", "library"] = "excluded",
) -> Problem:
    """FARSI's SoC design problem for an AR/VR workload.

    ``form="constraints"`` minimises latency, power and area with the budgets as specs;
    ``form="distance"`` minimises ArchGym's distance to the budgets, ``sum(max(0,
    metric / budget - 1))`` (0 once every budget is met).

    The budgets default to the ones FARSI's own explorer uses for a single workload:
    ``collect_budgets`` (FARSI ``specs/parse_libraries/parse_library.py``) reads the
    workload's row of ``misc_database - Budget.csv`` (``misc/budget.csv`` here), in
    seconds, watts and square metres: latency 21 ms for the audio decoder, 34 ms for
    edge detection (and its variants) and CAVA; power 8.737 mW and area 17.475 mm^2 for
    each (the same values as its ``all`` row, which FARSI uses when it explores several
    workloads on one SoC; its ``heuristic_scaling_study`` multiplies those by the number
    of workloads, x1 for one). FARSI's ``Budget_individually.csv`` splits power and area
    per workload (3.097/3.630/2.010 mW), but no code of FARSI reads it.

    FARSI set them tight: an A53 draws 42.5 mW, so for edge detection and CAVA (whose
    tasks keep a core busy through FARSI's 10 ms power window) the power budget holds
    only with every task on its IP, and CAVA's 34 ms only in a corner (every task on its
    IP, the gamut-map IP fully unrolled, IPs clocked x8: 29.7 ms; one step down on
    either misses it). FARSI's explorer walks there by moves aimed at the bottleneck
    (``sel_moves_based_on_dis`` in its ``DSE_utils/hill_climbing.py``: the metric
    farthest from its budget, the task and block contributing most, then migrate, swap
    to a faster block, split); blind samplers find it less often (README, SoC section).

    Args:
        workload: ``audio_decoder``, ``edge_detection`` or ``hpvm_cava`` (FARSI's
            published three), or the edge-detection variants ``edge_detection_1`` to
            ``_4``.
        form: ``constraints`` (three objectives, budgets as specs) or ``distance``.
        latency_budget_ms: Overrides FARSI's latency budget.
        power_budget_mw: Overrides FARSI's power budget.
        area_budget_mm2: Overrides FARSI's area budget.
        memory_costs: ``excluded`` leaves memories and buses out of power and area
            (FARSI's per-byte values for them are CACTI placeholders); ``library``
            takes them literally.
    """
    budgets = load_budget(workload)
    for key, value in (
        ("latency_ms", latency_budget_ms),
        ("power_mw", power_budget_mw),
        ("area_mm2", area_budget_mm2),
    ):
        if value is not None:
            budgets[key] = value
    model = SocFarsi(workload, memory_costs, budgets)
    spec = ", ".join(f"{m} <= {budgets[m]:g}" for m in BUDGET_METRICS)
    if form == "distance":
        objectives = [Objective("budget_distance")]
        constraints: list[Constraint] = []
    else:
        objectives = [Objective(m) for m in BUDGET_METRICS]
        constraints = [Constraint(m, upper=budgets[m]) for m in BUDGET_METRICS]
    return Problem(
        name="soc-farsi",
        cost_model=model,
        objectives=objectives,
        constraints=constraints,
        workload=workload,
        workload_name=workload,
        description=f"FARSI SoC for {workload} ({spec})",
    )


def workload_names() -> list[str]:
    """FARSI workloads with a full database (needs the ``farsi`` data set)."""
    return list(WORKLOADS)
