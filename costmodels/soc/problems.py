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
    metric / budget - 1))`` (0 once every budget is met). The budgets default to FARSI's
    published ones (``misc/budget.csv``: latency 21 ms for the audio decoder, 34 ms for
    edge detection and CAVA; power 8.737 mW; area 17.475 mm^2).

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
