"""Counts table entries and adders in the LUT generator's pre-generated Verilog.

Peer: KULeuven-MICAS/ternary-lut-dse (the hardware generator of "Hardware Generation
and Exploration of Lookup Table-Based Accelerators for 1.58-bit LLM Inference", ISPASS
2026). Its ``src/main/resources/lutgen_comb/lutgen_v3_comb_gs_<mu>.v`` files are the
naive table-build netlists: one ``assign`` per stored entry, summing that entry's
non-zero terms. This script reports, per group size, the number of entries (output
ports), the number of binary add/subtract operators (= naive adders) and the entry
width, which ``tests/costmodels/lut/test_peer_generator.py`` pins as constants.

Usage (needs a local checkout of the peer; nothing is downloaded):
    python experiments/peers/lut_generator_verilog.py /path/to/ternary-lut-dse
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_OUTPUT = re.compile(r"output\s*\[(\d+):0\]\s*out_\d+")
_ASSIGN = re.compile(r"assign\s+out_\d+\s*=\s*(.*?);", re.S)
_TERM = re.compile(r"\$signed")


def count(path: Path) -> dict[str, int]:
    text = path.read_text()
    widths = {int(w) + 1 for w in _OUTPUT.findall(text)}
    assigns = _ASSIGN.findall(text)
    adders = sum(len(_TERM.findall(rhs)) - 1 for rhs in assigns)
    return {"entries": len(assigns), "naive_adders": adders, "entry_bits": max(widths)}


def main(root: str) -> None:
    folder = Path(root) / "src/main/resources/lutgen_comb"
    for mu in range(3, 8):
        path = folder / f"lutgen_v3_comb_gs_{mu}.v"
        if path.is_file():
            print(mu, count(path))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
