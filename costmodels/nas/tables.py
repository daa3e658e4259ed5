"""NAS-Bench-201 figures per cell, read once per process through the data module.

Every table is an array indexed by the NAS-Bench-201 index; :func:`index_lookup` maps a
cell (its op tuple) to that index.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from dsegym.costmodels.nas.cells import N_CELLS, Cell, parse_cell
from dsegym.costmodels.nas.network import check_dataset
from dsegym.errors import ConfigError, UnknownNameError

if TYPE_CHECKING:
    import pandas as pd

DATASET = "nasbench201"
FIDELITIES = ("12epoch", "200epoch")
# dataset name -> column prefix in the tables
COLUMN_PREFIX = {"cifar10": "cifar10", "cifar100": "cifar100", "imagenet16-120": "imagenet16"}


@functools.cache
def frame(path: str) -> pd.DataFrame:
    """A checked table of the data set (read once per process)."""
    from dsegym.costmodels.data import read_table

    return read_table(DATASET, path)


@functools.cache
def index_lookup() -> dict[Cell, int]:
    """Cell -> NAS-Bench-201 index, from the ``arch`` column of the 12-epoch table."""
    table = frame("accuracy_12epoch.csv")
    return {parse_cell(a): int(i) for i, a in zip(table["index"], table["arch"], strict=True)}


@functools.cache
def accuracy(dataset: str, fidelity: str = "12epoch", split: str = "valid") -> np.ndarray:
    """Top-1 accuracy (%) of every cell; NaN where the table has no figure.

    Args:
        dataset: ``cifar10``, ``cifar100`` or ``imagenet16-120``.
        fidelity: ``12epoch`` (all cells) or ``200epoch`` (the 725-cell subset).
        split: ``valid`` or ``test`` (``test`` exists at 12 epochs only).

    Raises:
        UnknownNameError: on an unknown dataset, fidelity or split.
        DataMissingError: if the data set is not installed.
    """
    check_dataset(dataset)
    if fidelity not in FIDELITIES:
        raise UnknownNameError("accuracy fidelity", fidelity, FIDELITIES)
    splits = ("valid", "test") if fidelity == "12epoch" else ("valid",)
    if split not in splits:
        raise UnknownNameError(f"accuracy split at fidelity {fidelity!r}", split, splits)
    prefix = COLUMN_PREFIX[dataset]
    if fidelity == "12epoch":
        column, path = f"{prefix}_{split}", "accuracy_12epoch.csv"
    else:
        column, path = f"{prefix}_valid_200ep", "accuracy_200epoch_subset.csv"
    table = frame(path)
    out = np.full(N_CELLS, np.nan)
    out[table["index"].to_numpy()] = table[column].to_numpy(dtype=float)
    out.setflags(write=False)
    return out


@functools.cache
def device_names() -> tuple[str, ...]:
    """The devices of ``latency_ms.csv`` (as catalogued)."""
    from dsegym.costmodels.data import get_dataset

    columns = get_dataset(DATASET).file("latency_ms.csv").columns
    return tuple(c for c in columns if c != "index")


def check_device(device: str) -> str:
    """Raises UnknownNameError naming the measured devices if ``device`` is not one."""
    if device not in device_names():
        raise UnknownNameError("NAS-Bench-201 device", device, device_names())
    return device


@functools.cache
def latency_ms(device: str) -> np.ndarray:
    """Measured latency (ms) of every cell's CIFAR-size network on ``device``."""
    check_device(device)
    table = frame("latency_ms.csv")
    out = np.full(N_CELLS, np.nan)
    out[table["index"].to_numpy()] = table[device].to_numpy(dtype=float)
    if np.isnan(out).any():
        raise ConfigError(f"latency_ms.csv: device {device!r} lacks figures for some cells")
    out.setflags(write=False)
    return out


def clear_caches() -> None:
    """Forgets every table read in this process (after the data directory changed)."""
    from dsegym.costmodels.nas.cells import _index_table
    from dsegym.costmodels.nas.fewshot import measured_prior, network_sizes

    cached_tables = (frame, index_lookup, accuracy, latency_ms, _index_table)
    for cached in (*cached_tables, measured_prior, network_sizes):
        cached.cache_clear()
