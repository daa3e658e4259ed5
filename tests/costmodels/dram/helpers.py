"""Small helpers shared by the DRAM tests."""

import numpy as np

from dsegym.costmodels.dram.config import ControllerConfig
from dsegym.costmodels.dram.devices import load_device
from dsegym.costmodels.dram.simulator import SimulationResult, prepare, simulate
from dsegym.costmodels.dram.trace import Trace

DEVICES = ("ddr3-1600", "ddr4-2400", "lpddr4-3200", "hbm2")


def run(trace: Trace, device: str, **knobs) -> SimulationResult:
    dev = load_device(device)
    return simulate(prepare(trace, dev), dev, ControllerConfig.from_design(knobs, dev))


def occupancy_integral(arrival_ns: np.ndarray, response_ns: np.ndarray) -> tuple[float, int]:
    """Integral of the number of requests in the system over time, by an event sweep,
    and the lowest occupancy seen (negative if a response came before its request)."""
    times = np.concatenate([arrival_ns, response_ns])
    steps = np.concatenate([np.ones(len(arrival_ns)), -np.ones(len(response_ns))])
    order = np.lexsort((-steps, times))  # arrivals first at equal times
    times, steps = times[order], steps[order]
    level = np.cumsum(steps)
    return float(np.sum(level[:-1] * np.diff(times))), int(level.min())
