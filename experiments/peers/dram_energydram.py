"""Regenerates the golden per-command DRAM energies from the ``energydram`` package.

Run it in a separate virtualenv (energydram is not a dsegym dependency):

    python -m venv /work/peers/dram && /work/peers/dram/bin/pip install energydram pyyaml
    /work/peers/dram/bin/python experiments/peers/dram_energydram.py

It reads dsegym's device presets straight from their YAML files (so it needs neither
dsegym nor numba) and prints, per device, the energies in pJ that
``tests/costmodels/dram/test_energy_golden.py`` pins. energydram's time unit is the
clock period and its current unit mA, so energies come out in pJ.

DDR3 and DDR4 go through ``energydram.EnergyDDR``. energydram's ``EnergyLPDDR``
hard-codes 4 burst cycles for LPDDR4 (BL8), a burst length LPDDR4 does not have (BL16
or BL32), and nothing in energydram handles HBM2, so for LPDDR4 and HBM2 the script sums
``energydram.VoltageDomain`` objects (energydram's own per-rail model) built with the
device's real burst cycles (BL/2); for LPDDR4 it also prints what ``EnergyLPDDR`` gives.
"""

from __future__ import annotations

import json
from pathlib import Path

import energydram
import yaml

DEVICES = Path(__file__).resolve().parents[2] / "costmodels" / "dram" / "devices"


def _idds(idd: dict[str, float]) -> energydram.IDDs:
    return energydram.IDDs(**{k: float(v) for k, v in idd.items()})


def _domains(spec: dict) -> list[energydram.VoltageDomain]:
    tck = 1000.0 / spec["clock_mhz"]
    bursts = spec["burst_length"] // 2
    return [
        energydram.VoltageDomain(tck, d["voltage"], _idds(d["idd"]), spec["chips"], bursts)
        for d in spec["power_domains"]
    ]


def energies(spec: dict) -> dict[str, float]:
    t = spec["timing_cycles"]
    timing = energydram.Timing(
        RAS=t["RAS"], REFI=t["REFI"], RFC=t["RFC"], RP=t["RP"], RRD=t["RRD_S"]
    )
    tck = 1000.0 / spec["clock_mhz"]
    domains = spec["power_domains"]
    if spec["standard"] in ("DDR3", "DDR4"):
        kwargs = {}
        if spec["standard"] == "DDR4":
            kwargs = {"vpp": domains[1]["voltage"], "ipps": _idds(domains[1]["idd"])}
        model = energydram.EnergyDDR(
            tck,
            timing,
            domains[0]["voltage"],
            _idds(domains[0]["idd"]),
            spec["chips"],
            ddr=int(spec["standard"][-1]),
            **kwargs,
        )
        act = model.activate_energy()
        rd = model.readwrite_energy(num_rd=1, num_wr=0)
        wr = model.readwrite_energy(num_rd=0, num_wr=1)
        ref = model.refresh_energy()
        vdoms = model.vdoms
    else:
        vdoms = _domains(spec)
        act = sum(v.activate_energy(timing) for v in vdoms)
        rd = sum(v.readwrite_energy(num_rd=1, num_wr=0) for v in vdoms)
        wr = sum(v.readwrite_energy(num_rd=0, num_wr=1) for v in vdoms)
        ref = sum(v.refresh_energy(timing) for v in vdoms)
    out = {
        "act_pre": act,
        "read": rd,
        "write": wr,
        "refresh_all_bank": ref,
        "active_standby": sum(v.background_energy(cycles_bankact_ckehi=1) for v in vdoms),
        "precharged_standby": sum(v.background_energy(cycles_bankpre_ckehi=1) for v in vdoms),
        "active_power_down": sum(v.background_energy(cycles_bankact_ckelo=1) for v in vdoms),
        "precharged_power_down": sum(v.background_energy(cycles_bankpre_ckelo=1) for v in vdoms),
    }
    if spec["standard"] == "LPDDR4":
        idds = [_idds(d["idd"]) for d in domains]
        lp = energydram.EnergyLPDDR(
            tck,
            timing,
            domains[0]["voltage"],
            idds[0],
            domains[1]["voltage"],
            idds[1],
            domains[2]["voltage"],
            idds[2],
            spec["chips"],
            ddr=4,
        )
        out["energylpddr_read_bl8"] = lp.readwrite_energy(num_rd=1, num_wr=0)
    return out


def main() -> None:
    table = {}
    for path in sorted(DEVICES.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        table[spec["name"]] = energies(spec)
    print(json.dumps(table, indent=4, sort_keys=True))


if __name__ == "__main__":
    main()
