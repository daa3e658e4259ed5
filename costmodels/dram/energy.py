"""DRAM energy by the Micron power-calculator / DRAMPower IDD method.

Per command and per cycle of background state, summed over every supply rail and every
chip of the rank (currents in mA, voltages in V, times in ns, so energies in pJ):

* ACT + PRE pair: ``(IDD0 * tRC - IDD3N * tRAS - IDD2N * tRP) * V * tCK``, with
  ``tRC = tRAS + tRP`` (the current above standby while the bank cycles);
* RD (WR) burst: ``(IDD4R - IDD3N) * BL/2 * V * tCK`` (IDD4W for writes);
* all-bank REF: ``(IDD5 - IDD3N) * tRFC * V * tCK``; a per-bank REF refreshes
  1/banks of the rows an all-bank one does, so it is charged 1/banks of that energy;
* background: IDD3N while any bank is open or refreshing, IDD2N while all are
  precharged, IDD3P / IDD2P in active / precharged power-down.

This is the method the ``energydram`` package implements; the golden tests pin the
per-command energies against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsegym.costmodels.dram.devices import Device


@dataclass(frozen=True)
class CommandEnergies:
    """Energies of one device, in pJ.

    Attributes:
        act_pre: One activate with its precharge.
        read: One read burst (above active standby).
        write: One write burst (above active standby).
        refresh_all_bank: One all-bank refresh (above active standby).
        refresh_per_bank: One per-bank refresh.
        active_standby: One cycle with a bank open (IDD3N).
        precharged_standby: One cycle with all banks precharged (IDD2N).
        active_power_down: One cycle of active power-down (IDD3P).
        precharged_power_down: One cycle of precharged power-down (IDD2P).
    """

    act_pre: float
    read: float
    write: float
    refresh_all_bank: float
    refresh_per_bank: float
    active_standby: float
    precharged_standby: float
    active_power_down: float
    precharged_power_down: float


def command_energies(device: Device) -> CommandEnergies:
    """The per-command and per-cycle energies of ``device`` (whole rank, all rails)."""
    t = device.timing
    ras, rp, rfc, bl2 = t["RAS"], t["RP"], t["RFC"], device.burst_cycles
    rc = ras + rp
    sums = dict.fromkeys(("act", "rd", "wr", "ref", "idd3n", "idd2n", "idd3p", "idd2p"), 0.0)
    for domain in device.power_domains:
        i = domain.idd
        scale = domain.voltage * device.tck_ns * device.chips
        sums["act"] += (i["idd0"] * rc - i["idd3n"] * ras - i["idd2n"] * rp) * scale
        sums["rd"] += (i["idd4r"] - i["idd3n"]) * bl2 * scale
        sums["wr"] += (i["idd4w"] - i["idd3n"]) * bl2 * scale
        sums["ref"] += (i["idd5"] - i["idd3n"]) * rfc * scale
        for state in ("idd3n", "idd2n", "idd3p", "idd2p"):
            sums[state] += i[state] * scale
    return CommandEnergies(
        act_pre=sums["act"],
        read=sums["rd"],
        write=sums["wr"],
        refresh_all_bank=sums["ref"],
        refresh_per_bank=sums["ref"] / device.banks,
        active_standby=sums["idd3n"],
        precharged_standby=sums["idd2n"],
        active_power_down=sums["idd3p"],
        precharged_power_down=sums["idd2p"],
    )


@dataclass(frozen=True)
class EnergyBreakdown:
    """Energy of one simulation by component, in pJ."""

    act_pre: float
    read_write: float
    refresh: float
    background: float
    power_down: float

    @property
    def total(self) -> float:
        return self.act_pre + self.read_write + self.refresh + self.background + self.power_down


def energy_breakdown(
    device: Device,
    *,
    n_act: int,
    n_read: int,
    n_write: int,
    n_refresh_all_bank: int,
    n_refresh_per_bank: int,
    total_cycles: int,
    active_cycles: int,
    active_power_down_cycles: int,
    precharged_power_down_cycles: int,
) -> EnergyBreakdown:
    """Sums command and background energies over one simulation.

    ``active_cycles`` counts cycles with a bank open or refreshing, power-down
    included; the remaining cycles are precharged.
    """
    e = command_energies(device)
    active_up = max(active_cycles - active_power_down_cycles, 0)
    precharged_up = max(total_cycles - active_cycles - precharged_power_down_cycles, 0)
    return EnergyBreakdown(
        act_pre=n_act * e.act_pre,
        read_write=n_read * e.read + n_write * e.write,
        refresh=n_refresh_all_bank * e.refresh_all_bank + n_refresh_per_bank * e.refresh_per_bank,
        background=active_up * e.active_standby + precharged_up * e.precharged_standby,
        power_down=active_power_down_cycles * e.active_power_down
        + precharged_power_down_cycles * e.precharged_power_down,
    )
