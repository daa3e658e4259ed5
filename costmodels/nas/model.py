"""Cost models of NAS-Bench-201 cells: on a designable accelerator tile, and on a
measured device.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from dsegym.costmodels.accelerator.hardware import Tile
from dsegym.costmodels.accelerator.model import (
    EYERISS,
    AcceleratorModel,
    EyerissLikeModel,
    SystolicArrayModel,
)
from dsegym.costmodels.accelerator.model import (
    METRICS as ACCELERATOR_METRICS,
)
from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.nas import tables
from dsegym.costmodels.nas.cells import EDGE_KNOBS, Cell, as_cell, cell_of, edge_parameters
from dsegym.costmodels.nas.fewshot import fewshot_latency
from dsegym.costmodels.nas.hwcost import NetworkCoster, hardware_metrics
from dsegym.costmodels.nas.network import check_dataset, network_counts
from dsegym.costmodels.nas.samples import LatencySamples, read_samples
from dsegym.costmodels.space import DesignSpace, Ordinal
from dsegym.errors import ConfigError, UnknownNameError

ACCELERATORS: dict[str, tuple[type[AcceleratorModel], str]] = {
    "eyeriss": (EyerissLikeModel, "eyeriss-65nm"),
    "systolic": (SystolicArrayModel, "horowitz-45nm"),
}
"""Tile model families: the class and its default energy table."""

HARDWARE_PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    # Eyeriss' 12 x 14 array, with a 14-lane vector unit.
    "eyeriss": ("eyeriss", {**EYERISS, "vector_lanes": 14}),
    # A 32 x 32 weight-stationary systolic array with 256 KiB per operand buffer and a
    # 32-lane vector unit.
    "systolic": (
        "systolic",
        {
            "rows": 32,
            "cols": 32,
            "dataflow": "ws",
            "ifmap_kib": 256,
            "weight_kib": 256,
            "ofmap_kib": 256,
            "dram_words_per_cycle": 16,
            "vector_lanes": 32,
        },
    ),
}
"""Fixed accelerators (``hardware=...``): the tile family and its design. Each preset's
vector unit has one lane per PE-array column, the rule of TPU v1, whose activation and
pooling unit takes the 256 outputs of its 256-column array per cycle (Jouppi et al.,
ISCA 2017). NVDLA's configurations are narrower: nv_full gives its PDP 8 elements per
cycle and its SDP 16 (4 for an element-wise operand read from memory) beside 2,048
8-bit MACs, nv_small 1 each beside 64 (``PDP_THROUGHPUT``, ``SDP_*_THROUGHPUT`` of
NVDLA's hardware spec). ``vector_lanes`` is a knob of searched tiles."""

VECTOR_LANES = (0, 1, 2, 4, 8, 16, 32, 64)
"""Vector-unit widths a searched tile may take (0: no unit, pools and sums on the array)."""

EDGES = ("live", "all")
"""Which edges of a cell run: ``live`` (those that carry information) or ``all`` (every
non-``none`` edge, the NAS-Bench-201 convention); see :mod:`.network`."""

CUSTOM_DEVICE = "custom"
"""The ``nasbench201-device`` device whose latency is predicted from the user's samples."""

NETWORK_METRICS: tuple[Metric, ...] = (
    Metric("error", "%", "100 - top-1 accuracy at the problem's fidelity (validation split)"),
    Metric("accuracy", "%", "top-1 validation accuracy at the problem's fidelity"),
    Metric("mflops", "MFLOPs", "network FLOPs by the benchmark's counting convention"),
    Metric("mparams", "M", "network parameters (millions)"),
)

VECTOR_METRICS: tuple[Metric, ...] = (
    Metric("energy_vector_pj", "pJ", "vector-unit arithmetic energy (pools and sums)"),
)


class CellFigures:
    """Per-cell figures of one dataset and fidelity: accuracy, FLOPs, parameters."""

    def __init__(self, dataset: str, fidelity: str):
        check_dataset(dataset)
        self.dataset, self.fidelity = dataset, fidelity
        self.accuracy = tables.accuracy(dataset, fidelity)
        self.index = tables.index_lookup()
        self._size: dict[Cell, tuple[float, float]] = {}

    def metrics(self, cell: Cell) -> tuple[dict[str, float], str | None]:
        """The cell's network metrics, and why it is infeasible (``None`` if it is not)."""
        size = self._size.get(cell)
        if size is None:
            flops, params = network_counts(cell, self.dataset)
            size = (flops / 1e6, params / 1e6)
            self._size[cell] = size
        metrics = {"mflops": size[0], "mparams": size[1]}
        acc = float(self.accuracy[self.index[cell]])
        if math.isnan(acc):
            return metrics, (
                f"cell {self.index[cell]} has no {self.fidelity} accuracy for {self.dataset} "
                "(the 200-epoch figures cover a 725-cell subset); use fidelity='12epoch'"
            )
        metrics["accuracy"], metrics["error"] = acc, 100.0 - acc
        return metrics, None


def make_tile_model(
    accelerator: str, hardware: str | None, energy_table: str | None
) -> tuple[AcceleratorModel, dict[str, Any] | None]:
    """The tile model (and the fixed tile design, for a preset)."""
    fixed = None
    if hardware is not None:
        if hardware not in HARDWARE_PRESETS:
            raise UnknownNameError("hardware preset", hardware, list(HARDWARE_PRESETS))
        accelerator, fixed = HARDWARE_PRESETS[hardware]
    if accelerator not in ACCELERATORS:
        raise UnknownNameError("accelerator family", accelerator, list(ACCELERATORS))
    cls, default_table = ACCELERATORS[accelerator]
    return cls(energy_table or default_table), fixed


class NasBench201Hardware(CostModel):
    """A NAS-Bench-201 cell's network on an accelerator tile: accuracy from the
    benchmark, latency/energy/area from the tile model.

    Design: the six edge ops (``edge_i_j``) plus, unless ``hardware`` fixes the tile, the
    knobs of the tile family (``accelerator``).

    Args:
        dataset: ``cifar10``, ``cifar100`` or ``imagenet16-120``.
        fidelity: ``12epoch`` or ``200epoch`` (a 725-cell subset; other cells are
            infeasible with a reason).
        accelerator: Tile family whose knobs join the space: ``eyeriss`` or ``systolic``.
        hardware: A preset of :data:`HARDWARE_PRESETS` that fixes the tile, or None.
        energy_table: Energy/area table (default: the family's).
        cell: A fixed cell (index or cell string): only the tile is searched.
        edges: ``live`` (cost only the edges that carry information) or ``all`` (every
            non-``none`` edge, the NAS-Bench-201 convention).
    """

    name: ClassVar[str] = "nasbench201-hw"
    # 2: pools and sums on the vector unit; vector_lanes knob; the edges option.
    version: ClassVar[str] = "2"
    metrics: ClassVar[tuple[Metric, ...]] = NETWORK_METRICS + ACCELERATOR_METRICS + VECTOR_METRICS

    def __init__(
        self,
        dataset: str = "cifar10",
        fidelity: str = "12epoch",
        accelerator: str = "eyeriss",
        hardware: str | None = None,
        energy_table: str | None = None,
        cell: int | str | None = None,
        edges: str = "live",
    ):
        if edges not in EDGES:
            raise UnknownNameError("nasbench201-hw edges", edges, EDGES)
        if cell is not None and hardware is not None:
            raise ConfigError("nasbench201-hw: fix the cell or the hardware, not both")
        self.figures = CellFigures(dataset, fidelity)
        self.fixed_cell: Cell | None = None
        if cell is not None:
            try:
                self.fixed_cell = as_cell(cell)
            except ConfigError as exc:
                raise ConfigError(f"nasbench201-hw: cell: {exc}") from None
        self.tile_model, self.fixed_tile = make_tile_model(accelerator, hardware, energy_table)
        self.dataset = dataset
        self.coster = NetworkCoster([dataset], self.tile_model.table, prune=edges == "live")
        params: list[Any] = edge_parameters() if self.fixed_cell is None else []
        if self.fixed_tile is None:
            params += list(self.tile_model.space.parameters)
            params.append(
                Ordinal(
                    "vector_lanes",
                    VECTOR_LANES,
                    description="lanes of the vector unit that runs pools and sums (0: none,"
                    " they run on the PE array)",
                )
            )
        self._space = DesignSpace(params)

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        groups = {"network": list(EDGE_KNOBS)} if self.fixed_cell is None else {}
        if self.fixed_tile is None:
            groups["hardware"] = [*self.tile_model.space.names, "vector_lanes"]
        return groups

    def tile(self, design: Mapping[str, Any]) -> Tile | str:
        """The design's tile (the preset's when fixed), or why it describes none."""
        return self.tile_model.tile(self.fixed_tile if self.fixed_tile is not None else design)

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        tiles = [self.tile(d) for d in designs]
        costs = iter(self.coster.tile_costs([t for t in tiles if isinstance(t, Tile)]))
        out = []
        for design, tile in zip(designs, tiles, strict=True):
            cell = self.fixed_cell or cell_of(design)
            metrics, reason = self.figures.metrics(cell)
            if not isinstance(tile, Tile):
                out.append(Evaluation.infeasible(tile, metrics))
                continue
            tc = next(costs)
            metrics.update(hardware_metrics(self.coster.network_totals(tc, self.dataset, cell), tc))
            problems = list(self.coster.problems(tile, tc, self.dataset, cell))
            if reason:
                problems.insert(0, reason)
            out.append(
                Evaluation.infeasible(problems, metrics) if problems else Evaluation(metrics)
            )
        return out


class NasBench201Device(CostModel):
    """A NAS-Bench-201 cell on a measured device (HW-NAS-Bench style): accuracy and the
    measured latency of the cell's CIFAR-size network from ``latency_ms.csv``; or, for
    ``device="custom"``, the latency predicted from a few cells the user measured
    (:func:`~dsegym.costmodels.nas.fewshot.fewshot_latency`).

    Args:
        device: A device column of ``latency_ms.csv`` (e.g. ``pixel3``, ``raspi4``), or
            ``custom``.
        dataset: ``cifar10`` or ``cifar100`` (the latencies are of the 32x32 network).
        fidelity: ``12epoch`` or ``200epoch``.
        samples: For ``custom`` (and only then): a CSV of measured cells
            (:mod:`~dsegym.costmodels.nas.samples`).
    """

    name: ClassVar[str] = "nasbench201-device"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = NETWORK_METRICS + (
        Metric(
            "latency_ms",
            "ms",
            "inference latency on the device: measured, or predicted for device 'custom'",
        ),
    )

    def __init__(
        self,
        device: str = "pixel3",
        dataset: str = "cifar10",
        fidelity: str = "12epoch",
        samples: str | None = None,
    ):
        self.samples: LatencySamples | None = None
        if device == CUSTOM_DEVICE:
            if samples is None:
                raise ConfigError(
                    "nasbench201-device: samples: device 'custom' needs a CSV of measured "
                    "cells (cell, latency_ms)"
                )
            self.samples = read_samples(samples)
        elif samples is not None:
            raise ConfigError(
                f"nasbench201-device: samples: only for device 'custom' (device {device!r} "
                "is measured)"
            )
        else:
            tables.check_device(device)
        if dataset not in ("cifar10", "cifar100"):
            check_dataset(dataset)
            raise UnknownNameError(
                "dataset for measured latencies (they are of the 32x32 CIFAR network)",
                dataset,
                ["cifar10", "cifar100"],
            )
        self.device = device
        self.figures = CellFigures(dataset, fidelity)
        if self.samples is None:
            self.latency = tables.latency_ms(device)
        else:
            # The problem's workload name records the predictor version and the samples.
            self.latency = fewshot_latency(self.samples.latency_ms)
        self._space = DesignSpace(edge_parameters())

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        cell = cell_of(design)
        metrics, reason = self.figures.metrics(cell)
        metrics["latency_ms"] = float(self.latency[self.figures.index[cell]])
        return Evaluation.infeasible(reason, metrics) if reason else Evaluation(metrics)
