"""Synthetic memory traces, deterministic by seed, and the named presets shipped with them.

Every generator issues 64-byte requests with exponential (Poisson) inter-arrival times
of the given mean and returns a :class:`~dsegym.costmodels.dram.trace.Trace`. The
presets in ``workloads/presets.yaml`` stand in for ArchGym's DRAMSys workloads
(``stream``, ``random``, ``cloud-1``, ``cloud-2``), whose trace files are not public.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from dsegym.costmodels.dram.trace import Trace, read_stl
from dsegym.errors import ConfigError, UnknownNameError, WorkloadError

LINE = 64  # bytes per request: one cache line, one DDR3/DDR4 burst
DEFAULT_FOOTPRINT = 256 * 2**20  # fits the smallest preset device (HBM2, 512 MiB)


def _times(rng: np.random.Generator, n: int, mean_gap_ns: float) -> np.ndarray:
    return np.cumsum(rng.exponential(mean_gap_ns, n))


def _kinds(rng: np.random.Generator, n: int, read_fraction: float) -> np.ndarray:
    return rng.random(n) >= read_fraction


def stream(
    n_requests: int, mean_gap_ns: float, seed: int = 0, footprint: int = DEFAULT_FOOTPRINT
) -> Trace:
    """STREAM triad ``a[i] = b[i] + s * c[i]``: two sequential reads and one write per step."""
    rng = np.random.default_rng(seed)
    third = footprint // 3 // LINE * LINE
    step = np.arange(n_requests) // 3
    array = np.arange(n_requests) % 3  # 0: read b, 1: read c, 2: write a
    base = np.array([third, 2 * third, 0])[array]
    address = base + (step * LINE) % third
    return Trace.from_arrays(_times(rng, n_requests, mean_gap_ns), array == 2, address, "stream")


def random_access(
    n_requests: int,
    mean_gap_ns: float,
    read_fraction: float = 2 / 3,
    seed: int = 0,
    footprint: int = DEFAULT_FOOTPRINT,
) -> Trace:
    """Uniformly random lines over the footprint."""
    rng = np.random.default_rng(seed)
    address = rng.integers(0, footprint // LINE, n_requests) * LINE
    writes = _kinds(rng, n_requests, read_fraction)
    return Trace.from_arrays(_times(rng, n_requests, mean_gap_ns), writes, address, "random")


def strided(
    n_requests: int,
    mean_gap_ns: float,
    stride_bytes: int,
    read_fraction: float = 1.0,
    seed: int = 0,
    footprint: int = DEFAULT_FOOTPRINT,
) -> Trace:
    """A constant stride through the footprint (wrapping around)."""
    rng = np.random.default_rng(seed)
    address = (np.arange(n_requests) * stride_bytes) % footprint // LINE * LINE
    writes = _kinds(rng, n_requests, read_fraction)
    return Trace.from_arrays(_times(rng, n_requests, mean_gap_ns), writes, address, "strided")


def mixed(
    n_requests: int,
    mean_gap_ns: float,
    read_fraction: float = 0.5,
    locality: float = 0.5,
    streams: int = 4,
    seed: int = 0,
    footprint: int = DEFAULT_FOOTPRINT,
) -> Trace:
    """Reads and writes from ``streams`` interleaved sequential runs.

    Each request belongs to a random stream; a stream continues its run with
    probability ``locality`` and otherwise jumps to a random line.
    """
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, footprint // LINE, n_requests)
    address = _interleaved_runs(rng, starts, locality, streams, footprint)
    writes = _kinds(rng, n_requests, read_fraction)
    return Trace.from_arrays(_times(rng, n_requests, mean_gap_ns), writes, address, "mixed")


def cloud(
    n_requests: int,
    mean_gap_ns: float,
    read_fraction: float,
    locality: float,
    mean_burst_requests: float,
    mean_idle_ns: float,
    hot_regions: int,
    region_bytes: int,
    streams: int = 8,
    seed: int = 0,
    footprint: int = DEFAULT_FOOTPRINT,
    name: str = "cloud",
) -> Trace:
    """Bursty server-like traffic: ON bursts separated by idle gaps, with locality.

    Within a burst requests arrive every ``mean_gap_ns`` on average; bursts have a
    geometric number of requests and are separated by exponential idle gaps. A request
    continues the current sequential run with probability ``locality``; otherwise it
    jumps to a random line of one of ``hot_regions`` regions picked with Zipf(1)
    weights, so a few regions (and their DRAM rows) take most of the traffic. Requests
    come from ``streams`` interleaved threads, each with its own runs.
    """
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(mean_gap_ns, n_requests)
    burst_end = rng.random(n_requests) < 1.0 / mean_burst_requests
    gaps += np.where(np.roll(burst_end, 1), rng.exponential(mean_idle_ns, n_requests), 0.0)
    gaps[0] = 0.0
    weights = 1.0 / np.arange(1, hot_regions + 1)
    region = rng.choice(hot_regions, n_requests, p=weights / weights.sum())
    region_base = rng.permutation(footprint // region_bytes)[:hot_regions] * region_bytes
    starts = (
        region_base[region] + rng.integers(0, region_bytes // LINE, n_requests) * LINE
    ) // LINE
    address = _interleaved_runs(rng, starts, locality, streams, footprint)
    writes = _kinds(rng, n_requests, read_fraction)
    return Trace.from_arrays(np.cumsum(gaps), writes, address, name)


def _interleaved_runs(
    rng: np.random.Generator, starts: np.ndarray, locality: float, streams: int, footprint: int
) -> np.ndarray:
    """Line addresses of ``streams`` interleaved runs (see :func:`_runs`)."""
    n = len(starts)
    stream_of = rng.integers(0, streams, n)
    jumps = rng.random(n) >= locality
    address = np.empty(n, dtype=np.int64)
    for s in range(streams):
        mine = np.flatnonzero(stream_of == s)
        if len(mine):
            first_jumps = jumps[mine]
            first_jumps[0] = True
            address[mine] = _runs(first_jumps, starts[mine], footprint)
    return address


def _runs(jumps: np.ndarray, starts: np.ndarray, footprint: int) -> np.ndarray:
    """Line addresses that restart at ``starts[i]`` where ``jumps[i]`` and else step by one."""
    index = np.arange(len(jumps))
    run_start = np.maximum.accumulate(np.where(jumps, index, 0))
    lines = starts[run_start] + (index - run_start)
    return (lines % (footprint // LINE)) * LINE


GENERATORS: dict[str, Any] = {
    "stream": stream,
    "random": random_access,
    "strided": strided,
    "mixed": mixed,
    "cloud": cloud,
}


@functools.cache
def presets() -> dict[str, dict[str, Any]]:
    """The shipped presets: name -> generator name and its keyword arguments."""
    path = resources.files("dsegym.costmodels.dram") / "workloads" / "presets.yaml"
    data: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text())
    return data


def preset_names() -> list[str]:
    return sorted(presets())


def generate_preset(name: str, n_requests: int | None = None, seed: int | None = None) -> Trace:
    """Generates the preset ``name`` (optionally with another length or seed)."""
    table = presets()
    if name not in table:
        raise UnknownNameError("DRAM workload preset", name, list(table))
    spec = dict(table[name])
    generator = GENERATORS[spec.pop("generator")]
    spec.pop("description", None)
    if n_requests is not None:
        spec["n_requests"] = n_requests
    if seed is not None:
        spec["seed"] = seed
    if spec["n_requests"] < 1:
        raise ConfigError(f"workload {name!r}: n_requests must be at least 1")
    trace: Trace = generator(**spec)
    return Trace(trace.time_ns, trace.is_write, trace.address, trace.length, name)


def load_workload(
    spec: str, clock_mhz: float, n_requests: int | None = None, seed: int | None = None
) -> Trace:
    """A preset name, or the path of a DRAMSys ``.stl`` trace played at ``clock_mhz``.

    Raises:
        UnknownNameError: for a name that is neither a preset nor an ``.stl`` path.
        WorkloadError: for a missing or malformed trace file.
    """
    if spec in presets():
        return generate_preset(spec, n_requests, seed)
    if spec.endswith(".stl"):
        path = Path(spec)
        if not path.is_file():
            raise WorkloadError(f"trace file {spec!r} does not exist")
        trace = read_stl(path, clock_mhz)
        if n_requests is not None and n_requests < len(trace):
            trace = Trace(
                trace.time_ns[:n_requests],
                trace.is_write[:n_requests],
                trace.address[:n_requests],
                trace.length[:n_requests],
                trace.name,
            )
        return trace
    raise UnknownNameError("DRAM workload (preset or .stl path)", spec, preset_names())
