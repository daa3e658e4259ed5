"""The DRAM memory-controller cost model: design = controller knobs, workload = trace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.dram.config import PARAMETER_GROUPS, ControllerConfig, controller_space
from dsegym.costmodels.dram.devices import Device, load_device
from dsegym.costmodels.dram.simulator import PreparedTrace, prepare, simulate
from dsegym.costmodels.dram.synthetic import load_workload
from dsegym.costmodels.dram.trace import Trace
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError

TARGET_METRICS = ("latency_mean_ns", "latency_p99_ns", "power_mw", "energy_pj", "total_time_ns")


class DramController(CostModel):
    """A trace-driven, command-level DDR3/DDR4/LPDDR4/HBM2 controller with IDD energy.

    Args:
        device: A device preset name (see ``devices.device_names()``).

    The workload passed to :meth:`evaluate` is a :class:`Trace`, a
    :class:`PreparedTrace` (prepared once for this device, the fast path) or a preset
    name / ``.stl`` path.
    """

    name: ClassVar[str] = "dram"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("latency_mean_ns", "ns", "mean request latency (issue to response)"),
        Metric("latency_p99_ns", "ns", "99th-percentile request latency"),
        Metric("bandwidth_gbps", "GB/s", "bytes moved / simulated time"),
        Metric("power_mw", "mW", "average DRAM power (IDD method)"),
        Metric("energy_pj", "pJ", "DRAM energy over the trace (IDD method)"),
        Metric("row_hit_rate", "fraction", "requests served without an activate"),
        Metric("refresh_overhead", "fraction", "fraction of (bank) time spent refreshing"),
        Metric("total_time_ns", "ns", "time until the last response (ArchGym's 'latency')"),
    )

    def __init__(self, device: str = "ddr3-1600"):
        self.device: Device = load_device(device)
        self._space = controller_space(self.device)

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def parameter_groups(self) -> dict[str, list[str]]:
        return {group: list(names) for group, names in PARAMETER_GROUPS.items()}

    def prepare(self, workload: Trace | PreparedTrace | str) -> PreparedTrace:
        """Puts a workload on this device's clock once, for many evaluations."""
        if isinstance(workload, PreparedTrace):
            if workload.device == self.device.name:
                return workload
            workload = workload.trace
        if isinstance(workload, str):
            workload = load_workload(workload, self.device.clock_mhz)
        if not isinstance(workload, Trace):
            raise ConfigError(
                f"DRAM workload must be a Trace, a preset name or an .stl path, "
                f"got {type(workload).__name__}"
            )
        return prepare(workload, self.device)

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        if workload is None:
            raise ConfigError("the DRAM model needs a workload (a trace or a preset name)")
        config = ControllerConfig.from_design(design, self.device)
        return Evaluation(simulate(self.prepare(workload), self.device, config).metrics)


class DramTargetController(DramController):
    """The DRAM model that also reports the distance to latency / power targets.

    Args:
        device: A device preset name.
        targets: ``{metric: target}``; ``target_distance`` is the sum over them of
            ``|metric - target| / target``, the inverse of ArchGym's DRAM reward
            ``target / |metric - target|``.
    """

    metrics: ClassVar[tuple[Metric, ...]] = DramController.metrics + (
        Metric("target_distance", "1", "sum of |metric - target| / target"),
    )

    def __init__(self, device: str = "ddr3-1600", targets: Mapping[str, float] | None = None):
        super().__init__(device)
        self.targets = dict(targets or {"latency_mean_ns": 100.0})
        for metric, value in self.targets.items():
            if metric not in TARGET_METRICS:
                raise ConfigError(
                    f"target on {metric!r}: allowed metrics are {', '.join(TARGET_METRICS)}"
                )
            if not value > 0:
                raise ConfigError(f"target on {metric!r} must be positive, got {value}")

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        metrics = dict(super().evaluate(design, workload).metrics)
        metrics["target_distance"] = sum(abs(metrics[m] - t) / t for m, t in self.targets.items())
        return Evaluation(metrics)
