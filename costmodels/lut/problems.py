"""Registered problems over the LUT accelerator model."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dsegym.costmodels.lut.model import LUTAccelerator
from dsegym.costmodels.lut.workloads import load_workload, model_names
from dsegym.costmodels.problem import Constraint, Objective, Problem

ModelName = Literal["bitnet-b1.58-0.7b", "bitnet-b1.58-3b", "llama3-8b-1.58"]
PhaseName = Literal["prefill", "decode"]
ActivationName = Literal["INT4", "INT8", "FP8", "FP16", "BF16"]
NodeName = Literal["16nm", "28nm"]
LutObjective = Literal[
    "area_mm2", "energy_per_token_uj", "latency_per_token_ms", "power_w", "compute_area_mm2"
]


def _constraints(area_budget_mm2: float | None, power_budget_w: float | None) -> list[Constraint]:
    out = []
    if area_budget_mm2 is not None:
        out.append(Constraint("area_mm2", upper=area_budget_mm2))
    if power_budget_w is not None:
        out.append(Constraint("power_w", upper=power_budget_w))
    return out


def lut_accelerator(
    workload: ModelName = "bitnet-b1.58-0.7b",
    phase: PhaseName = "decode",
    act_dtype: ActivationName = "FP16",
    node: NodeName = "16nm",
    seq_len: Annotated[int, Field(ge=1, le=32768)] = 128,
    objectives: Annotated[list[LutObjective], Field(min_length=1)] = [  # noqa: B006
        "area_mm2",
        "energy_per_token_uj",
        "latency_per_token_ms",
    ],
    area_budget_mm2: Annotated[float, Field(gt=0)] | None = None,
    power_budget_w: Annotated[float, Field(gt=0)] | None = None,
    component_library: str | None = None,
) -> Problem:
    """LUT accelerator for a ternary LLM: minimise area, energy and latency per token.

    Args:
        workload: Ternary model whose linear layers are run.
        phase: ``decode`` (one token, GEMV) or ``prefill`` (``seq_len`` tokens, GEMM).
        act_dtype: Activation data type (fixed for the problem, not a knob).
        node: Built-in component library.
        seq_len: Prompt length for prefill (ignored for decode).
        objectives: Metrics to minimise.
        area_budget_mm2: Optional upper bound on total area.
        power_budget_w: Optional upper bound on average power.
        component_library: A YAML component library replacing ``node``.
    """
    model = LUTAccelerator(act_dtype=act_dtype, library=component_library or node)
    wl = load_workload(workload, phase, seq_len)
    return Problem(
        name="lut-accelerator",
        cost_model=model,
        objectives=[Objective(o) for o in objectives],
        constraints=_constraints(area_budget_mm2, power_budget_w),
        workload=wl,
        workload_name=wl.name,
        description="ternary LUT accelerator (ISPASS 2026 design space): area, energy, latency",
    )


def lut_accelerator_latency(
    workload: ModelName = "bitnet-b1.58-0.7b",
    phase: PhaseName = "decode",
    act_dtype: ActivationName = "FP16",
    node: NodeName = "16nm",
    seq_len: Annotated[int, Field(ge=1, le=32768)] = 128,
    area_budget_mm2: Annotated[float, Field(gt=0)] = 4.0,
    power_budget_w: Annotated[float, Field(gt=0)] | None = None,
) -> Problem:
    """Single objective: latency per token under an area (and optional power) budget."""
    model = LUTAccelerator(act_dtype=act_dtype, library=node)
    wl = load_workload(workload, phase, seq_len)
    return Problem(
        name="lut-accelerator-latency",
        cost_model=model,
        objectives=[Objective("latency_per_token_ms")],
        constraints=_constraints(area_budget_mm2, power_budget_w),
        workload=wl,
        workload_name=wl.name,
        description="ternary LUT accelerator: latency per token under an area budget",
    )


def workload_names() -> list[str]:
    """The shipped ternary models (each runs in ``prefill`` or ``decode`` phase)."""
    return model_names()
