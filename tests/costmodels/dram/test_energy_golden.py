"""Per-command energies against the energydram package (Micron / DRAMPower IDD method).

The constants were produced by ``experiments/peers/dram_energydram.py`` with
energydram 0.4.0 from the same device YAML files; rerun it to regenerate them.
"""

import dataclasses

import pytest

from dsegym.costmodels.dram.devices import device_names, load_device
from dsegym.costmodels.dram.energy import command_energies

# energydram 0.4.0, pJ (whole rank, all rails). LPDDR4 and HBM2 via energydram's
# VoltageDomain with the device's real burst cycles (see the script's docstring).
ENERGYDRAM_PJ = {
    "ddr3-1600": {
        "act_pre": 14250.0,
        "read": 5700.0,
        "write": 6000.0,
        "refresh_all_bank": 165000.0,
        "active_standby": 675.0,
        "precharged_standby": 675.0,
        "active_power_down": 525.0,
        "precharged_power_down": 450.0,
    },
    "ddr4-2400": {
        "act_pre": 11818.5,
        "read": 4496.0,
        "write": 3992.0,
        "refresh_all_bank": 185296.0,
        "active_standby": 352.0,
        "precharged_standby": 306.0,
        "active_power_down": 180.0,
        "precharged_power_down": 136.0,
    },
    "hbm2": {
        "act_pre": 756.0,
        "read": 804.0,
        "write": 1068.0,
        "refresh_all_bank": 51480.0,
        "active_standby": 66.0,
        "precharged_standby": 48.0,
        "active_power_down": 48.0,
        "precharged_power_down": 33.6,
    },
    "lpddr4-3200": {
        "act_pre": 1204.6875,
        "read": 2168.375,
        "write": 1288.375,
        "refresh_all_bank": 22386.0,
        "active_standby": 23.671875,
        "precharged_standby": 21.328125,
        "active_power_down": 8.053125,
        "precharged_power_down": 3.928125,
    },
}
# energydram's EnergyLPDDR read energy for LPDDR4: it assumes 4 burst cycles (BL8).
ENERGYLPDDR_LPDDR4_READ_BL8_PJ = 1084.1875


def test_every_device_is_pinned():
    assert sorted(ENERGYDRAM_PJ) == device_names()


@pytest.mark.golden
@pytest.mark.parametrize(
    ("device", "component"),
    [(d, c) for d, table in sorted(ENERGYDRAM_PJ.items()) for c in sorted(table)],
)
def test_command_energy_matches_energydram(device, component):
    ours = dataclasses.asdict(command_energies(load_device(device)))[component]
    assert ours == pytest.approx(ENERGYDRAM_PJ[device][component], rel=0.01)


@pytest.mark.golden
def test_lpddr4_read_differs_from_energylpddr_only_by_its_bl8_assumption():
    ours = command_energies(load_device("lpddr4-3200")).read
    assert ours == pytest.approx(2 * ENERGYLPDDR_LPDDR4_READ_BL8_PJ, rel=1e-9)


def test_per_bank_refresh_is_a_bank_share_of_all_bank_refresh():
    e = command_energies(load_device("lpddr4-3200"))
    assert e.refresh_per_bank == pytest.approx(e.refresh_all_bank / 8)


@pytest.mark.golden
def test_micron_ddr3_power_calculator_example():
    """Micron's DDR3 power calculator (DDR3_Power_Calc.xlsm) for a 2 Gb x8 -125E part,
    fast exit, as its powers are quoted in energydram's own tests (mW, one chip)."""
    from dsegym.costmodels.dram.devices import _device_from_dict

    ddr3 = load_device("ddr3-1600")
    timing = dict(ddr3.timing, RAS=28, RP=10, RFC=128, REFI=6240)  # 35, 12.5, 160, 7800 ns
    spec = {
        **dataclasses.asdict(ddr3),
        "timing_cycles": timing,
        "chips": 1,
        "power_domains": [
            {
                "name": "VDD",
                "voltage": 1.5,
                "idd": {
                    "idd0": 95,
                    "idd2p": 35,
                    "idd2n": 42,
                    "idd3p": 40,
                    "idd3n": 45,
                    "idd4r": 180,
                    "idd4w": 185,
                    "idd5": 215,
                },
            }  # fmt: skip
        ],
    }
    device = _device_from_dict(spec, "micron-example")
    e = command_energies(device)
    tck = device.tck_ns
    assert e.precharged_power_down / tck == pytest.approx(52.5, abs=0.1)
    assert e.precharged_standby / tck == pytest.approx(63.0, abs=0.1)
    assert e.active_power_down / tck == pytest.approx(60.0, abs=0.1)
    assert e.active_standby / tck == pytest.approx(67.5, abs=0.1)
    assert e.act_pre / ((28 + 10) * tck) == pytest.approx(76.2, abs=0.1)  # one ACT per tRC
    assert e.read / (4 * tck) == pytest.approx(202.5, abs=0.1)  # data bus always busy
    assert e.write / (4 * tck) == pytest.approx(210.0, abs=0.1)
    assert e.refresh_all_bank / (6240 * tck) == pytest.approx(5.2, abs=0.1)  # one REF per tREFI
