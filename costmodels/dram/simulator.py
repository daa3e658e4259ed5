"""Runs a trace through the controller kernel and derives the metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dsegym.costmodels.dram import kernel
from dsegym.costmodels.dram.addressing import check_capacity, decode
from dsegym.costmodels.dram.config import ControllerConfig
from dsegym.costmodels.dram.devices import Device
from dsegym.costmodels.dram.energy import EnergyBreakdown, energy_breakdown
from dsegym.costmodels.dram.trace import Trace


@dataclass(frozen=True)
class PreparedTrace:
    """A trace split into bursts and put on the device clock (shared by every design).

    Attributes:
        trace: The one-burst-per-request trace.
        device: Name of the device it was prepared for.
        arrival: Arrival cycle of each request (rounded up to the device clock).
        decoded: (write flag, bank, row) arrays per address mapping, filled on first use.
    """

    trace: Trace
    device: str
    arrival: np.ndarray
    decoded: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def columns(self, device: Device, mapping: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The kernel's (write flag, bank, row) columns under ``mapping``, cached."""
        if mapping not in self.decoded:
            bank, row, _ = decode(self.trace.address, device, mapping)
            self.decoded[mapping] = (
                self.trace.is_write.astype(np.int64),
                bank.astype(np.int64),
                row.astype(np.int64),
            )
        return self.decoded[mapping]


def prepare(trace: Trace, device: Device) -> PreparedTrace:
    """Splits ``trace`` into bursts, checks its addresses and converts times to cycles.

    Raises:
        WorkloadError: if an address lies beyond the device's capacity.
    """
    bursts = trace.split_into_bursts(device.burst_bytes)
    check_capacity(bursts.address, device, trace.name)
    arrival = np.ceil(bursts.time_ns / device.tck_ns - 1e-9).astype(np.int64)
    return PreparedTrace(bursts, device.name, arrival)


@dataclass(frozen=True)
class SimulationResult:
    """What one simulation measured.

    Attributes:
        response_cycle: Cycle each request's response leaves the controller.
        latency_ns: Response time minus issue time, per request.
        counts: Command counts (``act``, ``pre``, ``read``, ``write``,
            ``refresh_all_bank``, ``refresh_per_bank``).
        total_cycles: Cycles from 0 to the last response.
        active_cycles: Cycles with a bank open or refreshing.
        power_down_cycles: (active, precharged) power-down cycles.
        energy: Energy by component.
        metrics: The cost-model metrics.
    """

    response_cycle: np.ndarray
    latency_ns: np.ndarray
    counts: dict[str, int]
    total_cycles: int
    active_cycles: int
    power_down_cycles: tuple[int, int]
    energy: EnergyBreakdown
    metrics: dict[str, float]


def timing_vector(device: Device) -> np.ndarray:
    """The device timings in the kernel's order."""
    names = (
        "CL", "CWL", "RCD_RD", "RCD_WR", "RP", "RP_AB", "RAS", "RC", "RRD_S", "RRD_L", "FAW",
        "CCD_S", "CCD_L", "RTP", "WR", "WTR_S", "WTR_L", "RTW", "RFC", "REFI", "RFC_PB",
        "REFI_PB", "XP", "CKE",
    )  # fmt: skip
    values = [device.t(name) for name in names] + [device.burst_cycles]
    assert len(values) == kernel.N_TIMING
    return np.asarray(values, dtype=np.int64)


def simulate(
    prepared: PreparedTrace | Trace, device: Device, config: ControllerConfig
) -> SimulationResult:
    """Simulates ``prepared`` on ``device`` under the controller ``config``."""
    if isinstance(prepared, Trace):
        prepared = prepare(prepared, device)
    elif prepared.device != device.name:
        prepared = prepare(prepared.trace, device)
    trace = prepared.trace
    writes, bank, row = prepared.columns(device, config.address_mapping)
    (page, sched, sbuf, rbs, refresh, post, pull, arbiter, active, reorder, pd) = config.codes()
    response, c = kernel.simulate(
        prepared.arrival,
        writes,
        bank,
        row,
        device.banks,
        device.bank_groups,
        timing_vector(device),
        page, sched, sbuf, rbs, refresh, post, pull, arbiter, active, reorder, pd,
    )  # fmt: skip
    total = int(c[kernel.C_END])
    counts = {
        "act": int(c[kernel.C_ACT]),
        "pre": int(c[kernel.C_PRE]),
        "read": int(c[kernel.C_RD]),
        "write": int(c[kernel.C_WR]),
        "refresh_all_bank": int(c[kernel.C_REF_AB]),
        "refresh_per_bank": int(c[kernel.C_REF_PB]),
    }
    pd_cycles = (int(c[kernel.C_PD_ACT]), int(c[kernel.C_PD_PRE]))
    energy = energy_breakdown(
        device,
        n_act=counts["act"],
        n_read=counts["read"],
        n_write=counts["write"],
        n_refresh_all_bank=counts["refresh_all_bank"],
        n_refresh_per_bank=counts["refresh_per_bank"],
        total_cycles=total,
        active_cycles=int(c[kernel.C_ACTIVE]),
        active_power_down_cycles=pd_cycles[0],
        precharged_power_down_cycles=pd_cycles[1],
    )
    tck = device.tck_ns
    latency = response * tck - trace.time_ns
    n = len(trace)
    total_ns = max(total * tck, tck)
    refresh_busy = (
        counts["refresh_all_bank"] * device.t("RFC")
        + counts["refresh_per_bank"] * device.t("RFC_PB") / device.banks
    )
    metrics = {
        "latency_mean_ns": float(latency.mean()),
        "latency_p99_ns": float(np.quantile(latency, 0.99)),
        "bandwidth_gbps": n * device.burst_bytes / total_ns,
        "power_mw": energy.total / total_ns,
        "energy_pj": energy.total,
        "row_hit_rate": 1.0 - int(c[kernel.C_MISS]) / n,
        "refresh_overhead": refresh_busy / max(total, 1),
        "total_time_ns": total_ns,
    }
    return SimulationResult(
        response, latency, counts, total, int(c[kernel.C_ACTIVE]), pd_cycles, energy, metrics
    )
