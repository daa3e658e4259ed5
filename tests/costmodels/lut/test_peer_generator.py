"""Pins the LUT generator's published naive netlists (ISPASS 2026 peer).

Constants recorded from KULeuven-MICAS/ternary-lut-dse at commit 845bf65,
``src/main/resources/lutgen_comb/lutgen_v3_comb_gs_{3,4}.v`` (8-bit activations), as
``experiments/peers/lut_generator_verilog.py`` counts them. Only mu = 3 and 4 were
recorded here (the larger files were not available offline).
"""

import pytest

from dsegym.costmodels.lut import combinatorics as cb

PEER_V3 = {
    3: {"entries": 13, "naive_adders": 14, "entry_bits": 10},
    4: {"entries": 40, "naive_adders": 68, "entry_bits": 11},
}


@pytest.mark.golden
@pytest.mark.parametrize("mu", sorted(PEER_V3))
def test_naive_netlist_counts_match_peer(mu):
    peer = PEER_V3[mu]
    assert cb.table_entries(mu) == peer["entries"]
    assert cb.naive_adders(mu) == peer["naive_adders"]


@pytest.mark.golden
def test_entry_width_is_at_most_the_peers():
    # The peer widens integer entries by mu - 1 bits; ceil(log2 mu) is enough
    # (|sum| <= mu * 128 for 8-bit inputs), so our entries are never wider.
    for mu, peer in PEER_V3.items():
        ours = 8 + cb.int_entry_growth_bits(mu)
        assert ours <= peer["entry_bits"]
        assert 8 + mu - 1 == peer["entry_bits"]


def test_peer_counting_script_on_a_small_netlist(tmp_path):
    import runpy
    from pathlib import Path

    script = Path(__file__).parents[3] / "experiments" / "peers" / "lut_generator_verilog.py"
    count = runpy.run_path(str(script))["count"]
    netlist = tmp_path / "gs2.v"
    netlist.write_text(
        "module LUTGen (\n input [7:0] in_0,\n input [7:0] in_1,\n"
        " output [8:0] out_0,\n output [8:0] out_1,\n output [8:0] out_2,\n"
        " output [8:0] out_3\n);\n"
        "assign out_0 = $signed(in_0) + $signed(in_1);\n"
        "assign out_1 = $signed(in_0);\n"
        "assign out_2 = $signed(in_0) - $signed(in_1);\n"
        "assign out_3 = $signed(in_1);\nendmodule\n"
    )
    assert count(netlist) == {
        "entries": cb.table_entries(2),
        "naive_adders": cb.naive_adders(2),
        "entry_bits": 9,
    }
