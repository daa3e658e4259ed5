"""Runs SCALE-Sim 3.0.0 on the golden cases and prints its cycle counts as JSON.

Run with the peer venv (SCALE-Sim pins its own numpy, so it stays out of dsegym's
install)::

    python -m venv /work/peers/accel
    /work/peers/accel/bin/pip install scalesim==3.0.0
    /work/peers/accel/bin/python experiments/peers/scalesim_cycles.py > cycles.json

The printed numbers are the constants pinned in
``tests/costmodels/accelerator/test_golden_scalesim.py``. Each case is
``[label, kind, dims, rows, cols, dataflow, bandwidth, sram_kb]``: ``kind`` is ``conv`` (dims:
ifmap h, ifmap w, filter h, filter w, channels, filters, stride) or ``gemm`` (dims:
M, N, K); ``bandwidth`` is ``None`` for SCALE-Sim's CALC mode (no stalls) or the
DRAM words per cycle of USER mode; ``sram_kb`` (default 64) sizes each of the three
SRAMs.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

CASES: list[list] = [
    ["conv_s1_ws_8x8", "conv", [14, 14, 3, 3, 16, 32, 1], 8, 8, "ws", None],
    ["conv_s1_os_8x8", "conv", [14, 14, 3, 3, 16, 32, 1], 8, 8, "os", None],
    ["conv_s1_is_8x8", "conv", [14, 14, 3, 3, 16, 32, 1], 8, 8, "is", None],
    ["conv_s2_ws_16x8", "conv", [15, 15, 3, 3, 8, 24, 2], 16, 8, "ws", None],
    ["conv_s2_os_16x8", "conv", [15, 15, 3, 3, 8, 24, 2], 16, 8, "os", None],
    ["conv_s2_is_16x8", "conv", [15, 15, 3, 3, 8, 24, 2], 16, 8, "is", None],
    ["conv_1x1_ws_32x32", "conv", [7, 7, 1, 1, 64, 40, 1], 32, 32, "ws", None],
    ["conv_1x1_os_32x32", "conv", [7, 7, 1, 1, 64, 40, 1], 32, 32, "os", None],
    ["conv_1x1_is_32x32", "conv", [7, 7, 1, 1, 64, 40, 1], 32, 32, "is", None],
    ["gemm_ws_4x16", "gemm", [50, 30, 70], 4, 16, "ws", None],
    ["gemm_os_4x16", "gemm", [50, 30, 70], 4, 16, "os", None],
    ["gemm_is_4x16", "gemm", [50, 30, 70], 4, 16, "is", None],
    ["gemm_ws_16x16", "gemm", [64, 48, 40], 16, 16, "ws", None],
    ["gemm_os_16x16", "gemm", [64, 48, 40], 16, 16, "os", None],
    ["gemm_is_16x16", "gemm", [64, 48, 40], 16, 16, "is", None],
    ["gemm_ws_8x8_bw1", "gemm", [64, 48, 40], 8, 8, "ws", 1],
    ["gemm_ws_8x8_bw2", "gemm", [64, 48, 40], 8, 8, "ws", 2],
    ["gemm_os_8x8_bw1", "gemm", [64, 48, 40], 8, 8, "os", 1],
    ["gemm_is_8x8_bw1", "gemm", [64, 48, 40], 8, 8, "is", 1],
    ["conv_ws_8x8_bw1", "conv", [14, 14, 3, 3, 16, 32, 1], 8, 8, "ws", 1],
    ["conv_os_8x8_bw2", "conv", [14, 14, 3, 3, 16, 32, 1], 8, 8, "os", 2],
    ["conv_is_16x16_bw4", "conv", [14, 14, 3, 3, 16, 32, 1], 16, 16, "is", 4],
    # Small SRAMs so operands stream from DRAM while computing: these stall.
    ["gemm_ws_8x8_bw1_s2k", "gemm", [256, 64, 128], 8, 8, "ws", 1, 2],
    ["gemm_ws_8x8_bw2_s2k", "gemm", [256, 64, 128], 8, 8, "ws", 2, 2],
    ["gemm_ws_8x8_bw4_s2k", "gemm", [256, 64, 128], 8, 8, "ws", 4, 2],
    ["gemm_os_8x8_bw1_s2k", "gemm", [256, 64, 128], 8, 8, "os", 1, 2],
    ["gemm_os_8x8_bw2_s2k", "gemm", [256, 64, 128], 8, 8, "os", 2, 2],
    ["gemm_is_8x8_bw1_s2k", "gemm", [256, 64, 128], 8, 8, "is", 1, 2],
    ["gemm_is_8x8_bw2_s2k", "gemm", [256, 64, 128], 8, 8, "is", 2, 2],
    ["gemm_ws_16x16_bw2_s4k", "gemm", [512, 128, 96], 16, 16, "ws", 2, 4],
    ["gemm_ws_16x16_bw8_s4k", "gemm", [512, 128, 96], 16, 16, "ws", 8, 4],
    ["gemm_os_16x16_bw4_s4k", "gemm", [512, 128, 96], 16, 16, "os", 4, 4],
    ["gemm_is_16x16_bw4_s4k", "gemm", [512, 128, 96], 16, 16, "is", 4, 4],
    ["conv_ws_8x8_bw1_s4k", "conv", [28, 28, 3, 3, 16, 32, 1], 8, 8, "ws", 1, 4],
    ["conv_os_8x8_bw2_s4k", "conv", [28, 28, 3, 3, 16, 32, 1], 8, 8, "os", 2, 4],
]

CONFIG = """[general]
run_name = golden

