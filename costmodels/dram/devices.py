"""DRAM device presets: organisation, timings (in clock cycles) and IDD currents.

Each preset is a YAML file under ``devices/`` that names the datasheet (or the tool
that tabulates it) its numbers come from. :func:`load_device` turns one into a frozen
:class:`Device`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from dsegym.errors import ConfigError, UnknownNameError

TIMING_NAMES = (
    "CL",
    "CWL",
    "RCD_RD",
    "RCD_WR",
    "RP",
    "RAS",
    "RC",
    "RRD_S",
    "RRD_L",
    "FAW",
    "CCD_S",
    "CCD_L",
    "RTP",
    "WR",
    "WTR_S",
    "WTR_L",
    "RTW",
    "RFC",
    "REFI",
    "XP",
    "CKE",
)
"""Timing parameters every preset must give, in clock cycles."""

IDD_NAMES = ("idd0", "idd2n", "idd2p", "idd3n", "idd3p", "idd4r", "idd4w", "idd5")


@dataclass(frozen=True)
class PowerDomain:
    """One supply rail with its IDD currents (mA per chip).

    Attributes:
        name: Rail name (VDD, VPP, VDD1, VDD2, VDDQ).
        voltage: Supply voltage in volts.
        idd: Currents keyed by the names in :data:`IDD_NAMES`.
    """

    name: str
    voltage: float
    idd: dict[str, float]


@dataclass(frozen=True)
class Device:
    """A DRAM device (one channel, one rank) as the controller sees it.

    Attributes:
        name: Preset name.
        standard: DDR3, DDR4, LPDDR4 or HBM2.
        source: Where the numbers come from.
        clock_mhz: Command clock frequency.
        width_bits: Data-bus width of the channel.
        chips: Chips that share the rank (energy scales with it).
        burst_length: Beats per burst.
        banks: Banks per rank (all bank groups together).
        bank_groups: Bank groups (1 when the standard has none).
        rows: Rows per bank.
        columns: Columns per row, in units of the chip width.
        timing: Timing parameters in clock cycles.
        refresh_policies: Refresh policies the standard supports.
        power_domains: Supply rails.
    """

    name: str
    standard: str
    source: str
    clock_mhz: float
    width_bits: int
    chips: int
    burst_length: int
    banks: int
    bank_groups: int
    rows: int
    columns: int
    timing: dict[str, int]
    refresh_policies: tuple[str, ...]
    power_domains: tuple[PowerDomain, ...]

    @property
    def tck_ns(self) -> float:
        """Clock period in ns."""
        return 1000.0 / self.clock_mhz

    @property
    def burst_cycles(self) -> int:
        """Clock cycles one burst occupies the data bus (double data rate)."""
        return self.burst_length // 2

    @property
    def burst_bytes(self) -> int:
        """Bytes one request (one burst) moves."""
        return self.width_bits * self.burst_length // 8

    @property
    def bursts_per_row(self) -> int:
        return self.columns // self.burst_length

    @property
    def capacity_bytes(self) -> int:
        return self.rows * self.banks * self.bursts_per_row * self.burst_bytes

    @property
    def peak_bandwidth_gbps(self) -> float:
        """Peak data-bus bandwidth in GB/s (10^9 bytes per second)."""
        return self.clock_mhz * 1e6 * 2 * self.width_bits / 8 / 1e9

    def t(self, name: str) -> int:
        """A timing parameter in cycles (``RP_AB``, ``RFC_PB`` and ``REFI_PB`` fall back)."""
        if name in self.timing:
            return self.timing[name]
        fallback = {"RP_AB": "RP", "RFC_PB": "RFC", "REFI_PB": "REFI"}
        return self.timing[fallback[name]]


_DEVICE_DIR = "devices"


def device_names() -> list[str]:
    """The shipped device presets."""
    folder = resources.files("dsegym.costmodels.dram") / _DEVICE_DIR
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


@functools.cache
def load_device(name: str) -> Device:
    """Loads the device preset ``name``.

    Raises:
        UnknownNameError: if there is no such preset.
        ConfigError: if the preset file lacks a field.
    """
    names = device_names()
    if name not in names:
        raise UnknownNameError("DRAM device", name, names)
    path = resources.files("dsegym.costmodels.dram") / _DEVICE_DIR / f"{name}.yaml"
    data = yaml.safe_load(path.read_text())
    return _device_from_dict(data, str(path))


def _device_from_dict(data: dict[str, Any], origin: str) -> Device:
    try:
        timing = {k: int(v) for k, v in data["timing_cycles"].items()}
        missing = [t for t in TIMING_NAMES if t not in timing]
        if missing:
            raise ConfigError(f"{origin}: timing_cycles lacks {', '.join(missing)}")
        domains = tuple(
            PowerDomain(d["name"], float(d["voltage"]), {k: float(d["idd"][k]) for k in IDD_NAMES})
            for d in data["power_domains"]
        )
        device = Device(
            name=data["name"],
            standard=data["standard"],
            source=data["source"],
            clock_mhz=float(data["clock_mhz"]),
            width_bits=int(data["width_bits"]),
            chips=int(data["chips"]),
            burst_length=int(data["burst_length"]),
            banks=int(data["banks"]),
            bank_groups=int(data["bank_groups"]),
            rows=int(data["rows"]),
            columns=int(data["columns"]),
            timing=timing,
            refresh_policies=tuple(data["refresh_policies"]),
            power_domains=domains,
        )
    except KeyError as exc:
        raise ConfigError(f"{origin}: missing field {exc.args[0]!r}") from None
    if device.banks % device.bank_groups:
        raise ConfigError(f"{origin}: banks must be a multiple of bank_groups")
    return device
