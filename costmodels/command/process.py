"""Running a simulator so that nothing it starts outlives its evaluation.

The simulator runs in a session of its own, with a per-evaluation token in its
environment. While it runs, its descendants are polled (so a child that calls
``setsid`` is still known); when it exits, times out, or dsegym is interrupted, its
process group, every known descendant and every process that carries the token are
killed. Its standard output and error are read by threads that keep only their last
bytes, so a simulator that prints without end costs bounded memory.

psutil does the process-table work; the bounded tail and the kill sweep are ours (no
library runs a command with both).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil

#: The environment variable that marks every process of one evaluation.
TOKEN_ENV = "DSEGYM_EVALUATION_TOKEN"
#: Bytes of standard output kept (the last ones: the last match of a pattern counts).
MAX_STDOUT_BYTES = 8 << 20
#: Bytes of standard error kept (only its tail is ever quoted).
MAX_STDERR_BYTES = 64 << 10
#: How often the simulator's descendants are listed while it runs.
POLL_S = 0.05
#: How long to wait for the pipes to close once everything has been killed.
PIPE_GRACE_S = 5.0


class _Tail(threading.Thread):
    """Reads a pipe to its end, keeping its last ``limit`` bytes."""

    def __init__(self, pipe: IO[bytes], limit: int):
        super().__init__(daemon=True)
        self.pipe, self.limit = pipe, limit
        self.buffer = bytearray()
        self.total = 0

    def run(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := os.read(self.pipe.fileno(), 1 << 16):
                self.total += len(chunk)
                self.buffer += chunk
                if len(self.buffer) > 2 * self.limit:
                    del self.buffer[: len(self.buffer) - self.limit]
        with contextlib.suppress(OSError):
            self.pipe.close()

    def text(self) -> str:
        return bytes(self.buffer[-self.limit :]).decode("utf-8", errors="replace")

    @property
    def truncated(self) -> bool:
        return self.total > self.limit


@dataclass(frozen=True)
class Finished:
    """How a simulator run ended (``returncode`` None: it could not start)."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    stdout_truncated: bool = False
    start_error: str = ""


def run_command(argv: list[str], cwd: Path, env: Mapping[str, str], timeout_s: float) -> Finished:
    """Runs ``argv`` in ``cwd``; kills all it started when it ends, times out or is interrupted."""
    token = uuid.uuid4().hex
    # Process start times are rounded to clock ticks: a second of margin.
    since = time.time() - 1.0
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**env, TOKEN_ENV: token},
            start_new_session=True,
        )
    except (OSError, ValueError) as exc:
        return Finished(None, "", "", start_error=str(exc))
    assert proc.stdout is not None and proc.stderr is not None
    out, err = _Tail(proc.stdout, MAX_STDOUT_BYTES), _Tail(proc.stderr, MAX_STDERR_BYTES)
    out.start()
    err.start()
    known: dict[int, psutil.Process] = {}
    timed_out = False
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            try:
                proc.wait(timeout=max(0.0, min(POLL_S, left)))
                break
            except subprocess.TimeoutExpired:
                _remember_descendants(proc.pid, known)
                if left <= 0:
                    timed_out = True
                    break
    finally:
        kill_tree(proc, known, token, since)
        out.join(PIPE_GRACE_S)
        err.join(PIPE_GRACE_S)
    return Finished(proc.returncode, out.text(), err.text(), timed_out, out.truncated)


def _remember_descendants(pid: int, known: dict[int, psutil.Process]) -> None:
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process(pid).children(recursive=True):
            known.setdefault(child.pid, child)


def _carriers(token: str, since: float) -> list[psutil.Process]:
    """Processes started after ``since`` (epoch seconds) whose environment has ``token``.

    They may have left the session and lost their parent (a daemonising simulator); the
    start-time filter keeps the sweep to a read of each process's start time.
    """
    found = []
    for p in psutil.process_iter(["create_time"]):
        try:
            if p.info["create_time"] >= since and p.environ().get(TOKEN_ENV) == token:
                found.append(p)
        except (psutil.Error, OSError):
            continue  # gone, or another user's
    return found


def kill_tree(
    proc: subprocess.Popen[bytes], known: dict[int, psutil.Process], token: str, since: float
) -> None:
    """Kills the simulator's group, its known descendants and every token carrier."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    # A second sweep catches what forked while the first was killing.
    for _ in range(2):
        _remember_descendants(proc.pid, known)
        victims = list(known.values()) + _carriers(token, since)
        for p in victims:
            with contextlib.suppress(psutil.Error):
                p.kill()  # psutil refuses a pid that now belongs to another process
        if not victims:
            break
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    proc.wait()