[architecture_presets]
ArrayHeight : {rows}
ArrayWidth : {cols}
IfmapSramSzkB : {sram_kb}
FilterSramSzkB : {sram_kb}
OfmapSramSzkB : {sram_kb}
IfmapOffset : 0
FilterOffset : 10000000
OfmapOffset : 20000000
Bandwidth : {bw}
Dataflow : {df}
ReadRequestBuffer : 32
WriteRequestBuffer : 32

[layout]
IfmapCustomLayout : False
IfmapSRAMBankBandwidth : {bw}
IfmapSRAMBankNum : 1
IfmapSRAMBankPort : 2
FilterCustomLayout : False
FilterSRAMBankBandwidth : {bw}
FilterSRAMBankNum : 1
FilterSRAMBankPort : 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth : {mode}
UseRamulatorTrace : False
"""

SRAM_KB = 64


def run_case(case: list) -> dict:
    from scalesim.scale_sim import scalesim

    label, kind, dims, rows, cols, df, bw = case[:7]
    sram_kb = case[7] if len(case) > 7 else SRAM_KB
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "cfg.cfg"
        cfg.write_text(
            CONFIG.format(
                rows=rows,
                cols=cols,
                sram_kb=sram_kb,
                bw=bw or 10,
                df=df,
                mode="USER" if bw else "CALC",
            )
        )
        topo = Path(tmp) / "topo.csv"
        if kind == "conv":
            header = "Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
            header += "Channels, Num Filter, Strides,\n"
            topo.write_text(header + "L0, " + ", ".join(map(str, dims)) + ",\n")
        else:
            topo.write_text("Layer, M, N, K,\nL0, " + ", ".join(map(str, dims)) + ",\n")
        layout = Path(tmp) / "layout.csv"
        # Custom layouts are off; SCALE-Sim still opens a layout file, one row per layer.
        layout.write_text("Layer," + "x," * 20 + "\nL0," + "1," * 20 + "\n")
        sim = scalesim(
            save_disk_space=True,
            verbose=False,
            config=str(cfg),
            topology=str(topo),
            layout=str(layout),
            input_type_gemm=kind == "gemm",
        )
        with contextlib.redirect_stdout(io.StringIO()):
            sim.run_scale(top_path=tmp)
        layer = sim.runner.single_layer_sim_object_list[0]
        _, total, stalls, util, mapping_eff, _ = layer.get_compute_report_items()
        detail = layer.get_detail_report_items()
        return {
            "label": label,
            "total_cycles": int(total),
            "stall_cycles": int(stalls),
            "utilisation_pct": float(util),
            "ifmap_sram_reads": int(detail[2]),
            "filter_sram_reads": int(detail[5]),
            "ofmap_sram_writes": int(detail[8]),
            "ifmap_dram_reads": int(detail[11]),
            "filter_dram_reads": int(detail[14]),
            "ofmap_dram_writes": int(detail[17]),
        }


def main(argv: list[str]) -> None:
    wanted = set(argv)
    results = [run_case(c) for c in CASES if not wanted or c[0] in wanted]
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
