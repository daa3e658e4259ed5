"""Memory traces and DRAMSys' ``.stl`` trace format.

An ``.stl`` line is ``<cycle>: [(<length>)] <read|write> <hex address> [<hex data>]``;
the cycle counts clock periods of the trace player (its ``clkMhz``), ``#`` starts a
comment. :func:`read_stl` and :func:`write_stl` convert between that format and a
:class:`Trace`, whose times are in nanoseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsegym.errors import WorkloadError, shorten

# Limits that keep every later step exact and small: times (and the device cycles they
# become) stay far inside int64, addresses fit int64, and splitting requests into bursts
# never needs more than a few hundred MB.
MAX_TIME_NS = 1e15  # 11.6 days of trace; x 10 GHz = 1e16 cycles, far below 2**63
MAX_ADDRESS = 2**63 - 1
MAX_REQUEST_BYTES = 2**20  # 1 MiB in one request line
MAX_TRACE_BYTES = 2**30  # 1 GiB requested by the whole trace (16M 64-byte bursts)

_LINE = re.compile(
    r"^\s*(\d+)\s*:\s*(?:\(\s*(\d+)\s*\)\s*)?(read|write)\s+(0[xX][0-9a-fA-F]+|\d+)"
    r"(?:\s+(?:0[xX])?[0-9a-fA-F]+)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Trace:
    """A sequence of memory requests in issue order.

    Attributes:
        time_ns: Issue time of each request (non-decreasing), in ns.
        is_write: True for writes.
        address: Byte address of each request.
        length: Bytes each request asks for; 0 means one DRAM burst.
        name: A label for records and error messages.
    """

    time_ns: np.ndarray
    is_write: np.ndarray
    address: np.ndarray
    length: np.ndarray
    name: str = "trace"

    def __post_init__(self) -> None:
        n = len(self.time_ns)
        if not (len(self.is_write) == len(self.address) == len(self.length) == n):
            raise WorkloadError(f"trace {self.name!r}: columns have different lengths")
        if n == 0:
            raise WorkloadError(f"trace {self.name!r}: has no requests")
        if not np.all(np.isfinite(self.time_ns)) or np.any(self.time_ns < 0):
            raise WorkloadError(f"trace {self.name!r}: times must be finite and non-negative")
        if np.any(self.time_ns > MAX_TIME_NS):
            raise WorkloadError(
                f"trace {self.name!r}: a request is issued after {MAX_TIME_NS:.0e} ns, "
                "beyond what the simulator can count exactly"
            )
        if np.any(np.diff(self.time_ns) < 0):
            raise WorkloadError(f"trace {self.name!r}: times must not decrease")
        if np.any(self.address < 0):
            raise WorkloadError(f"trace {self.name!r}: negative address")
        if np.any(self.length < 0) or int(self.length.sum(dtype=np.float64)) > MAX_TRACE_BYTES:
            raise WorkloadError(
                f"trace {self.name!r}: request lengths must be non-negative and total at "
                f"most {MAX_TRACE_BYTES:,} bytes"
            )

    @classmethod
    def from_arrays(
        cls,
        time_ns: np.ndarray,
        is_write: np.ndarray,
        address: np.ndarray,
        name: str = "trace",
    ) -> Trace:
        """Builds a trace of one-burst requests."""
        time = np.asarray(time_ns, dtype=np.float64)
        return cls(
            time,
            np.asarray(is_write, dtype=bool),
            np.asarray(address, dtype=np.int64),
            np.zeros(len(time), dtype=np.int64),
            name,
        )

    def __len__(self) -> int:
        return len(self.time_ns)

    def split_into_bursts(self, burst_bytes: int) -> Trace:
        """Splits requests longer than one burst into consecutive one-burst requests."""
        counts = np.maximum(1, -(-self.length // burst_bytes))
        if np.all(counts == 1):
            return self
        if np.any(self.address > MAX_ADDRESS - counts * burst_bytes):
            raise WorkloadError(f"trace {self.name!r}: a request runs past the 64-bit range")
        index = np.repeat(np.arange(len(self)), counts)
        offset = np.arange(len(index)) - np.repeat(np.cumsum(counts) - counts, counts)
        return Trace(
            self.time_ns[index],
            self.is_write[index],
            self.address[index] + offset * burst_bytes,
            np.zeros(len(index), dtype=np.int64),
            self.name,
        )


def read_stl(path: str | Path, clock_mhz: float) -> Trace:
    """Reads a DRAMSys ``.stl`` trace.

    Args:
        path: The trace file.
        clock_mhz: Clock of the trace player; cycle ``c`` is issued at ``c * 1000 /
            clock_mhz`` ns.

    Raises:
        WorkloadError: if the file is missing, a line is malformed (the message names
            the file and line number), or the cycles decrease.
    """
    path = Path(path)
    if clock_mhz <= 0:
        raise WorkloadError(f"{path}: the trace clock must be positive, got {clock_mhz}")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise WorkloadError(f"cannot read trace {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise WorkloadError(
            f"{path}: not a UTF-8 text trace (byte {exc.start} cannot be decoded)"
        ) from None
    total_bytes = 0
    cycles: list[int] = []
    writes: list[bool] = []
    addresses: list[int] = []
    lengths: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise WorkloadError(
                f"{path}, line {number}: expected '<cycle>: [(<length>)] read|write "
                f"<hex address> [<hex data>]', got {shorten(repr(raw.strip()))}"
            )
        where = f"{path}, line {number}"
        cycle = int(match.group(1))
        if cycle * (1000.0 / clock_mhz) > MAX_TIME_NS:
            raise WorkloadError(
                f"{where}: cycle {shorten(cycle, 40)} is too large (at most "
                f"{int(MAX_TIME_NS * clock_mhz / 1000):,} cycles of a {clock_mhz:g} MHz clock)"
            )
        if cycles and cycle < cycles[-1]:
            raise WorkloadError(f"{where}: cycle {cycle} is earlier than the previous {cycles[-1]}")
        length = int(match.group(2) or 0)
        if length > MAX_REQUEST_BYTES:
            raise WorkloadError(
                f"{where}: request length {shorten(length, 40)} bytes is more than "
                f"{MAX_REQUEST_BYTES:,}"
            )
        total_bytes += length
        if total_bytes > MAX_TRACE_BYTES:
            raise WorkloadError(
                f"{where}: the requests so far ask for more than {MAX_TRACE_BYTES:,} bytes"
            )
        address = int(match.group(4), 0)
        if address > MAX_ADDRESS:
            raise WorkloadError(
                f"{where}: address {shorten(match.group(4), 40)} is beyond the 64-bit range"
            )
        cycles.append(cycle)
        lengths.append(length)
        writes.append(match.group(3).lower() == "write")
        addresses.append(address)
    if not cycles:
        raise WorkloadError(f"{path}: the trace has no requests")
    return Trace(
        np.asarray(cycles, dtype=np.float64) * (1000.0 / clock_mhz),
        np.asarray(writes, dtype=bool),
        np.asarray(addresses, dtype=np.int64),
        np.asarray(lengths, dtype=np.int64),
        path.stem,
    )


def write_stl(trace: Trace, path: str | Path, clock_mhz: float) -> None:
    """Writes ``trace`` as a DRAMSys ``.stl`` file with cycles of a ``clock_mhz`` clock.

    Times are rounded to the nearest cycle, so reading the file back at the same clock
    gives the same requests with times on that clock's grid.
    """
    cycles = np.rint(trace.time_ns * clock_mhz / 1000.0).astype(np.int64)
    ops = np.where(trace.is_write, "write", "read")
    lines = [f"# {trace.name}: {len(trace)} requests, cycles of a {clock_mhz:g} MHz clock"]
    for c, op, a, n in zip(cycles, ops, trace.address, trace.length, strict=True):
        length = f"({n}) " if n else ""
        lines.append(f"{c}: {length}{op} 0x{int(a):x}")
    Path(path).write_text("\n".join(lines) + "\n")
