"""Address mapping: byte addresses to (bank, row, column) of one device."""

from __future__ import annotations

import numpy as np

from dsegym.costmodels.dram.devices import Device
from dsegym.errors import WorkloadError


def check_capacity(address: np.ndarray, device: Device, trace_name: str = "trace") -> None:
    """Raises ``WorkloadError`` if an address lies beyond the device's capacity."""
    highest = int(address.max())
    if highest >= device.capacity_bytes:
        raise WorkloadError(
            f"trace {trace_name!r}: address 0x{highest:x} is beyond the "
            f"{device.capacity_bytes / 2**20:g} MiB of device {device.name} "
            f"(highest valid address 0x{device.capacity_bytes - 1:x})"
        )


def decode(
    address: np.ndarray, device: Device, mapping: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Splits byte addresses into bank, row and column (burst index within the row).

    Bank numbers run over all bank groups; bank ``b`` lies in group ``b %
    bank_groups``, so consecutive bank numbers alternate bank groups (as DRAMSys' DDR4
    mappings place the bank-group bits below the bank bits).

    Args:
        address: Byte addresses (below the device capacity).
        device: The device.
        mapping: One of ``config.ADDRESS_MAPPINGS``.
    """
    burst = np.asarray(address, dtype=np.int64) // device.burst_bytes
    n_col, n_bank, n_row = device.bursts_per_row, device.banks, device.rows
    if mapping == "RowBankColumn":
        col, rest = burst % n_col, burst // n_col
        bank, row = rest % n_bank, (rest // n_bank) % n_row
    elif mapping == "BankRowColumn":
        col, rest = burst % n_col, burst // n_col
        row, bank = rest % n_row, (rest // n_row) % n_bank
    elif mapping == "RowColumnBank":
        bank, rest = burst % n_bank, burst // n_bank
        col, row = rest % n_col, (rest // n_col) % n_row
    else:
        raise ValueError(f"unknown address mapping {mapping!r}")
    return bank.astype(np.int32), row.astype(np.int32), col.astype(np.int32)


def encode(bank: int, row: int, col: int, device: Device, mapping: str) -> int:
    """The byte address of (bank, row, column); the inverse of :func:`decode`."""
    n_col, n_bank, n_row = device.bursts_per_row, device.banks, device.rows
    if mapping == "RowBankColumn":
        burst = (row * n_bank + bank) * n_col + col
    elif mapping == "BankRowColumn":
        burst = (bank * n_row + row) * n_col + col
    elif mapping == "RowColumnBank":
        burst = (row * n_col + col) * n_bank + bank
    else:
        raise ValueError(f"unknown address mapping {mapping!r}")
    return burst * device.burst_bytes
