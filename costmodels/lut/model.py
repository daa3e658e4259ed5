"""The LUT accelerator cost model: area, energy per token and speed of ternary LLMs.

Dataflow per linear layer (``in`` reduction inputs, ``out`` outputs, ``T`` tokens),
with the outputs split evenly over the cores and every core building its own tables:

* tables are built per (token, reduction pass) and reused across all of the core's
  output columns, so a layer takes ``T * ceil(ceil(in/mu)/L) * (ceil(ceil(out/C)/K) + 1)``
  cycles (the ``+ 1`` is the table refill);
* partial sums of the core's columns and the token's input vector live in the
  activation buffer; weights stream from off-chip as packed keys (``key_bits / mu``
  bits per weight). In prefill they are fetched once if the core's share of the layer
  fits in its weight buffer; otherwise once per block of tokens whose inputs and
  partial sums fit in the activation buffer, provided one reduction pass's weight
  slice fits in half the weight buffer; otherwise once per token;
* a layer takes ``max(compute, memory)`` time (double-buffered streaming).

Energy counts table builds, lookups, reduction and accumulation adders, SRAM reads and
writes and off-chip traffic; leakage is not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.lut.baseline import baseline
from dsegym.costmodels.lut.combinatorics import BUILD_TREES, SUPPORTED_MU
from dsegym.costmodels.lut.components import ComponentLibrary, load_library
from dsegym.costmodels.lut.datatypes import (
    ACCUMULATOR_BITS,
    ACTIVATION_TYPE_NAMES,
    ACTIVATION_TYPES,
    FLOAT_ACC_EXPONENT_BITS,
    activation_type,
)
from dsegym.costmodels.lut.hardware import DesignArrays, datapath
from dsegym.costmodels.lut.workloads import LutWorkload, load_workload
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal

METRICS: tuple[Metric, ...] = (
    Metric("area_mm2", "mm^2", "total area: compute plus buffers"),
    Metric("compute_area_mm2", "mm^2", "tables, fetchers, adder trees and accumulators"),
    Metric("area_lut_build_mm2", "mm^2", "table-build adder trees"),
    Metric("area_table_registers_mm2", "mm^2", "table entry registers"),
    Metric("area_fetch_mm2", "mm^2", "read-out multiplexers, sign flips, key registers"),
    Metric("area_reduce_accumulate_mm2", "mm^2", "per-column adder trees and accumulators"),
    Metric("area_buffers_mm2", "mm^2", "weight and activation SRAM buffers"),
    Metric("energy_per_token_uj", "uJ", "dynamic energy per token (compute, SRAM, off-chip)"),
    Metric("offchip_energy_per_token_uj", "uJ", "off-chip traffic energy per token"),
    Metric("power_w", "W", "average power at the achieved token rate"),
    Metric("tokens_per_s", "tokens/s", "tokens per second"),
    Metric("latency_per_token_ms", "ms", "time per token (prefill: run time / tokens)"),
    Metric("tops", "TOPS", "achieved tera-operations per second (2 ops per MAC)"),
    Metric("tops_per_mm2", "TOPS/mm^2", "achieved compute density"),
    Metric("tops_per_w", "TOPS/W", "energy efficiency"),
    Metric("memory_bound", "flag", "1 if off-chip traffic time exceeds compute time"),
    Metric("utilisation", "fraction", "MACs done / (MACs per cycle x cycles)"),
    Metric(
        "mac_baseline_area_mm2", "mm^2", "compute area of a ternary MAC array of equal throughput"
    ),
    Metric("area_saving_vs_mac", "ratio", "ternary-MAC baseline compute area / LUT compute area"),
)


def design_space(act_dtype: str | None = None) -> DesignSpace:
    """The LUT design space; ``act_dtype`` given fixes the activation type (no knob)."""
    params: list[Any] = [
        Integer(
            "mu",
            SUPPORTED_MU[0],
            SUPPORTED_MU[-1],
            description="ternary weights per table key (the table covers 3^mu patterns)",
        ),
        Ordinal.powers_of_two("tables", 1, 256, description="lookup tables per core (L)"),
        Ordinal.powers_of_two(
            "fetchers", 1, 256, description="output columns read from each table per cycle (K)"
        ),
        Ordinal("acc_bits", ACCUMULATOR_BITS, description="accumulator width, bits"),
        Categorical("build_tree", BUILD_TREES, description="adder structure that fills a table"),
        Ordinal.powers_of_two(
            "weight_buffer_kib", 16, 4096, description="on-chip weight buffer per core, KiB"
        ),
        Ordinal.powers_of_two(
            "act_buffer_kib", 8, 1024, description="activation and partial-sum buffer per core, KiB"
        ),
        Ordinal(
            "bandwidth_gbps", (16, 32, 64, 128, 256, 512), description="off-chip bandwidth, GB/s"
        ),
        Ordinal("clock_mhz", (250, 500, 750, 1000, 1250), description="clock frequency, MHz"),
        Ordinal.powers_of_two("cores", 1, 16, description="cores, each with its own tables"),
    ]
    if act_dtype is None:
        params.insert(
            3,
            Categorical("act_dtype", ACTIVATION_TYPE_NAMES, description="activation number format"),
        )
    return DesignSpace(params)


def _column(
    designs: Sequence[Mapping[str, Any]], param: Any, reasons: list[list[str]]
) -> np.ndarray:
    """One knob as a float array; values outside the space are reported and replaced."""
    raw = [d.get(param.name) for d in designs]
    try:
        values = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError):
        values = np.array(
            [v if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan for v in raw],
            dtype=np.float64,
        )
    allowed = np.array(list(param.values), dtype=np.float64)
    for i in np.flatnonzero(~np.isin(values, allowed)):
        reasons[i].append(f"{param.name}={raw[i]!r} is not {param.describe()}")
        values[i] = allowed[0]
    return values


def to_arrays(
    designs: Sequence[Mapping[str, Any]], act_dtype: str | None
) -> tuple[DesignArrays, list[list[str]]]:
    """Converts designs (dicts) into parallel arrays.

    Returns:
        The arrays and, per design, the knobs whose values lie outside the design space
        (those designs are evaluated with the knob's first value, then marked infeasible).
    """
    space = design_space(act_dtype)
    reasons: list[list[str]] = [[] for _ in designs]

    def col(key: str) -> np.ndarray:
        return _column(designs, space[key], reasons)

    if act_dtype is None:
        types = []
        for i, d in enumerate(designs):
            kind = ACTIVATION_TYPES.get(str(d.get("act_dtype")).upper())
            if kind is None:
                reasons[i].append(
                    f"act_dtype={d.get('act_dtype')!r} is not {space['act_dtype'].describe()}"
                )
                kind = ACTIVATION_TYPES["FP16"]
            types.append(kind)
    else:
        types = [activation_type(act_dtype)] * len(designs)
    trees = [d.get("build_tree") for d in designs]
    for i, tree in enumerate(trees):
        if tree not in BUILD_TREES:
            reasons[i].append(f"build_tree={tree!r} is not {space['build_tree'].describe()}")
    arrays = DesignArrays(
        mu=col("mu"),
        tables=col("tables"),
        fetchers=col("fetchers"),
        act_float=np.array([t.is_float for t in types], dtype=bool),
        act_bits=np.array([t.bits for t in types], dtype=np.float64),
        act_significand=np.array([t.significand_bits for t in types], dtype=np.float64),
        acc_bits=col("acc_bits"),
        optimised_tree=np.array([t == "optimised" for t in trees], dtype=bool),
        weight_buffer_bytes=col("weight_buffer_kib") * 1024.0,
        act_buffer_bytes=col("act_buffer_kib") * 1024.0,
        bandwidth_gbps=col("bandwidth_gbps"),
        clock_ghz=col("clock_mhz") / 1000.0,
        cores=col("cores"),
    )
    return arrays, reasons


def evaluate_arrays(
    lib: ComponentLibrary, d: DesignArrays, w: LutWorkload
) -> tuple[dict[str, np.ndarray], list[list[str]]]:
    """Evaluates a batch; returns metric arrays and each design's violations."""
    dp = datapath(lib, d)
    n = d.mu.shape[0]
    col = (slice(None), None)  # designs along rows, layers along columns
    mu, L, K, C = d.mu[col], d.tables[col], d.fetchers[col], d.cores[col]
    k_in, n_out, count, T = w.in_features, w.out_features, w.counts, float(w.tokens)

    groups = np.ceil(k_in / mu)
    red_passes = np.ceil(groups / L)
    cols_core = np.ceil(n_out / C)
    col_passes = np.ceil(cols_core / K)
    compute_cycles = T * red_passes * (col_passes + 1.0)

    act_bytes = d.act_bits[col] / 8.0
    weight_bytes = groups * n_out * dp.key_bits[col] / 8.0
    wbuf = d.weight_buffer_bytes[col]
    # Tokens whose inputs and partial sums fit in the activation buffer share one pass
    # of the weights, if a reduction pass's weight slice fits in half the weight buffer.
    token_block = np.clip(
        np.floor(d.act_buffer_bytes[col] / (k_in * act_bytes + cols_core * d.acc_bits[col] / 8.0)),
        1.0,
        T,
    )
    slice_fits = L * cols_core * dp.key_bits[col] / 8.0 <= wbuf / 2.0
    weight_passes = np.where(
        weight_bytes / C <= wbuf, 1.0, np.where(slice_fits, np.ceil(T / token_block), T)
    )
    offchip_bytes = weight_bytes * weight_passes + T * (k_in + n_out) * act_bytes
    bytes_per_cycle = d.bandwidth_gbps[col] / d.clock_ghz[col]
    memory_cycles = offchip_bytes / bytes_per_cycle
    cycles = (np.maximum(compute_cycles, memory_cycles) * count).sum(axis=1)
    compute_total = (compute_cycles * count).sum(axis=1)
    memory_total = (memory_cycles * count).sum(axis=1)

    lookups = T * groups * n_out
    accumulates = T * red_passes * n_out
    sram_act_bits = d.act_bits[col] * T * k_in * C
    sram_psum_bits = 2.0 * d.acc_bits[col] * accumulates
    sram_weight_bits = (
        weight_bytes * 8.0 * (weight_passes + T)
    )  # written once per pass, read per token
    e_sram_act = lib.sram_energy_per_bit(d.act_buffer_bytes)[col]
    e_sram_w = lib.sram_energy_per_bit(d.weight_buffer_bytes)[col]
    energy_layer = (
        T * groups * C * dp.energy_build[col]
        + lookups * dp.energy_lookup[col]
        + (lookups - accumulates) * dp.energy_reduce_add[col]
        + accumulates * dp.energy_accumulate[col]
        + (sram_act_bits + sram_psum_bits) * e_sram_act
        + sram_weight_bits * e_sram_w
    )
    offchip_pj = (offchip_bytes * count).sum(axis=1) * 8.0 * lib.offchip_pj_per_bit
    energy_token_pj = ((energy_layer * count).sum(axis=1) + offchip_pj) / T

    seconds = cycles / (d.clock_ghz * 1e9)
    tokens_per_s = T / seconds
    ops = 2.0 * w.macs_per_token
    tops = ops * tokens_per_s / 1e12
    power_w = energy_token_pj * 1e-12 * tokens_per_s
    area = dp.total_area
    base = baseline(lib, d, "ternary-mac")
    metrics = {
        "area_mm2": area,
        "compute_area_mm2": dp.compute_area,
        "area_lut_build_mm2": dp.area_build,
        "area_table_registers_mm2": dp.area_table_regs,
        "area_fetch_mm2": dp.area_fetch,
        "area_reduce_accumulate_mm2": dp.area_reduce_acc,
        "area_buffers_mm2": dp.area_buffers,
        "energy_per_token_uj": energy_token_pj * 1e-6,
        "offchip_energy_per_token_uj": offchip_pj / T * 1e-6,
        "power_w": power_w,
        "tokens_per_s": tokens_per_s,
        "latency_per_token_ms": seconds / T * 1e3,
        "tops": tops,
        "tops_per_mm2": tops / area,
        "tops_per_w": ops / (energy_token_pj * 1e-12) / 1e12,
        "memory_bound": (memory_total > compute_total).astype(np.float64),
        "utilisation": w.macs_per_token * T / (cycles * d.macs_per_cycle),
        "mac_baseline_area_mm2": base.compute_area,
        "area_saving_vs_mac": base.compute_area / dp.compute_area,
    }
    return metrics, _violations(d, dp, w, cols_core, n)


def _violations(
    d: DesignArrays, dp: Any, w: LutWorkload, cols_core: np.ndarray, n: int
) -> list[list[str]]:
    """Lists why each design cannot run the workload (empty lists when it can)."""
    max_k = w.max_reduction
    needed_acc = np.where(
        d.act_float,
        d.act_significand + FLOAT_ACC_EXPONENT_BITS,
        d.act_bits + np.ceil(np.log2(max_k)),
    )
    act_need = (
        w.in_features * d.act_bits[:, None] / 8.0 + cols_core * d.acc_bits[:, None] / 8.0
    ).max(axis=1)
    tile_bytes = 2.0 * d.tables * d.fetchers * dp.key_bits / 8.0
    bad_acc = d.acc_bits < needed_acc
    bad_act = d.act_buffer_bytes < act_need
    bad_w = d.weight_buffer_bytes < tile_bytes
    out: list[list[str]] = [[] for _ in range(n)]
    for i in np.flatnonzero(bad_acc | bad_act | bad_w):
        if bad_acc[i]:
            out[i].append(
                f"accumulator too narrow: {d.acc_bits[i]:.0f} bits < {needed_acc[i]:.0f} needed "
                f"for reductions of up to {max_k} inputs"
            )
        if bad_act[i]:
            out[i].append(
                f"activation buffer too small: {d.act_buffer_bytes[i] / 1024:.0f} KiB < "
                f"{act_need[i] / 1024:.1f} KiB for one token's inputs and partial sums"
            )
        if bad_w[i]:
            out[i].append(
                f"weight buffer too small: {d.weight_buffer_bytes[i] / 1024:.0f} KiB < "
                f"{tile_bytes[i] / 1024:.1f} KiB for a double-buffered key tile"
            )
    return out


class LUTAccelerator(CostModel):
    """Ternary LUT accelerator for 1.58-bit LLM inference (closed form, vectorised).

    Args:
        act_dtype: Fix the activation type (removes the ``act_dtype`` knob), or None.
        library: Component library: ``"16nm"``, ``"28nm"`` or a YAML file.
    """

    name: ClassVar[str] = "lut-accelerator"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = METRICS

    def __init__(self, act_dtype: str | None = None, library: str = "16nm"):
        self.act_dtype = None if act_dtype is None else activation_type(act_dtype).name
        self.library = load_library(library)
        self._space = design_space(self.act_dtype)

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        groups = {
            "lut": ["mu", "tables", "fetchers", "build_tree"],
            "datapath": ["acc_bits", "clock_mhz", "cores"],
            "memory": ["weight_buffer_kib", "act_buffer_kib", "bandwidth_gbps"],
        }
        if self.act_dtype is None:
            groups["datapath"].insert(0, "act_dtype")
        return groups

    @staticmethod
    def _workload(workload: Any) -> LutWorkload:
        if isinstance(workload, LutWorkload):
            return workload
        return load_workload("bitnet-b1.58-0.7b" if workload is None else str(workload))

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        if not designs:
            return []
        arrays, outside = to_arrays(designs, self.act_dtype)
        metrics, violations = evaluate_arrays(self.library, arrays, self._workload(workload))
        violations = [o + v if o else v for o, v in zip(outside, violations, strict=True)]
        names = list(metrics)
        rows = np.column_stack([metrics[k] for k in names]).tolist()
        return [
            Evaluation(dict(zip(names, row, strict=True)), not bad, tuple(bad))
            if not bad
            else Evaluation.infeasible(bad, dict(zip(names, row, strict=True)))
            for row, bad in zip(rows, violations, strict=True)
        ]
