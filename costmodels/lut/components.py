"""Component library: area and energy of adders, multiplexers, registers and SRAM.

A library is a YAML file (schema: ``data/components_reference_45nm.yaml``). Node
libraries name a ``base`` file and give ``area_scale`` and ``energy_scale`` relative to
it, plus node-specific SRAM bit cells; users may pass their own file with the same keys.

Fitted forms (all through the reference data points, never tuned to a result):
    * integer adder: area and energy linear in width (least squares through the origin
      over Horowitz's 8/16/32-bit points);
    * integer multiplier: ``a * bits^2 + c`` through the 8- and 32-bit points;
    * floating-point adder and multiplier: a power law ``a * p^k`` of the significand
      width ``p`` through the FP16 and FP32 points (the significand datapath dominates;
      the fitted exponents come out near 1.4 for the adder and 2 for the multiplier);
    * ``n``-to-1 multiplexer of ``w`` bits: a tree of ``(n - 1) * w`` 2:1 cells, half of
      which switch on a random select change;
    * SRAM: bit-cell area over array efficiency; read energy per bit a power law of
      capacity through Horowitz's 8 KiB and 1 MiB points (his 32 KiB point lies
      within 4%).
Energies of cells Horowitz does not list use ``logic_pj_per_um2`` times their
reference-node area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from dsegym.errors import ConfigError, UnknownNameError, WorkloadError
from dsegym.yaml_input import safe_load

BUILTIN_LIBRARIES = {"16nm": "components_16nm.yaml", "28nm": "components_28nm.yaml"}
_CELLS = ("full_adder", "mux2", "dff", "xor2", "and2")
_TABLES = ("int_add", "int_mult", "fp_add", "fp_mult", "sram_read")


def _power_law(points: list[list[float]], column: int) -> tuple[float, float]:
    """Fits ``y = a * x^k`` through the first and last point; returns ``(a, k)``."""
    (x0, y0), (x1, y1) = (points[0][0], points[0][column]), (points[-1][0], points[-1][column])
    k = math.log(y1 / y0) / math.log(x1 / x0)
    return y0 / x0**k, k


@dataclass(frozen=True)
class ComponentLibrary:
    """Area (um^2) and energy (pJ) of the building blocks at one technology node.

    Every method accepts scalars or numpy arrays. Construct with :func:`load_library`.
    """

    name: str
    node_nm: float
    area_scale: float
    energy_scale: float
    cells_um2: dict[str, float]
    tables: dict[str, list[list[float]]]
    logic_pj_per_um2: float
    sram_bitcell_um2: float
    sram_array_efficiency: float
    offchip_pj_per_bit: float
    _fits: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        add = np.array(self.tables["int_add"], dtype=float)
        norm = float((add[:, 0] ** 2).sum())
        mult = self.tables["int_mult"]
        (b0, a0, e0), (b1, a1, e1) = mult[0], mult[-1]
        fits = {
            "int_add_area": float((add[:, 0] * add[:, 1]).sum() / norm),
            "int_add_energy": float((add[:, 0] * add[:, 2]).sum() / norm),
            "int_mult_area": (
                (a1 - a0) / (b1**2 - b0**2),
                a0 - (a1 - a0) / (b1**2 - b0**2) * b0**2,
            ),
            "int_mult_energy": (
                (e1 - e0) / (b1**2 - b0**2),
                e0 - (e1 - e0) / (b1**2 - b0**2) * b0**2,
            ),
            "fp_add_area": _power_law(self.tables["fp_add"], 1),
            "fp_add_energy": _power_law(self.tables["fp_add"], 2),
            "fp_mult_area": _power_law(self.tables["fp_mult"], 1),
            "fp_mult_energy": _power_law(self.tables["fp_mult"], 2),
        }
        sram = [[p[0] * 8, p[1] / 64] for p in self.tables["sram_read"]]  # bits, pJ per bit
        fits["sram_energy"] = _power_law([[b, 0.0, e] for b, e in sram], 2)
        object.__setattr__(self, "_fits", fits)

    # ------------------------------------------------------------ arithmetic
    def int_add_area(self, bits: Any) -> Any:
        return self._fits["int_add_area"] * np.asarray(bits, float) * self.area_scale

    def int_add_energy(self, bits: Any) -> Any:
        return self._fits["int_add_energy"] * np.asarray(bits, float) * self.energy_scale

    def int_mult_area(self, bits: Any) -> Any:
        a, c = self._fits["int_mult_area"]
        return (a * np.asarray(bits, float) ** 2 + c) * self.area_scale

    def int_mult_energy(self, bits: Any) -> Any:
        a, c = self._fits["int_mult_energy"]
        return (a * np.asarray(bits, float) ** 2 + c) * self.energy_scale

    def _law(self, key: str, significand: Any, scale: float) -> Any:
        a, k = self._fits[key]
        return a * np.asarray(significand, float) ** k * scale

    def fp_add_area(self, significand: Any) -> Any:
        return self._law("fp_add_area", significand, self.area_scale)

    def fp_add_energy(self, significand: Any) -> Any:
        return self._law("fp_add_energy", significand, self.energy_scale)

    def fp_mult_area(self, significand: Any) -> Any:
        return self._law("fp_mult_area", significand, self.area_scale)

    def fp_mult_energy(self, significand: Any) -> Any:
        return self._law("fp_mult_energy", significand, self.energy_scale)

    def adder_area(self, is_float: Any, bits: Any, significand: Any) -> Any:
        """Area of one adder in a format given by ``is_float``, width and significand."""
        return np.where(is_float, self.fp_add_area(significand), self.int_add_area(bits))

    def adder_energy(self, is_float: Any, bits: Any, significand: Any) -> Any:
        return np.where(is_float, self.fp_add_energy(significand), self.int_add_energy(bits))

    def multiplier_area(self, is_float: Any, bits: Any, significand: Any) -> Any:
        return np.where(is_float, self.fp_mult_area(significand), self.int_mult_area(bits))

    def multiplier_energy(self, is_float: Any, bits: Any, significand: Any) -> Any:
        return np.where(is_float, self.fp_mult_energy(significand), self.int_mult_energy(bits))

    # ---------------------------------------------------------------- cells
    def cell_area(self, cell: str, count: Any = 1.0) -> Any:
        """Area of ``count`` standard cells of kind ``cell``."""
        return self.cells_um2[cell] * np.asarray(count, float) * self.area_scale

    def cell_energy(self, cell: str, count: Any = 1.0) -> Any:
        """Energy when ``count`` cells of kind ``cell`` switch once."""
        return (
            self.cells_um2[cell]
            * self.logic_pj_per_um2
            * np.asarray(count, float)
            * self.energy_scale
        )

    def mux_area(self, inputs: Any, width: Any) -> Any:
        """Area of an ``inputs``-to-1 multiplexer of ``width`` bits (2:1 cell tree)."""
        return self.cell_area("mux2", (np.asarray(inputs, float) - 1.0) * np.asarray(width, float))

    def mux_energy(self, inputs: Any, width: Any) -> Any:
        """Energy of one read: half of the tree's cells switch on a random select."""
        cells = 0.5 * (np.asarray(inputs, float) - 1.0) * np.asarray(width, float)
        return self.cell_energy("mux2", cells)

    def register_area(self, bits: Any) -> Any:
        return self.cell_area("dff", bits)

    def register_energy(self, bits: Any) -> Any:
        """Energy of writing ``bits`` flip-flops once (clock-gated when idle)."""
        return self.cell_energy("dff", bits)

    # ------------------------------------------------------------- memories
    def sram_area_mm2(self, capacity_bytes: Any) -> Any:
        bits = np.asarray(capacity_bytes, float) * 8.0
        return bits * self.sram_bitcell_um2 / self.sram_array_efficiency * 1e-6

    def sram_energy_per_bit(self, capacity_bytes: Any) -> Any:
        """Read or write energy per bit of an SRAM of ``capacity_bytes``."""
        a, k = self._fits["sram_energy"]
        bits = np.maximum(np.asarray(capacity_bytes, float) * 8.0, 1.0)
        return a * bits**k * self.energy_scale

    def describe(self) -> str:
        return f"{self.name} ({self.node_nm:g} nm-class)"


