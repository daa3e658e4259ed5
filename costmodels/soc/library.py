"""FARSI's hardware block library: general-purpose cores, the IP template, memories, buses.

Read from ``farsi/misc/block_characteristics.csv`` through the data module. Rates follow
FARSI's conventions: a core executes ``Freq * dhrystone_IPC`` instructions per second and
spends ``1 / Inst_per_joul`` joules per instruction; a memory or bus moves ``BitWidth *
Freq`` bytes per second. FARSI's per-byte energy and area of memories and buses are
placeholders that its published flow replaces with CACTI results (see
:data:`MEMORY_COSTS`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dsegym.costmodels.data import read_table
from dsegym.costmodels.data.store import DataCorruptError
from dsegym.errors import UnknownNameError

FILE = "misc/block_characteristics.csv"
#: How memory and bus energy and area are costed: ``library`` takes the table's per-byte
#: values literally (what FARSI does when CACTI is absent); ``excluded`` leaves memories
#: and buses out of power and area (their traffic is still reported).
MEMORY_COSTS = ("excluded", "library")


@dataclass(frozen=True)
class Block:
    """One library block.

    Attributes:
        name: Library name (``A53``, ``IP``, ``LMEM_0``...).
        kind: ``gpp``, ``ip``, ``sram``, ``dram`` or ``ic``.
        freq_hz: Clock frequency.
        ipc: Instructions per cycle (cores only).
        inst_per_joule: Instructions per joule (cores only).
        area_mm2: Fixed area (cores only).
        width_bytes: Bus width in bytes (memories and buses).
        bytes_per_joule: Bytes moved per joule (memories and buses).
        bytes_per_m2: Bytes stored per m^2 (memories and buses).
        hop_latency_cycles: Cycles per hop.
        pipeline_depth: Pipeline stages a request crosses.
    """

    name: str
    kind: str
    freq_hz: float
    ipc: float = math.nan
    inst_per_joule: float = math.nan
    area_mm2: float = math.nan
    width_bytes: float = math.nan
    bytes_per_joule: float = math.nan
    bytes_per_m2: float = math.nan
    hop_latency_cycles: float = 1.0
    pipeline_depth: float = 1.0

    @property
    def bandwidth(self) -> float:
        """Bytes per second (memories and buses)."""
        return self.width_bytes * self.freq_hz

    @property
    def request_latency_s(self) -> float:
        """Seconds a request spends crossing this block."""
        return self.hop_latency_cycles * self.pipeline_depth / self.freq_hz


@dataclass(frozen=True)
class BlockLibrary:
    """The blocks FARSI can allocate, by kind.

    Attributes:
        gpp: The reference general-purpose core.
        ip: The IP template (its clock; per-task costs come from the workload).
        memories: ``{(kind, width_bytes): block}`` for ``sram`` and ``dram``.
        buses: ``{width_bytes: block}``.
    """

    gpp: Block
    ip: Block
    memories: dict[tuple[str, int], Block]
    buses: dict[int, Block]

    @property
    def widths(self) -> list[int]:
        """Widths offered by both memories and buses, ascending."""
        mem = {w for _, w in self.memories}
        return sorted(mem & set(self.buses))

    def memory(self, kind: str, width: int) -> Block:
        key = (kind, width)
        if key not in self.memories:
            allowed = [f"{k}/{w}" for k, w in sorted(self.memories)]
            raise UnknownNameError("memory (kind/width bytes)", f"{kind}/{width}", allowed)
        return self.memories[key]

    def bus(self, width: int) -> Block:
        if width not in self.buses:
            raise UnknownNameError("bus width (bytes)", str(width), [str(w) for w in self.buses])
        return self.buses[width]


def _cell(frame: pd.DataFrame, row: int, column: str, required: bool) -> float:
    cell = frame[column].iloc[row]
    text = str(cell).strip()
    if text in ("", "NA", "nan"):
        if required:
            raise DataCorruptError(
                f"farsi/{FILE}: row {row + 2}, column {column!r}: a number is required for "
                f"block {frame['Name'].iloc[row]!r}, got {text!r}"
            )
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise DataCorruptError(
            f"farsi/{FILE}: row {row + 2}, column {column!r}: expected a number, got {text!r}"
        ) from None
    if not value >= 0 or math.isinf(value):
        raise DataCorruptError(
            f"farsi/{FILE}: row {row + 2}, column {column!r}: expected a non-negative number, "
            f"got {text!r}"
        )
    return value


def parse_library(frame: pd.DataFrame) -> BlockLibrary:
    """Builds the library from the block-characteristics table.

    Raises:
        DataCorruptError: naming the row and column of a malformed cell, or a missing
            block kind.
    """
    gpp = ip = None
    memories: dict[tuple[str, int], Block] = {}
    buses: dict[int, Block] = {}
    for row in range(len(frame)):
        name = str(frame["Name"].iloc[row]).strip()
        kind = str(frame["Subtype"].iloc[row]).strip()
        common: dict[str, Any] = {
            "name": name,
            "freq_hz": _cell(frame, row, "Freq", True),
            "hop_latency_cycles": _cell(frame, row, "hop_latency", True),
            "pipeline_depth": _cell(frame, row, "pipe_line_depth", True),
        }
        if kind == "gpp":
            block = Block(
                kind=kind,
                ipc=_cell(frame, row, "dhrystone_IPC", True),
                inst_per_joule=_cell(frame, row, "Inst_per_joul", True),
                area_mm2=_cell(frame, row, "Gpp_area", True) * 1e6,
                **common,
            )
            if gpp is None or str(frame["Ref"].iloc[row]).strip() == "yes":
                gpp = block
        elif kind == "ip":
            ip = Block(kind=kind, **common)
        elif kind in ("sram", "dram", "ic"):
            block = Block(
                kind=kind,
                width_bytes=_cell(frame, row, "BitWidth", True),
                bytes_per_joule=_cell(frame, row, "Byte_per_joul", True),
                bytes_per_m2=_cell(frame, row, "Byte_per_m", True),
                **common,
            )
            width = int(block.width_bytes)
            if kind == "ic":
                buses[width] = block
            else:
                memories[(kind, width)] = block
        else:
            raise DataCorruptError(
                f"farsi/{FILE}: row {row + 2}, column 'Subtype': unknown block kind {kind!r}; "
                "allowed: gpp, ip, sram, dram, ic"
            )
    for label, found in (("general-purpose core (gpp)", gpp), ("IP template (ip)", ip)):
        if found is None:
            raise DataCorruptError(f"farsi/{FILE}: no {label} row")
    if not buses or not memories:
        raise DataCorruptError(f"farsi/{FILE}: needs at least one memory and one bus row")
    assert gpp is not None and ip is not None
    return BlockLibrary(gpp=gpp, ip=ip, memories=memories, buses=buses)


@functools.cache
def load_library() -> BlockLibrary:
    """FARSI's block library (read once per process)."""
    try:
        return parse_library(read_table("farsi", FILE, dtype=str, keep_default_na=False))
    except DataCorruptError as exc:
        # On a checksum failure, parse the file anyway to name the malformed cell.
        unchecked = read_table("farsi", FILE, checked=False, dtype=str, keep_default_na=False)
        try:
            parse_library(unchecked)
        except DataCorruptError as cell:
            raise DataCorruptError(f"{exc}; first malformed cell: {cell}") from None
        raise
