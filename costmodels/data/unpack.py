"""Unpacking data archives and copying data folders within documented limits.

A data archive is not trusted: it may only hold plain files and folders, under names
that stay inside the staging folder, each name once. Links, devices and absolute or
``..`` names are refused before anything is written; every file is written new (never
over or through an existing path); the number of members, the bytes written and the
time spent are bounded by :class:`Limits`. The standard library's ``tarfile`` and
``zipfile`` read the archives; the checks and the bounded copy are ours (its ``data``
filter accepts links inside the folder and bounds nothing).
"""

from __future__ import annotations

import lzma
import os
import stat
import tarfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from dsegym.costmodels.data.store import DataCorruptError
from dsegym.errors import DsegymError, shorten

_CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    """What one ``dsegym data install`` may use (the README lists the defaults).

    Attributes:
        download_bytes: Bytes downloaded in all.
        total_bytes: Bytes of files extracted or copied in all.
        members: Files and folders in an archive or source folder.
        seconds: Wall-clock time of the whole install.
        read_timeout_s: Longest wait for the server to send anything.
        expansion: How many times its own size an archive may expand to (tables of
            numbers compress about 5 to 20 times; a compression bomb 1,000 times), with
            ``expansion_floor`` bytes allowed whatever the archive's size.
    """

    download_bytes: int = 2 << 30
    total_bytes: int = 4 << 30
    members: int = 20_000
    seconds: float = 1800.0
    read_timeout_s: float = 60.0
    expansion: float = 100.0
    expansion_floor: int = 64 << 20


class Budget:
    """The part of :class:`Limits` an install has left; raises when one runs out."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.downloaded = self.written = self.members = 0
        self.deadline = time.monotonic() + limits.seconds
        self.expansion_end: int | None = None  # bytes written at which an archive stops

    def tick(self, doing: str) -> None:
        if time.monotonic() > self.deadline:
            raise DataCorruptError(
                f"{doing}: the install took longer than its limit of {self.limits.seconds:g} s"
            )

    def _spend(self, counter: str, n: int, limit: int, message: str) -> None:
        setattr(self, counter, getattr(self, counter) + n)
        if getattr(self, counter) > limit:
            raise DataCorruptError(
                f"{message} {limit:,} {'bytes' if counter != 'members' else 'files and folders'}"
            )

    def download(self, n: int, url: str) -> None:
        limit = self.limits.download_bytes
        self._spend("downloaded", n, limit, f"downloading {shorten(url)!r}: more than the limit of")

    def write(self, n: int, what: str) -> None:
        limit = self.limits.total_bytes
        self._spend("written", n, limit, f"{what}: the files hold more than the limit of")
        if self.expansion_end is not None and self.written > self.expansion_end:
            raise DataCorruptError(
                f"{what}: expands to more than {self.limits.expansion:g} times its size "
                "(a compression bomb?)"
            )

    def member(self, what: str) -> None:
        self._spend("members", 1, self.limits.members, f"{what}: more than the limit of")


def _target(name: str, into: Path, seen: set[str], archive: str) -> Path | None:
    """Where member ``name`` goes under ``into`` (None: the archive's root itself)."""
    path = PurePosixPath(name)
    if "\x00" in name or path.is_absolute() or ".." in path.parts:
        raise DataCorruptError(
            f"archive {archive!r}: member {shorten(name)!r} would be written outside its folder"
        )
    parts = [p for p in path.parts if p not in ("", ".")]
    if not parts:
        return None
    key = "/".join(parts)
    if key in seen:
        raise DataCorruptError(f"archive {archive!r}: member {shorten(name)!r} appears twice")
    seen.add(key)
    return into.joinpath(*parts)


def _write_file(source: IO[bytes], target: Path, budget: Budget, what: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # "x": a new file, never written over or through an existing path.
    with target.open("xb") as out:
        while chunk := source.read(_CHUNK):
            budget.write(len(chunk), what)
            budget.tick(what)
            out.write(chunk)


def _refuse_kind(archive: str, name: str) -> DataCorruptError:
    return DataCorruptError(
        f"archive {archive!r}: member {shorten(name)!r} is a link or special file; data "
        "archives may hold only files and folders"
    )


def _extract_tar(archive: Path, into: Path, budget: Budget) -> None:
    shown, seen = archive.name, set[str]()
    with tarfile.open(archive) as tf:
        for member in tf:  # one at a time: a huge member list is refused as it grows
            budget.member(f"archive {shown!r}")
            budget.tick(f"extracting {shown!r}")
            if not (member.isdir() or member.isreg()):
                raise _refuse_kind(shown, member.name)
            target = _target(member.name, into, seen, shown)
            if target is None:
                continue
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            source = tf.extractfile(member)
            if source is None:
                raise _refuse_kind(shown, member.name)
            with source:
                _write_file(source, target, budget, f"archive {shown!r}")


def _extract_zip(archive: Path, into: Path, budget: Budget) -> None:
    shown, seen = archive.name, set[str]()
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        if len(infos) > budget.limits.members:
            budget.members = budget.limits.members  # the next member() call refuses
        for info in infos:
            budget.member(f"archive {shown!r}")
            budget.tick(f"extracting {shown!r}")
            mode = info.external_attr >> 16
            if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise _refuse_kind(shown, info.filename)
            target = _target(info.filename, into, seen, shown)
            if target is None:
                continue
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            with zf.open(info) as source:
                _write_file(source, target, budget, f"archive {shown!r}")


def extract(archive: Path, into: Path, budget: Budget) -> None:
    """Extracts a ``.zip`` or tar archive (plain, gzip, bzip2 or xz) into new folder ``into``.

    Raises:
        DataCorruptError: one message for a malformed, truncated or refused archive, or a
            limit reached.
    """
    into.mkdir(parents=True)
    allowed = max(budget.limits.expansion * archive.stat().st_size, budget.limits.expansion_floor)
    budget.expansion_end = budget.written + int(allowed)
    try:
        if archive.name.lower().endswith(".zip"):
            _extract_zip(archive, into, budget)
        else:
            _extract_tar(archive, into, budget)
    except DsegymError:
        raise
    except (
        tarfile.TarError,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        zlib.error,
        lzma.LZMAError,
        OSError,
        ValueError,
        NotImplementedError,  # a zip compression method Python lacks
        RuntimeError,  # an encrypted zip member
    ) as exc:
        raise DataCorruptError(
            f"archive {archive.name!r} cannot be extracted (truncated or malformed?): "
            f"{shorten(exc)}"
        ) from None
    finally:
        budget.expansion_end = None


def copy_folder(source: Path, target: Path, budget: Budget) -> None:
    """Copies folder ``source`` to new folder ``target``: plain files and folders only.

    Raises:
        DataCorruptError: for a link or special file in ``source``, or a limit reached.
    """
    shown = shorten(str(source))
    target.mkdir(parents=True)
    for folder, dirs, files in os.walk(source, followlinks=False):
        budget.tick(f"copying {shown!r}")
        relative = Path(folder).relative_to(source)
        for name in sorted(dirs) + sorted(files):
            budget.member(f"folder {shown!r}")
            src = Path(folder) / name
            mode = src.lstat().st_mode
            if stat.S_ISDIR(mode):
                (target / relative / name).mkdir()
            elif stat.S_ISREG(mode):
                with src.open("rb") as fh:
                    _write_file(fh, target / relative / name, budget, f"folder {shown!r}")
            else:
                raise DataCorruptError(
                    f"folder {shown!r}: {shorten(str(relative / name))!r} is a link or special "
                    "file; a data set folder may hold only files and folders"
                )
