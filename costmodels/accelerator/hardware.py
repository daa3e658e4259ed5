"""The accelerator tile: PE array, dataflow, register files, buffers, off-chip memory.

A :class:`Tile` is the hardware half of an evaluation; the layer list is the other half.
Sizes are checked here so that a wrong value is a :class:`ConfigError` naming the field,
while a well-formed tile that cannot run a layer is an infeasible evaluation (decided in
:mod:`~dsegym.costmodels.accelerator.model`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from dsegym.errors import ConfigError, UnknownNameError

DATAFLOWS = ("ws", "os", "is", "rs")
"""Weight-, output-, input- and row-stationary (Eyeriss) dataflows."""

LOOP_ORDERS = ("auto", "col_outer", "row_outer", "pe_inner")
"""Order of the fold loops; ``auto`` lets the mapper choose (``col_outer`` is SCALE-Sim's;
``pe_inner`` keeps every row fold's stationary word in the PE register file)."""

TEMPORAL_SPLITS = (1, 2, 4, 8, 16)
"""How many pieces the mapper may cut the streamed (temporal) dimension into."""

RF_CLASSES = ("regfile", "sram")
"""Implementations of the PE-local storage."""


@dataclass(frozen=True)
class Tile:
    """One accelerator tile.

    Attributes:
        rows: PE array rows.
        cols: PE array columns.
        dataflow: ``ws``, ``os``, ``is`` or ``rs``.
        rf_bytes: Register-file bytes per PE.
        glb_kib: Shared global buffer (KiB); ignored when the three separate buffers
            are given.
        ifmap_kib: Separate input buffer (KiB), or 0 to use the shared one.
        weight_kib: Separate weight buffer (KiB), or 0 to use the shared one.
        ofmap_kib: Separate output buffer (KiB), or 0 to use the shared one.
        glb_banks: SRAM banks of the buffer(s); more banks cost area but make each
            access cheaper and add bandwidth.
        glb_words_per_cycle: Words per cycle the buffer(s) deliver in total (0 means
            ``glb_banks`` x the bank width below, i.e. one word per bank and cycle
            times ``bank_width_words``).
        bank_width_words: Words one bank delivers per cycle (the block size).
        dram_words_per_cycle: Off-chip words per cycle, per operand stream (as in
            SCALE-Sim's USER bandwidth mode).
        dram: Off-chip memory type: a key of the energy table's ``dram`` section.
        input_bits: Width of input activations and weights.
        psum_bits: Width of partial sums (in the PEs, the buffer and DRAM spills).
        output_bits: Width of the final outputs written to DRAM.
        clock_ghz: Clock, used only to report time and power.
        loop_order: ``auto`` (mapper) or an explicit fold-loop order.
        temporal_splits: 0 (mapper) or an explicit split count of the streamed dimension.
        rf_class: ``regfile`` (register-file energies) or ``sram`` (a small SRAM costed
            with the buffer energies at the register file's capacity).
        rf_weight_words: Weight scratchpad words per PE (row-stationary: how many filter
            rows a PE holds at once; 0 = one).
        rf_psum_words: Partial-sum scratchpad words per PE (row-stationary: how many
            filters' partial sums a PE accumulates at once; 0 = one).
        charge_prefill: Whether a layer's latency includes loading its first buffer
            contents (False reproduces SCALE-Sim, whose cycle count starts after it).
        weights_bypass_glb: Weights go from DRAM straight to the PEs (TPU v1's weight
            FIFO) instead of through the global buffer.
        vector_lanes: Lanes of the vector (pooling / element-wise) unit, or 0 for none,
            in which case pools and sums run on the PE array (see :mod:`.vector`).
    """

    rows: int = 16
    cols: int = 16
    dataflow: str = "ws"
    rf_bytes: int = 16
    glb_kib: float = 256
    ifmap_kib: int = 0
    weight_kib: int = 0
    ofmap_kib: int = 0
    glb_banks: int = 4
    glb_words_per_cycle: int = 0
    bank_width_words: int = 16
    dram_words_per_cycle: float = 16.0
    dram: str = "hbm2"
    input_bits: int = 8
    psum_bits: int = 32
    output_bits: int = 8
    clock_ghz: float = 1.0
    loop_order: str = "auto"
    temporal_splits: int = 0
    rf_class: str = "regfile"
    rf_weight_words: int = 0
    rf_psum_words: int = 0
    charge_prefill: bool = True
    weights_bypass_glb: bool = False
    vector_lanes: int = 0

    def __post_init__(self) -> None:
        if self.dataflow not in DATAFLOWS:
            raise UnknownNameError("dataflow", str(self.dataflow), DATAFLOWS)
        if self.loop_order not in LOOP_ORDERS:
            raise UnknownNameError("loop order", str(self.loop_order), LOOP_ORDERS)
        if self.rf_class not in RF_CLASSES:
            raise UnknownNameError("register-file class", str(self.rf_class), RF_CLASSES)
        if self.rf_weight_words < 0 or self.rf_psum_words < 0:
            raise ConfigError("rf_weight_words and rf_psum_words must be >= 0")
        if self.temporal_splits not in (0, *TEMPORAL_SPLITS):
            raise ConfigError(
                f"temporal_splits must be 0 (mapper) or one of {TEMPORAL_SPLITS}, "
                f"got {self.temporal_splits!r}"
            )
        positive = (
            "rows",
            "cols",
            "rf_bytes",
            "glb_banks",
            "bank_width_words",
            "dram_words_per_cycle",
            "input_bits",
            "psum_bits",
            "output_bits",
            "clock_ghz",
        )
        for name in positive:
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"tile field {name!r} must be > 0, got {value!r}")
        for name in (
            "glb_kib",
            "ifmap_kib",
            "weight_kib",
            "ofmap_kib",
            "glb_words_per_cycle",
            "vector_lanes",
        ):
            value = getattr(self, name)
            if value < 0:
                raise ConfigError(f"tile field {name!r} must be >= 0, got {value!r}")
        separate = [self.ifmap_kib, self.weight_kib, self.ofmap_kib]
        if any(separate) and not all(separate):
            raise ConfigError(
                "give all three of ifmap_kib, weight_kib, ofmap_kib (separate buffers) or none"
            )
        if not any(separate) and self.glb_kib <= 0:
            raise ConfigError("tile needs a global buffer: glb_kib must be > 0")

    @property
    def separate_buffers(self) -> bool:
        return self.ifmap_kib > 0

    @property
    def buffer_kib(self) -> tuple[float, float, float]:
        """Capacity (KiB) available to inputs, weights and outputs.

        A shared buffer is split evenly between the three operands, as SCALE-Sim's
        three SRAMs are when given equal sizes.
        """
        if self.separate_buffers:
            return (float(self.ifmap_kib), float(self.weight_kib), float(self.ofmap_kib))
        third = self.glb_kib / 3.0
        return (third, third, third)

    @property
    def total_buffer_kib(self) -> float:
        return float(sum(self.buffer_kib))

    @property
    def glb_bandwidth_words(self) -> float:
        if self.glb_words_per_cycle:
            return float(self.glb_words_per_cycle)
        return float(self.glb_banks * self.bank_width_words)

    @classmethod
    def from_design(cls, design: dict[str, Any], **defaults: Any) -> Tile:
        """Builds a tile from a design dict, ignoring keys that are not tile fields."""
        names = {f.name for f in fields(cls)}
        values = {**defaults, **{k: v for k, v in design.items() if k in names}}
        return cls(**values)
