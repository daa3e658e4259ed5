"""Shared pieces of the SoC tests: a tiny block library and task graphs built by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsegym.costmodels.soc.hardware import PE, Bus, Memory, SocDesign
from dsegym.costmodels.soc.library import Block, BlockLibrary
from dsegym.costmodels.soc.workload import TaskGraph


def _has_farsi() -> bool:
    from dsegym.costmodels.data import DataMissingError, locate

    try:
        locate("farsi")
    except DataMissingError:
        return False
    return True


needs_farsi = pytest.mark.skipif(
    not _has_farsi(), reason="FARSI data not installed (set DSEGYM_DATA_DIR)"
)


def library(pipeline_depth: float = 1.0) -> BlockLibrary:
    """Round numbers: a 1 GHz, 2-IPC core at 1e9 instructions/J and 1 mm^2; 100 MHz
    IPs; 4-byte memories and buses at 100 MHz (400 MB/s), 1e6 bytes/J, 1e6 bytes/m^2."""
    byte_block = dict(
        freq_hz=1e8,
        width_bytes=4.0,
        bytes_per_joule=1e6,
        bytes_per_m2=1e6,
        hop_latency_cycles=1.0,
        pipeline_depth=pipeline_depth,
    )
    return BlockLibrary(
        gpp=Block("core", "gpp", 1e9, ipc=2.0, inst_per_joule=1e9, area_mm2=1.0),
        ip=Block("IP", "ip", 1e8),
        memories={("sram", 4): Block("sram4", "sram", **byte_block)},
        buses={4: Block("bus4", "ic", **byte_block)},
    )


def graph(
    tasks: list[str],
    edges: list[tuple[str, str, float]],
    gpp_cycles: dict[str, float],
    ip_cycles: dict[str, float] | None = None,
) -> TaskGraph:
    """A task graph in the given (topological) order; unnamed tasks are dummies."""
    ip_cycles = ip_cycles or {}
    index = {t: i for i, t in enumerate(tasks)}
    nan = math.nan
    return TaskGraph(
        name="hand",
        tasks=tuple(tasks),
        edges=tuple((index[p], index[c], b) for p, c, b in edges),
        iterations=np.full(len(tasks), 64, np.int64),
        gpp_cycles=np.array([gpp_cycles.get(t, 0.0) for t in tasks]),
        ip_cycles=np.array([ip_cycles.get(t, nan) for t in tasks]),
        ip_energy_j=np.array([1e-9 if t in ip_cycles else nan for t in tasks]),
        ip_area_mm2=np.array([0.5 if t in ip_cycles else nan for t in tasks]),
    )


def soc(
    task_pe: dict[str, str],
    gpps: int = 1,
    ips: tuple[tuple[str, int], ...] = (),
    queue_size: int = 16,
) -> SocDesign:
    """One bus, one SRAM, ``gpps`` cores and the given (task, unroll) IPs."""
    pes = tuple(PE(f"gpp{j}", "gpp", "bus0") for j in range(gpps)) + tuple(
        PE(f"ip_{t}", "ip", "bus0", t, u) for t, u in ips
    )
    return SocDesign(
        pes, (Memory("mem0", "sram", 4, "bus0"),), (Bus("bus0", 4),), task_pe, {}, queue_size
    )
