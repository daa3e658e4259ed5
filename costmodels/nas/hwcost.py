"""Accelerator cost of cell networks, computed per unique layer shape and cached per tile.

A cell's network holds at most 24 distinct layer shapes per dataset (the *vocabulary*:
the stem, the reduction blocks, each op and node sum at each stage, pooling and the
classifier), and a network is a count of each. So a tile is costed once on the whole
vocabulary with the vectorised tile model, and every network on that tile is then a
dot product of its counts with the tile's per-shape costs. Tiles are cached (LRU), so a
search that revisits an accelerator, or fixes one, pays the tile model once.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dsegym.costmodels.accelerator.costing import ENERGY_PARTS, cost_layers
from dsegym.costmodels.accelerator.energy import EnergyTable
from dsegym.costmodels.accelerator.hardware import Tile
from dsegym.costmodels.accelerator.layers import Layer, LayerArrays
from dsegym.costmodels.nas.cells import Cell
from dsegym.costmodels.nas.network import (
    accelerator_layers,
    cell_tally,
    layer_vocabulary,
    tally_matrices,
)

# Per-layer values summed over a network (the rest are derived from these).
SUMMED = (
    "latency_cycles",
    "compute_cycles",
    "stall_cycles",
    *ENERGY_PARTS,
    "energy_pj",
    "macs",
    "dram_words",
)


@dataclass(frozen=True)
class TileCosts:
    """One tile's costs on every vocabulary layer.

    Attributes:
        per_layer: ``(len(SUMMED), vocabulary)`` array; row ``i`` is ``SUMMED[i]``.
        area_mm2: The tile's area.
        pes: The tile's PE count.
        has_problems: Whether the tile cannot run some vocabulary layer (a network is
            then checked on its own layers).
    """

    per_layer: np.ndarray
    area_mm2: float
    pes: float
    has_problems: bool


class NetworkCoster:
    """Costs the networks of cells for one or more datasets on tiles.

    Args:
        datasets: Datasets whose networks are costed (their vocabularies are joined).
        table: The energy/area table of the tile model.
        max_tiles: How many tiles' costs to keep (least recently used go first).
        prune: Cost only the edges that carry information (the default, see
            :mod:`.network`); ``False`` costs every non-``none`` edge, as a framework
            that runs every module does.
    """

    def __init__(
        self,
        datasets: Sequence[str],
        table: EnergyTable,
        max_tiles: int = 4096,
        prune: bool = True,
    ):
        self.prune = prune
        self.datasets = tuple(datasets)
        self.table = table
        joined: dict[Layer, None] = {}
        for dataset in self.datasets:
            joined.update(dict.fromkeys(layer_vocabulary(dataset)))
        self.vocabulary = tuple(joined)
        self._arrays = LayerArrays.from_layers(self.vocabulary)
        self._position = {layer: i for i, layer in enumerate(self.vocabulary)}
        self._counts: dict[tuple[str, Cell], np.ndarray] = {}
        self._tallies = {d: self._tally_matrix(d) for d in self.datasets}
        self._tiles: OrderedDict[Tile, TileCosts] = OrderedDict()
        self._problems: dict[tuple[Tile, str, Cell], tuple[str, ...]] = {}
        self.max_tiles = max_tiles

    def _vector(self, layers: Counter[Layer]) -> np.ndarray:
        out = np.zeros(len(self.vocabulary))
        for layer, n in layers.items():
            out[self._position[layer]] += n
        return out

    def _tally_matrix(self, dataset: str) -> tuple[np.ndarray, np.ndarray]:
        base, per_part = tally_matrices(dataset)
        return self._vector(base), np.stack([self._vector(c) for c in per_part])

    def counts(self, dataset: str, cell: Cell) -> np.ndarray:
        """How many times the cell's (pruned) network runs each vocabulary layer."""
        key = (dataset, cell)
        found = self._counts.get(key)
        if found is None:
            base, per_part = self._tallies[dataset]
            found = base + np.asarray(cell_tally(cell, self.prune), dtype=float) @ per_part
            self._counts[key] = found
        return found

    def tile_costs(self, tiles: Sequence[Tile]) -> list[TileCosts]:
        """Costs of each tile on the vocabulary; uncached tiles go through the tile
        model in one vectorised call.
        """
        missing = list(dict.fromkeys(t for t in tiles if t not in self._tiles))
        if missing:
            costs = cost_layers(missing, self._arrays, self.table)
            values: dict[str, Any] = dict(costs.values)
            values["dram_words"] = sum(
                v for k, v in values.items() if k.startswith("dram_") and k != "dram_words"
            )
            stacked = np.stack([np.asarray(values[k], dtype=float) for k in SUMMED], axis=1)
            for d, tile in enumerate(missing):
                self._tiles[tile] = TileCosts(
                    stacked[d],
                    float(costs.area_mm2[d]),
                    float(costs.pes[d]),
                    bool(costs.problems[d]),
                )
            while len(self._tiles) > self.max_tiles:
                self._tiles.popitem(last=False)
        out = []
        for t in tiles:
            self._tiles.move_to_end(t)
            out.append(self._tiles[t])
        return out

    def problems(self, tile: Tile, costs: TileCosts, dataset: str, cell: Cell) -> tuple[str, ...]:
        """Why ``tile`` cannot run the cell's network (empty when it can)."""
        if not costs.has_problems:
            return ()
        key = (tile, dataset, cell)
        if key not in self._problems:
            layers = list(accelerator_layers(cell, dataset))
            found = cost_layers([tile], LayerArrays.from_layers(layers), self.table).problems[0]
            self._problems[key] = tuple(found)
        return self._problems[key]

    def network_totals(self, costs: TileCosts, dataset: str, cell: Cell) -> dict[str, float]:
        """The network's summed values on the tile (``SUMMED`` keys)."""
        totals = costs.per_layer @ self.counts(dataset, cell)
        return dict(zip(SUMMED, totals.tolist(), strict=True))


def hardware_metrics(totals: dict[str, float], costs: TileCosts) -> dict[str, float]:
    """The accelerator metrics of one network on one tile (as the tile model reports)."""
    latency, energy = totals["latency_cycles"], totals["energy_pj"]
    metrics = {k: totals[k] for k in SUMMED if k != "macs"}
    metrics["area_mm2"] = costs.area_mm2
    metrics["edp_pj_cycles"] = energy * latency
    metrics["utilisation"] = totals["macs"] / (costs.pes * latency) if latency else 0.0
    return metrics
