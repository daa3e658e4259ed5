"""The accelerator-tile cost models: a SCALE-Sim-style systolic array and an
ArchGym/Timeloop-style Eyeriss-like tile, both costed by :func:`.costing.cost_layers`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

import numpy as np

from dsegym.costmodels.accelerator.costing import ENERGY_PARTS, LayerCosts, cost_layers
from dsegym.costmodels.accelerator.energy import load_table
from dsegym.costmodels.accelerator.hardware import TEMPORAL_SPLITS, Tile
from dsegym.costmodels.accelerator.layers import (
    Layer,
    LayerArrays,
    load_topology,
    workload_arrays,
)
from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.space import Categorical, DesignSpace, Ordinal
from dsegym.errors import WorkloadError

METRICS: tuple[Metric, ...] = (
    Metric("latency_cycles", "cycles", "compute plus stall cycles, summed over layers"),
    Metric("energy_pj", "pJ", "MAC + register file + array network + buffer + DRAM energy"),
    Metric("area_mm2", "mm^2", "PE array (MACs, register files) plus buffer SRAM"),
    Metric("edp_pj_cycles", "pJ*cycles", "energy-delay product"),
    Metric("utilisation", "fraction", "MACs / (PEs x latency cycles)"),
    Metric("compute_cycles", "cycles", "cycles without stalls (SCALE-Sim's, for its fold order)"),
    Metric("stall_cycles", "cycles", "cycles lost waiting for DRAM or the buffer"),
    Metric("energy_mac_pj", "pJ", "MAC energy"),
    Metric("energy_rf_pj", "pJ", "PE register-file energy"),
    Metric("energy_noc_pj", "pJ", "array-network (PE-to-PE) energy"),
    Metric("energy_glb_pj", "pJ", "global-buffer energy"),
    Metric("energy_dram_pj", "pJ", "off-chip memory energy"),
    Metric("dram_words", "words", "words moved to and from DRAM"),
)

Workload: TypeAlias = LayerArrays | str | Path | Sequence[Layer] | None


def as_layer_arrays(workload: Workload, default: str) -> LayerArrays:
    """Accepts a shipped workload name, a topology CSV path, layers or ready arrays."""
    if workload is None:
        return workload_arrays(default)
    if isinstance(workload, LayerArrays):
        return workload
    if isinstance(workload, Path) or (isinstance(workload, str) and workload.endswith(".csv")):
        return LayerArrays.from_layers(load_topology(workload))
    if isinstance(workload, str):
        return workload_arrays(workload)
    if isinstance(workload, Sequence) and all(isinstance(x, Layer) for x in workload):
        return LayerArrays.from_layers([x for x in workload if isinstance(x, Layer)])
    raise WorkloadError(f"cannot use {type(workload).__name__} as an accelerator workload")


class AcceleratorModel(CostModel):
    """Shared machinery: designs -> tiles -> vectorised costs -> evaluations.

    Args:
        energy_table: A preset name (``horowitz-45nm``, ``eyeriss-65nm``,
            ``zigzag-tpu-like``) or the path of a user YAML table.
        mapping: ``mapper`` (the built-in mapper picks tiling and loop order) or
            ``explicit`` (``loop_order`` and ``temporal_splits`` join the design space).
    """

    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = METRICS
    default_workload: ClassVar[str] = "resnet18"

    def __init__(self, energy_table: str = "horowitz-45nm", mapping: str = "mapper"):
        self.table = load_table(energy_table)
        if mapping not in ("mapper", "explicit"):
            from dsegym.errors import UnknownNameError

            raise UnknownNameError("mapping mode", mapping, ["mapper", "explicit"])
        self.mapping = mapping
        params = list(self._hardware_parameters())
        if mapping == "explicit":
            params.append(
                Categorical(
                    "loop_order",
                    ("col_outer", "row_outer", "pe_inner"),
                    description="loop nest of the mapping: which tile loop is outermost",
                )
            )
            params.append(
                Ordinal(
                    "temporal_splits",
                    TEMPORAL_SPLITS,
                    description="times the reduction is split in time to fit the buffers",
                )
            )
        self._space = DesignSpace(params)

    @abstractmethod
    def _hardware_parameters(self) -> list[Any]:
        """The tile's own parameters (the mapping knobs are added by the base)."""

    @abstractmethod
    def tile(self, design: Mapping[str, Any]) -> Tile | str:
        """The tile a design describes, or why it describes none."""

    @property
    def space(self) -> DesignSpace:
        return self._space

    def layer_costs(
        self, designs: Sequence[Mapping[str, Any]], workload: Workload = None
    ) -> tuple[list[Tile | str], LayerCosts | None]:
        """Per-layer costs of the designs that describe a tile (``None`` if none do)."""
        layers = as_layer_arrays(workload, self.default_workload)
        tiles = [self.tile(d) for d in designs]
        valid = [t for t in tiles if isinstance(t, Tile)]
        return tiles, (cost_layers(valid, layers, self.table) if valid else None)

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        tiles, costs = self.layer_costs(designs, workload)
        out: list[Evaluation] = []
        row = 0
        for tile in tiles:
            if not isinstance(tile, Tile):
                out.append(Evaluation.infeasible(tile))
                continue
            assert costs is not None
            metrics = summarise(costs, row)
            problems = costs.problems[row]
            row += 1
            out.append(
                Evaluation.infeasible(problems, metrics) if problems else Evaluation(metrics)
            )
        return out

    def metric_arrays(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Every metric of every design as arrays, and which designs are feasible.

        The vectorised path of front enumeration (``dsegym front compute``): no
        :class:`Evaluation` per design. Designs that describe no tile get NaN metrics.
        """
        tiles, costs = self.layer_costs(designs, workload)
        ok = np.array([isinstance(t, Tile) for t in tiles], dtype=bool)
        out = {m.name: np.full(len(tiles), np.nan) for m in self.metrics}
        if costs is not None:
            valid = metric_arrays(costs)
            for name, values in valid.items():
                out[name][ok] = values
            fine = np.array([not p for p in costs.problems], dtype=bool)
            ok[ok] = fine
        return out, ok


def metric_arrays(costs: LayerCosts) -> dict[str, np.ndarray]:
    """Workload totals of every design at once (what :func:`summarise` gives per row).

    For enumeration, where building one dict per design would dominate; totals may
    differ from :func:`summarise`'s in the last bit (summation order), so callers that
    need record-identical values re-evaluate the designs they keep.
    """
    v = costs.values
    latency = v["latency_cycles"].sum(axis=1)
    energy = v["energy_pj"].sum(axis=1)
    dram = [v[k].sum(axis=1) for k in v if k.startswith("dram_") and k != "dram_words"]
    out = {
        "latency_cycles": latency,
        "energy_pj": energy,
        "area_mm2": np.asarray(costs.area_mm2, dtype=float),
        "edp_pj_cycles": energy * latency,
        "compute_cycles": v["compute_cycles"].sum(axis=1),
        "stall_cycles": v["stall_cycles"].sum(axis=1),
        "dram_words": np.sum(dram, axis=0) if dram else np.zeros(len(latency)),
    }
    for part in ENERGY_PARTS:
        out[part] = v[part].sum(axis=1)
    macs = v["macs"].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["utilisation"] = np.where(latency > 0, macs / (costs.pes * latency), 0.0)
    return out


def summarise(costs: LayerCosts, row: int) -> dict[str, float]:
    """Workload totals of one design from its per-layer costs."""
    v = costs.values
    latency = float(v["latency_cycles"][row].sum())
    energy = float(v["energy_pj"][row].sum())
    metrics = {
        "latency_cycles": latency,
        "energy_pj": energy,
        "area_mm2": float(costs.area_mm2[row]),
        "edp_pj_cycles": energy * latency,
        "compute_cycles": float(v["compute_cycles"][row].sum()),
        "stall_cycles": float(v["stall_cycles"][row].sum()),
        "dram_words": float(
            sum(v[k][row].sum() for k in v if k.startswith("dram_") and k != "dram_words")
        ),
    }
    for part in ENERGY_PARTS:
        metrics[part] = float(v[part][row].sum())
    macs = float(v["macs"][row].sum())
    metrics["utilisation"] = macs / (float(costs.pes[row]) * latency) if latency else 0.0
    return metrics


POW2_ARRAY = (4, 8, 16, 32, 64, 128, 256)
POW2_KIB = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)
POW2_BANDWIDTH = (1, 2, 4, 8, 16, 32, 64)


class SystolicArrayModel(AcceleratorModel):
    """A SCALE-Sim-style systolic array with separate input, weight and output SRAMs.

    Design parameters: ``rows``, ``cols``, ``dataflow`` (ws/os/is), ``ifmap_kib``,
    ``weight_kib``, ``ofmap_kib`` and ``dram_words_per_cycle``. 8-bit operands, 32-bit
    accumulators, 16-byte PE registers, HBM2; each SRAM's ports are as wide as the
    array edge they feed, as SCALE-Sim assumes.
    """

    name: ClassVar[str] = "accelerator-systolic"

    def _hardware_parameters(self) -> list[Any]:
        return [
            Ordinal("rows", POW2_ARRAY, description="rows of the systolic array"),
            Ordinal("cols", POW2_ARRAY, description="columns of the systolic array"),
            Categorical(
                "dataflow",
                ("ws", "os", "is"),
                description="stationary operand: weights, outputs or inputs (SCALE-Sim's)",
            ),
            Ordinal("ifmap_kib", POW2_KIB, description="input feature-map SRAM, KiB"),
            Ordinal("weight_kib", POW2_KIB, description="weight SRAM, KiB"),
            Ordinal("ofmap_kib", POW2_KIB, description="output feature-map SRAM, KiB"),
            Ordinal(
                "dram_words_per_cycle", POW2_BANDWIDTH, description="DRAM bandwidth, words/cycle"
            ),
        ]

    def tile(self, design: Mapping[str, Any]) -> Tile | str:
        rows, cols = int(design["rows"]), int(design["cols"])
        return Tile(
            rows=rows,
            cols=cols,
            dataflow=str(design["dataflow"]),
            ifmap_kib=int(design["ifmap_kib"]),
            weight_kib=int(design["weight_kib"]),
            ofmap_kib=int(design["ofmap_kib"]),
            glb_banks=1,
            glb_words_per_cycle=3 * (rows + cols),
            dram_words_per_cycle=float(design["dram_words_per_cycle"]),
            loop_order=str(design.get("loop_order", "auto")),
            temporal_splits=int(design.get("temporal_splits", 0)),
            vector_lanes=int(design.get("vector_lanes", 0)),
        )


EYERISS: dict[str, Any] = {
    "num_pes": 168,
    "mesh_x": 14,
    "ifmap_spad_words": 12,
    "weight_spad_words": 224,
    "psum_spad_words": 24,
    "spad_class": "regfile",
    "glb_depth": 4096,
    "glb_block_words": 4,
    "glb_banks": 4,
    "dram_words_per_cycle": 4,
}
"""Eyeriss (ISSCC 2016) as a design of :class:`EyerissLikeModel`: 168 PEs as 12 x 14,
12/224/24-word scratchpads, and its 108 KiB global buffer as the nearest size the space
holds, 128 KiB (4 banks x 4096 x 4 16-bit words); 64 bits (4 words) per cycle from DRAM."""


class EyerissLikeModel(AcceleratorModel):
    """An Eyeriss-like row-stationary tile in the shape of ArchGym's Timeloop space.

    Design parameters: ``num_pes`` and ``mesh_x`` (the array is ``num_pes / mesh_x``
    rows by ``mesh_x`` columns), the per-PE scratchpads (``ifmap_spad_words``,
    ``weight_spad_words``, ``psum_spad_words``, ``spad_class``), the shared global
    buffer (``glb_depth`` entries of ``glb_block_words`` words in each of ``glb_banks``
    banks, each bank delivering one block per cycle) and ``dram_words_per_cycle``.
    16-bit operands and partial sums, as in Eyeriss.
    """

    name: ClassVar[str] = "accelerator-eyeriss"

    def _hardware_parameters(self) -> list[Any]:
        spad = (4, 8, 12, 16, 24, 32, 64, 128, 224, 256)
        return [
            Ordinal(
                "num_pes",
                (16, 32, 64, 128, 168, 192, 256, 512, 1024),
                description="processing elements (the array is num_pes / mesh_x by mesh_x)",
            ),
            Ordinal("mesh_x", (2, 4, 8, 12, 14, 16, 32), description="columns of the PE array"),
            Ordinal("ifmap_spad_words", spad, description="per-PE input scratchpad, words"),
            Ordinal("weight_spad_words", spad, description="per-PE weight scratchpad, words"),
            Ordinal("psum_spad_words", spad, description="per-PE partial-sum scratchpad, words"),
            Categorical(
                "spad_class", ("regfile", "sram"), description="what the scratchpads are built of"
            ),
            Ordinal(
                "glb_depth",
                (256, 512, 1024, 2048, 4096, 8192, 16384),
                description="global-buffer entries per bank",
            ),
            Ordinal(
                "glb_block_words", (1, 2, 4, 8, 16, 32), description="words per global-buffer entry"
            ),
            Ordinal("glb_banks", (1, 2, 4, 8, 16, 32), description="global-buffer banks"),
            Ordinal(
                "dram_words_per_cycle", POW2_BANDWIDTH, description="DRAM bandwidth, words/cycle"
            ),
        ]

    def tile(self, design: Mapping[str, Any]) -> Tile | str:
        pes, mesh_x = int(design["num_pes"]), int(design["mesh_x"])
        if pes % mesh_x:
            return f"num_pes={pes} is not a multiple of mesh_x={mesh_x}"
        spads = [int(design[k]) for k in ("ifmap_spad_words", "weight_spad_words")]
        psum = int(design["psum_spad_words"])
        words = int(design["glb_depth"]) * int(design["glb_block_words"]) * int(design["glb_banks"])
        return Tile(
            rows=pes // mesh_x,
            cols=mesh_x,
            dataflow="rs",
            rf_bytes=2 * (sum(spads) + psum),
            rf_class=str(design["spad_class"]),
            rf_weight_words=spads[1],
            rf_psum_words=psum,
            glb_kib=words * 2 / 1024,
            glb_banks=int(design["glb_banks"]),
            bank_width_words=int(design["glb_block_words"]),
            dram_words_per_cycle=float(design["dram_words_per_cycle"]),
            input_bits=16,
            psum_bits=16,
            loop_order=str(design.get("loop_order", "auto")),
            temporal_splits=int(design.get("temporal_splits", 0)),
            vector_lanes=int(design.get("vector_lanes", 0)),
        )


def per_layer(
    model: AcceleratorModel, design: Mapping[str, Any], workload: Workload = None
) -> dict[str, np.ndarray] | str:
    """Per-layer metrics of one design (arrays over layers), or why it has no tile."""
    tiles, costs = model.layer_costs([design], workload)
    if costs is None:
        return str(tiles[0])
    return {k: np.asarray(v[0]) for k, v in costs.values.items()}
