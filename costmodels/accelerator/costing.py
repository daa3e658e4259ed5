"""The vectorised cost of many tiles on many layers, all mapping candidates at once.

Arrays are laid out ``(design, layer, candidate)``; the mapper's choice collapses the
last axis. Energy is access counts x energy per access at five levels: MAC, register
file (PE-local storage), array network (word hops between PEs), global buffer and DRAM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dsegym.costmodels.accelerator.energy import EnergyTable
from dsegym.costmodels.accelerator.hardware import LOOP_ORDERS, Tile
from dsegym.costmodels.accelerator.layers import LayerArrays
from dsegym.costmodels.accelerator.mapping import (
    CANDIDATE_ORDER,
    CANDIDATE_SPLITS,
    INPUT,
    OPERANDS,
    ORDERS,
    OUTPUT,
    ROLES,
    WEIGHT,
    Traffic,
    candidate_traffic,
)
from dsegym.costmodels.accelerator.systolic import (
    DATAFLOW_INDEX,
    compute_cycles,
    fill_cycles,
    fold_counts,
    spatial_dims,
    stream_stall_cycles,
)
from dsegym.costmodels.accelerator.vector import vector_area_mm2

ENERGY_PARTS = ("energy_mac_pj", "energy_rf_pj", "energy_noc_pj", "energy_glb_pj", "energy_dram_pj")


@dataclass
class LayerCosts:
    """Per-layer results, arrays of shape ``(designs, layers)``.

    ``values`` holds ``latency_cycles``, ``compute_cycles``, ``stall_cycles``, the
    energy parts, ``energy_pj``, ``macs``, ``utilisation``, DRAM words per operand
    (``dram_<operand>_reads``/``_writes``), the chosen ``loop_order`` index and
    ``temporal_splits``. ``problems[d]`` lists why design ``d`` is infeasible.
    """

    values: dict[str, np.ndarray]
    area_mm2: np.ndarray
    pes: np.ndarray
    problems: list[list[str]]


def _column(tiles: Sequence[Tile], attr: str) -> np.ndarray:
    return np.array([float(getattr(t, attr)) for t in tiles])[:, None, None]


def _buffer_words(tiles: Sequence[Tile]) -> list[np.ndarray]:
    kib = np.array([t.buffer_kib for t in tiles])  # (D, 3)
    bits = np.array([[t.input_bits, t.input_bits, t.psum_bits] for t in tiles])
    words = np.floor(kib * 8192.0 / bits)
    return [words[:, i][:, None, None] for i in range(3)]


def area_mm2(tiles: Sequence[Tile], table: EnergyTable) -> np.ndarray:
    """Area of each tile: MACs and register files of the PEs, buffer SRAM and the vector
    unit (none unless ``vector_lanes`` is set).
    """
    out = []
    for t in tiles:
        mac = table.mac_um2 * (t.input_bits / table.mac_reference_bits) ** 2
        pe = mac + t.rf_bytes * 8 * table.rf_um2_per_bit
        cells = t.total_buffer_kib * 8192 * table.sram_um2_per_bit
        banks = t.glb_banks * (3 if t.separate_buffers else 1)
        sram = cells * (1 + table.bank_overhead_fraction * (banks - 1))
        out.append((t.rows * t.cols * pe + sram) / 1e6 + vector_area_mm2(t, table))
    return np.array(out)


def _rf_energy(
    tiles: Sequence[Tile],
    table: EnergyTable,
    macs: np.ndarray,
    bits: list[np.ndarray],
    stationary_loads: np.ndarray,
    psum_drains: np.ndarray,
) -> np.ndarray:
    """PE-local storage energy.

    Per MAC: one read of the stationary operand, one pass of the moving input through
    its register, one read and one write of the partial sum. Per stationary word loaded
    into a PE: one write. Per partial sum finished inside a PE: one read.
    """
    in_bits, psum_bits = bits[INPUT], bits[OUTPUT]
    rf_bytes = _column(tiles, "rf_bytes")
    sram = np.array([t.rf_class == "sram" for t in tiles])[:, None, None]
    exponent = table.capacity_exponent
    rf_scale = (rf_bytes / table.rf_reference_bytes) ** exponent
    sram_scale = (rf_bytes / 1024.0 / table.glb_reference_kib) ** exponent
    # A scratchpad built as SRAM costs SRAM energies; a register file its own.
    sram_read = table.glb_read_pj_per_bit * sram_scale
    sram_write = table.glb_write_pj_per_bit * sram_scale
    read = np.where(sram, sram_read, table.rf_read_pj_per_bit * rf_scale)
    write = np.where(sram, sram_write, table.rf_write_pj_per_bit * rf_scale)
    psum_read = np.where(sram, sram_read, table.psum_rf_read_pj_per_bit * rf_scale)
    psum_write = np.where(sram, sram_write, table.psum_rf_write_pj_per_bit * rf_scale)
    passing = np.where(sram, sram_read + sram_write, table.input_register_pj_per_bit * rf_scale)
    per_mac = in_bits * (read + passing) + psum_bits * (psum_read + psum_write)
    result: np.ndarray = (
        macs * per_mac + stationary_loads * in_bits * write + psum_drains * psum_bits * psum_read
    )
    return result


def _apply_row_stationary_reuse(
    tiles: Sequence[Tile], df: np.ndarray, layers: LayerArrays, traffic: Traffic
) -> None:
    """Row-stationary PEs hold several filters' rows and partial sums (Eyeriss), so each
    input row fetched into a PE serves that many filters: the input's buffer reads and
    array traffic shrink by that factor.
    """
    weight_words = np.maximum(_column(tiles, "rf_weight_words"), 1.0)
    psum_words = np.maximum(_column(tiles, "rf_psum_words"), 1.0)
    filters_per_pass = np.minimum(
        np.maximum(np.floor(weight_words / layers.filter_w[None, :, None]), 1.0), psum_words
    )
    filters_per_pass = np.where(df == DATAFLOW_INDEX["rs"], filters_per_pass, 1.0)
    filters_per_pass = np.minimum(filters_per_pass, layers.n[None, :, None])
    traffic.glb_reads[INPUT] = traffic.glb_reads[INPUT] / filters_per_pass
    traffic.array_words[INPUT] = traffic.array_words[INPUT] / filters_per_pass


def cost_layers(tiles: Sequence[Tile], layers: LayerArrays, table: EnergyTable) -> LayerCosts:
    """Costs every tile on every layer with the mapper (or the tile's explicit mapping)."""
    df = np.array([DATAFLOW_INDEX[t.dataflow] for t in tiles])[:, None, None]
    rows, cols = _column(tiles, "rows"), _column(tiles, "cols")
    in_bits, psum_bits = _column(tiles, "input_bits"), _column(tiles, "psum_bits")
    bits = [in_bits, in_bits, psum_bits]
    m, n, k = layers.m[None, :, None], layers.n[None, :, None], layers.k[None, :, None]
    repeat = layers.repeat[None, :, None]

    sr, sc, t = spatial_dims(
        df, m, n, k, layers.filter_w[None, :, None], layers.ofmap_h[None, :, None]
    )
    row_folds, col_folds = fold_counts(sr, sc, rows, cols)
    splits = np.minimum(CANDIDATE_SPLITS[None, None, :], t)
    order = CANDIDATE_ORDER[None, None, :]
    fill = fill_cycles(df, rows, cols)
    # pe_inner streams every row fold back to back behind one fill per column fold (the
    # PEs already hold all the row folds' stationary words); the other orders pay
    # SCALE-Sim's fill on every fold.
    compute = np.where(
        order == ORDERS.index("pe_inner"),
        col_folds * (splits * fill + row_folds * t) - 1,
        compute_cycles(row_folds * col_folds, fill, t, splits),
    )

    sizes = [m * k, k * n, m * n]
    unique_input = layers.ifmap_words[None, :, None] / (m * k)
    buffer_words = _buffer_words(tiles)
    half = [np.floor(w / 2) for w in buffer_words]
    traffic = candidate_traffic(df, sizes, unique_input, half, row_folds, col_folds, splits, order)

    macs = m * n * k
    mac_scale = (in_bits / table.mac_reference_bits) ** 2
    e_mac = macs * table.mac_pj * mac_scale
    _apply_row_stationary_reuse(tiles, df, layers, traffic)
    stationary = [ROLES[df, 0] == op for op in range(3)]
    stationary_loads = np.zeros_like(traffic.array_words[0])
    for op in range(3):
        stationary_loads = stationary_loads + np.where(stationary[op], traffic.array_words[op], 0)
    pe_inner = order == ORDERS.index("pe_inner")
    psum_drains = np.where(pe_inner, macs / row_folds, 0.0)
    e_rf = _rf_energy(tiles, table, macs, bits, stationary_loads, psum_drains)

    used_rows, used_cols = np.minimum(rows, sr), np.minimum(cols, sc)
    hops = sum(
        traffic.array_words[op] * bits[op] * np.where(traffic.along_rows[op], used_cols, used_rows)
        for op in range(3)
    )
    e_noc = hops * table.noc_pj_per_bit_hop

    bypass = _column(tiles, "weights_bypass_glb") > 0
    traffic.glb_reads[WEIGHT] = np.where(bypass, 0.0, traffic.glb_reads[WEIGHT])
    traffic.glb_writes[WEIGHT] = np.where(bypass, 0.0, traffic.glb_writes[WEIGHT])
    banks = _column(tiles, "glb_banks")
    bank_kib = (
        np.stack([np.array(t.buffer_kib) for t in tiles])[:, :, None, None] / banks[..., None]
    )
    out_bits = _column(tiles, "output_bits")
    e_glb = np.zeros_like(e_mac * compute)
    for op in range(3):
        scale = (bank_kib[:, op] / table.glb_reference_kib) ** table.capacity_exponent
        reads, writes = traffic.glb_reads[op] * bits[op], traffic.glb_writes[op] * bits[op]
        if op == OUTPUT:
            # Final outputs are stored, and read out to DRAM, at the output width.
            final = sizes[OUTPUT] * (out_bits - psum_bits)
            reads, writes = reads + final, writes + final
        e_glb = e_glb + scale * (
            reads * table.glb_read_pj_per_bit + writes * table.glb_write_pj_per_bit
        )
    dram_pj_bit = np.array([table.dram_energy_per_bit(t.dram) for t in tiles])[:, None, None]
    # Final outputs leave at their own width; spilled partial sums keep theirs.
    spilled = traffic.dram_writes[OUTPUT] - sizes[OUTPUT]
    read_bits = sum(traffic.dram_reads[op] * bits[op] for op in range(3))
    write_bits = sizes[OUTPUT] * out_bits + spilled * psum_bits
    e_dram = (read_bits + write_bits * table.dram_write_scale) * dram_pj_bit

    dram_bw = _column(tiles, "dram_words_per_cycle")
    dram_stall = np.maximum.reduce(
        [
            stream_stall_cycles(
                traffic.dram_reads[op] + traffic.dram_writes[op], buffer_words[op], dram_bw, compute
            )
            for op in range(3)
        ]
    )
    glb_accesses = sum(traffic.glb_reads[op] + traffic.glb_writes[op] for op in range(3))
    glb_bw = np.array([t.glb_bandwidth_words for t in tiles])[:, None, None]
    glb_stall = np.maximum(np.ceil(glb_accesses / glb_bw) - compute, 0.0)
    # Unless told to follow SCALE-Sim (whose count starts once the first half-buffers are
    # filled), a layer also waits for all its DRAM traffic over the one DRAM interface.
    charge = _column(tiles, "charge_prefill") > 0
    dram_words = sum(traffic.dram_reads[op] + traffic.dram_writes[op] for op in range(3))
    dram_floor = np.where(charge, np.maximum(np.ceil(dram_words / dram_bw) - compute, 0.0), 0.0)
    stall = np.maximum(np.maximum(dram_stall, glb_stall), dram_floor)
    latency = compute + stall
    energy = e_mac + e_rf + e_noc + e_glb + e_dram

    # The mapper: lowest energy-delay product among the allowed candidates.
    score = energy * latency
    order_knob = np.array([LOOP_ORDERS.index(t.loop_order) - 1 for t in tiles])[:, None, None]
    split_knob = _column(tiles, "temporal_splits")
    allowed = ((order_knob < 0) | (order == order_knob)) & (
        (split_knob == 0) | (CANDIDATE_SPLITS[None, None, :] == split_knob)
    )
    # pe_inner needs an input-type stationary operand (not os) and a register file that
    # holds every row fold's stationary word plus a partial sum.
    rf_bits = _column(tiles, "rf_bytes") * 8
    pe_inner_fits = (df != DATAFLOW_INDEX["os"]) & (rf_bits >= row_folds * in_bits + psum_bits)
    allowed = allowed & (~pe_inner | pe_inner_fits)
    # A tile whose explicit mapping cannot hold is infeasible; its metrics still come
    # from the mapper's choice so that they stay finite.
    unmappable = ~np.any(allowed, axis=2)
    allowed |= unmappable[..., None]
    best = np.argmin(np.where(allowed, score, np.inf), axis=2)
    design_index, layer_index = np.indices(best.shape, sparse=True)

    def pick(a: np.ndarray) -> np.ndarray:
        if a.shape[2] == 1:
            return np.broadcast_to(a[..., 0], best.shape)
        return np.broadcast_to(a, score.shape)[design_index, layer_index, best]

    values = {
        "latency_cycles": pick(latency) * layers.repeat[None, :],
        "compute_cycles": pick(compute) * layers.repeat[None, :],
        "stall_cycles": pick(stall) * layers.repeat[None, :],
        "energy_mac_pj": pick(e_mac) * layers.repeat[None, :],
        "energy_rf_pj": pick(e_rf) * layers.repeat[None, :],
        "energy_noc_pj": pick(e_noc) * layers.repeat[None, :],
        "energy_glb_pj": pick(e_glb) * layers.repeat[None, :],
        "energy_dram_pj": pick(e_dram) * layers.repeat[None, :],
        "loop_order": pick(order),
        "temporal_splits": pick(splits),
    }
    for op, name in enumerate(OPERANDS):
        values[f"dram_{name}_reads"] = pick(traffic.dram_reads[op]) * layers.repeat[None, :]
        values[f"dram_{name}_writes"] = pick(traffic.dram_writes[op]) * layers.repeat[None, :]
    values["energy_pj"] = sum(values[p] for p in ENERGY_PARTS)
    values["macs"] = np.broadcast_to((macs * repeat)[..., 0], values["energy_pj"].shape)
    values["utilisation"] = values["macs"] / (
        rows[..., 0] * cols[..., 0] * values["latency_cycles"]
    )
    problems = _feasibility(tiles, layers, rows, cols, sr, sc, buffer_words)
    for d, tile in enumerate(tiles):
        bad = np.nonzero(unmappable[d])[0]
        if bad.size:
            problems[d].append(
                f"no legal mapping with loop_order={tile.loop_order!r} for layer "
                f"{layers.names[int(bad[0])]!r}"
                + (f" and {bad.size - 1} more layers" if bad.size > 1 else "")
                + ": pe_inner needs a stationary input (not os) and a register file that "
                "holds every row fold's stationary word and a partial sum"
            )
    pes = np.array([float(t.rows * t.cols) for t in tiles])
    return LayerCosts(values, area_mm2(tiles, table), pes, problems)


def _feasibility(
    tiles: Sequence[Tile],
    layers: LayerArrays,
    rows: np.ndarray,
    cols: np.ndarray,
    sr: np.ndarray,
    sc: np.ndarray,
    buffer_words: list[np.ndarray],
) -> list[list[str]]:
    """Reasons each tile cannot run the workload (empty when it can)."""
    used_r, used_c = np.minimum(rows, sr)[..., 0], np.minimum(cols, sc)[..., 0]
    df = np.array([DATAFLOW_INDEX[t.dataflow] for t in tiles])[:, None]
    stationary_tile = used_r * used_c
    # The smallest tiles: the stationary operand's array-sized tile, one wavefront of
    # the row-streamed operand and one of the column-streamed operand.
    need = {
        INPUT: np.choose(df, [used_r, used_r, stationary_tile, used_r]),
        WEIGHT: np.choose(df, [stationary_tile, used_c, used_r, stationary_tile]),
        OUTPUT: np.choose(df, [used_c, stationary_tile, used_c, used_c]),
    }
    problems: list[list[str]] = [[] for _ in tiles]
    for d, tile in enumerate(tiles):
        rf_needed = (2 * tile.input_bits + tile.psum_bits) / 8
        if tile.rf_bytes < rf_needed:
            problems[d].append(
                f"register file of {tile.rf_bytes} B per PE is below the {rf_needed:g} B "
                "a PE needs (two operands and a partial sum)"
            )
        for op, name in enumerate(OPERANDS):
            have = buffer_words[op][d, 0, 0]
            short = np.nonzero(need[op][d] > have)[0]
            if short.size:
                first = int(short[0])
                problems[d].append(
                    f"{name} buffer holds {have:g} words, fewer than the smallest tile "
                    f"({need[op][d, first]:g} words) of layer {layers.names[first]!r}"
                    + (f" and {short.size - 1} more layers" if short.size > 1 else "")
                )
    return problems
