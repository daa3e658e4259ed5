"""Energy and area tables: named presets shipped as YAML, or a user's YAML file.

Every table gives per-bit access energies at a reference capacity; a memory of another
capacity scales as ``(capacity / reference) ** capacity_exponent`` (Horowitz's SRAM
figures follow a square root). The MAC energy is for ``mac_reference_bits`` operands
and scales with the square of the operand width (an array multiplier's cost). DRAM
writes cost ``dram_write_scale`` times a read (1 unless the table says otherwise).
Optional ``psum_rf_*`` keys cost the partial-sum register apart from the operand
register file, and ``input_register_pj_per_bit`` the write and read of the register an
input passes through in each PE. The vector unit (:mod:`.vector`) costs
``vector_add_pj_per_bit`` per accumulator bit of each op (default: a third of a MAC at
32 bits, Horowitz's 45 nm ratio of a 32-bit add, 0.1 pJ, to an 8-bit MAC, 0.3 pJ) and
``area.vector_lane_um2`` per lane (default: a MAC's area, an adder and a multiplier).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dsegym.errors import ConfigError, UnknownNameError
from dsegym.yaml_input import safe_load

PRESETS = ("horowitz-45nm", "eyeriss-65nm", "zigzag-tpu-like")

_ENERGY_KEYS = (
    "mac_reference_bits",
    "mac_pj",
    "rf_read_pj_per_bit",
    "rf_write_pj_per_bit",
    "rf_reference_bytes",
    "noc_pj_per_bit_hop",
    "glb_read_pj_per_bit",
    "glb_write_pj_per_bit",
    "glb_reference_kib",
    "capacity_exponent",
)
_AREA_KEYS = ("mac_um2", "sram_um2_per_bit", "rf_um2_per_bit", "bank_overhead_fraction")


@dataclass(frozen=True)
class EnergyTable:
    """Per-access energies (pJ) and areas (um^2) of one technology."""

    name: str
    mac_reference_bits: float
    mac_pj: float
    rf_read_pj_per_bit: float
    rf_write_pj_per_bit: float
    rf_reference_bytes: float
    noc_pj_per_bit_hop: float
    glb_read_pj_per_bit: float
    glb_write_pj_per_bit: float
    glb_reference_kib: float
    capacity_exponent: float
    dram_pj_per_bit: dict[str, float]
    dram_write_scale: float
    psum_rf_read_pj_per_bit: float
    psum_rf_write_pj_per_bit: float
    input_register_pj_per_bit: float
    vector_add_pj_per_bit: float
    mac_um2: float
    sram_um2_per_bit: float
    rf_um2_per_bit: float
    bank_overhead_fraction: float
    vector_lane_um2: float

    def dram_energy_per_bit(self, dram: str) -> float:
        if dram not in self.dram_pj_per_bit:
            raise UnknownNameError(
                f"DRAM type of energy table {self.name!r}", dram, list(self.dram_pj_per_bit)
            )
        return self.dram_pj_per_bit[dram]


def table_from_dict(data: Any, source: str) -> EnergyTable:
    """Validates a parsed YAML table.

    Raises:
        ConfigError: naming ``source`` and the missing or wrong key.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"energy table {source}: expected a mapping at the top level")
    area = data.get("area")
    if not isinstance(area, dict):
        raise ConfigError(
            f"energy table {source}: missing 'area' section ({', '.join(_AREA_KEYS)})"
        )
    values: dict[str, Any] = {}
    for key, section in [(k, data) for k in _ENERGY_KEYS] + [(k, area) for k in _AREA_KEYS]:
        if key not in section:
            raise ConfigError(f"energy table {source}: missing key {key!r}")
        try:
            values[key] = float(section[key])
        except (TypeError, ValueError):
            raise ConfigError(f"energy table {source}: {key!r} must be a number")
        if values[key] < 0:
            raise ConfigError(f"energy table {source}: {key!r} must be >= 0")
    for key in ("mac_reference_bits", "rf_reference_bytes", "glb_reference_kib"):
        if values[key] <= 0:
            raise ConfigError(f"energy table {source}: {key!r} must be > 0")
    dram = data.get("dram_pj_per_bit")
    if not isinstance(dram, dict) or not dram:
        raise ConfigError(f"energy table {source}: 'dram_pj_per_bit' must map DRAM types to pJ")
    try:
        dram_values = {str(k): float(v) for k, v in dram.items()}
    except (TypeError, ValueError):
        raise ConfigError(f"energy table {source}: DRAM energies must be numbers")
    # Optional keys and their defaults: the partial-sum register and the input's
    # pass-through register cost what the register file costs unless the table says.
    optional = {
        "dram_write_scale": 1.0,
        "psum_rf_read_pj_per_bit": values["rf_read_pj_per_bit"],
        "psum_rf_write_pj_per_bit": values["rf_write_pj_per_bit"],
        "input_register_pj_per_bit": values["rf_read_pj_per_bit"] + values["rf_write_pj_per_bit"],
        "vector_add_pj_per_bit": values["mac_pj"] / 3.0 / 32.0,
        "vector_lane_um2": values["mac_um2"],
    }
    for key, default in optional.items():
        section = area if key == "vector_lane_um2" else data
        try:
            optional[key] = float(section.get(key, default))
        except (TypeError, ValueError):
            raise ConfigError(f"energy table {source}: {key!r} must be a number")
        if optional[key] < 0:
            raise ConfigError(f"energy table {source}: {key!r} must be >= 0")
    return EnergyTable(
        name=str(data.get("name", source)), dram_pj_per_bit=dram_values, **values, **optional
    )


@functools.cache
def load_table(name_or_path: str) -> EnergyTable:
    """Loads a preset by name, or a user table from a ``.yaml``/``.yml`` path."""
    if name_or_path in PRESETS:
        text = resources.files(__package__).joinpath(f"tables/{name_or_path}.yaml").read_text()
        return table_from_dict(safe_load(text), name_or_path)
    if name_or_path.endswith((".yaml", ".yml")):
        path = Path(name_or_path)
        try:
            data = safe_load(path.read_text())
        except OSError as exc:
            raise ConfigError(f"cannot read energy table {name_or_path!r}: {exc.strerror}")
        except yaml.YAMLError as exc:
            raise ConfigError(f"energy table {name_or_path!r} is not valid YAML: {exc}")
        return table_from_dict(data, name_or_path)
    raise UnknownNameError("energy table preset", name_or_path, PRESETS)