# ------------------------------------------------------------------ loading
def _read_yaml(path: Path | None, text: str, label: str) -> dict[str, Any]:
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise WorkloadError(f"component library {label}{where}: invalid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise WorkloadError(f"component library {label}: expected a mapping at the top level")
    return data


def _builtin_text(filename: str) -> str:
    return resources.files("dsegym.costmodels.lut.data").joinpath(filename).read_text()


def _load_raw(source: str | Path, depth: int = 0) -> tuple[dict[str, Any], str]:
    if depth > 4:
        raise ConfigError(f"component library {source}: 'base' chain is too deep")
    text: str
    folder: Path | None = None
    if str(source) in BUILTIN_LIBRARIES or str(source) == "components_reference_45nm.yaml":
        filename = BUILTIN_LIBRARIES.get(str(source), str(source))
        text, label = _builtin_text(filename), filename
    else:
        path = Path(source)
        if not path.is_file():
            raise UnknownNameError(
                "component library (built-in name or YAML file)",
                str(source),
                list(BUILTIN_LIBRARIES),
            )
        text, label, folder = path.read_text(), str(path), path.parent
    data = _read_yaml(folder, text, label)
    base = data.pop("base", None)
    if base is None:
        return data, label
    base_source: str | Path = base
    if folder is not None and (folder / str(base)).is_file():
        base_source = folder / str(base)
    merged, _ = _load_raw(base_source, depth + 1)
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged, label


def _positive(data: dict[str, Any], key: str, label: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise WorkloadError(
            f"component library {label}: {key!r} must be a positive number, got {value!r}"
        )
    return float(value)


def load_library(source: str | Path = "16nm") -> ComponentLibrary:
    """Loads a built-in library (``"16nm"``, ``"28nm"``) or a user YAML file.

    Raises:
        UnknownNameError: if ``source`` is neither a built-in name nor a file.
        WorkloadError: if the file is malformed (the message names the file and key).
    """
    data, label = _load_raw(source)
    cells = data.get("cells_um2") or {}
    missing = [c for c in _CELLS if c not in cells] + [t for t in _TABLES if t not in data]
    if missing:
        raise WorkloadError(f"component library {label}: missing {', '.join(missing)}")
    for cell in _CELLS:
        _positive(cells, cell, label)
    tables: dict[str, list[list[float]]] = {}
    for table in _TABLES:
        rows = data[table]
        ok = isinstance(rows, list) and len(rows) >= 2
        ok = ok and all(
            isinstance(r, list)
            and len(r) >= 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in r)
            for r in rows
        )
        if not ok:
            raise WorkloadError(
                f"component library {label}: {table!r} must list at least two rows "
                "of positive numbers"
            )
        tables[table] = sorted(([float(v) for v in r] for r in rows), key=lambda r: r[0])
        if tables[table][0][0] == tables[table][-1][0]:
            raise WorkloadError(f"component library {label}: {table!r} needs two distinct sizes")
    sram = data.get("sram") or {}
    return ComponentLibrary(
        name=str(data.get("name", label)),
        node_nm=_positive(data, "node_nm", label),
        area_scale=_positive(data, "area_scale", label),
        energy_scale=_positive(data, "energy_scale", label),
        cells_um2={c: float(cells[c]) for c in _CELLS},
        tables=tables,
        logic_pj_per_um2=_positive(data, "logic_pj_per_um2", label),
        sram_bitcell_um2=_positive(sram, "bitcell_um2", label),
        sram_array_efficiency=_positive(sram, "array_efficiency", label),
        offchip_pj_per_bit=_positive(data, "offchip_pj_per_bit", label),
    )
