"""Installing a data set into a data directory, and reporting what is installed.

A source is a local folder (the data set's folder itself, or a folder that contains
``NAME/``), a local archive (``.zip``, ``.tar``, ``.tar.gz``, ``.tgz``), or an
``http(s)://`` URL of such an archive or of the data set's folder (each catalogued file
is then fetched as ``URL/<path>``). Every catalogued file is checked against its sha256
in a staging folder before the data set replaces what was there, so a failed install
leaves the previous copy untouched. Archives and folders may hold only files and
folders (see :mod:`~dsegym.costmodels.data.unpack`); downloads, extraction and time
are bounded by :class:`~dsegym.costmodels.data.unpack.Limits`. Downloads use the
standard library's ``urllib``.
"""

from __future__ import annotations

import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from dsegym.costmodels.data.catalogue import Dataset, get_dataset
from dsegym.costmodels.data.store import (
    DataCorruptError,
    DataMissingError,
    cache_dir,
    data_dirs,
    sha256_of,
)
from dsegym.costmodels.data.unpack import Budget, Limits, copy_folder, extract
from dsegym.errors import ConfigError, shorten

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
#: Longest wait for a server to send anything (see Limits.read_timeout_s).
DOWNLOAD_TIMEOUT_S = Limits().read_timeout_s
#: The file that marks a folder as an install's staging folder (safe to remove).
STAGING_MARKER = ".dsegym-staging"


@dataclass(frozen=True)
class FileStatus:
    """The state of one catalogued file in an installed data set."""

    path: str
    state: str  # "ok", "missing" or "corrupt"
    sha256: str | None


@dataclass(frozen=True)
class DatasetStatus:
    """Where a data set is installed (None: nowhere) and the state of each file."""

    name: str
    folder: Path | None
    files: tuple[FileStatus, ...]

    @property
    def ok(self) -> bool:
        return self.folder is not None and all(f.state == "ok" for f in self.files)


def status(name: str) -> DatasetStatus:
    """Checks every file of data set ``name`` in the first data directory that has it."""
    dataset = get_dataset(name)
    folder = next((d / name for d in data_dirs() if (d / name).is_dir()), None)
    if folder is None:
        return DatasetStatus(name, None, ())
    files = []
    for entry in dataset.files:
        full = folder / entry.path
        if not full.is_file():
            files.append(FileStatus(entry.path, "missing", None))
            continue
        digest = sha256_of(full)
        files.append(FileStatus(entry.path, "ok" if digest == entry.sha256 else "corrupt", digest))
    return DatasetStatus(name, folder, tuple(files))


def _is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _download(url: str, target: Path, budget: Budget | None = None) -> None:
    """Fetches ``url`` into ``target`` within the budget's bytes and time."""
    budget = budget or Budget(Limits())
    try:
        with (
            urllib.request.urlopen(url, timeout=budget.limits.read_timeout_s) as response,
            target.open("wb") as out,
        ):
            while True:
                budget.tick(f"downloading {shorten(url)!r}")
                chunk = response.read1(1 << 16)  # whatever has arrived: the clock is checked
                if not chunk:
                    break
                budget.download(len(chunk), url)
                out.write(chunk)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        raise DataMissingError(f"cannot download {shorten(url)!r}: {shorten(exc)}") from None


def _extract(archive: Path, into: Path, budget: Budget | None = None) -> None:
    extract(archive, into, budget or Budget(Limits()))


def _dataset_folder(root: Path, dataset: Dataset, budget: Budget | None = None) -> Path:
    """The folder under ``root`` that holds the data set's files (itself or ``NAME/``)."""
    budget = budget or Budget(Limits())
    probe = dataset.files[0].path
    for candidate in (root, root / dataset.name):
        if (candidate / probe).is_file():
            return candidate
    depth = len(Path(probe).parts) - 1
    for folder, dirs, files in os.walk(root, followlinks=False):
        budget.tick(f"searching {shorten(str(root))!r}")
        dirs.sort()
        for _ in dirs + files:
            budget.member(f"folder {shorten(str(root))!r}")
        if Path(probe).name in files:
            candidate = Path(folder)
            for _ in range(depth):
                candidate = candidate.parent
            if (candidate / probe).is_file():
                return candidate
    raise DataMissingError(
        f"{str(root)!r} does not hold data set {dataset.name!r}: no {probe!r} in it or in "
        f"{dataset.name}/"
    )


def _stage_from_url(url: str, dataset: Dataset, staging: Path, budget: Budget) -> Path:
    if _is_archive(url.split("?")[0]):
        archive = staging / ("download" + "".join(Path(url.split("?")[0]).suffixes[-2:]))
        _download(url, archive, budget)
        _extract(archive, staging / "extracted", budget)
        return _dataset_folder(staging / "extracted", dataset, budget)
    folder = staging / dataset.name
    base = url.rstrip("/")
    for entry in dataset.files:
        target = folder / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        _download(f"{base}/{entry.path}", target, budget)
    return folder


def _check(folder: Path, dataset: Dataset) -> None:
    for entry in dataset.files:
        full = folder / entry.path
        if not full.is_file():
            raise DataMissingError(f"data set {dataset.name!r}: the source lacks {entry.path!r}")
        digest = sha256_of(full)
        if digest != entry.sha256:
            raise DataCorruptError(
                f"data set {dataset.name!r}: {entry.path!r} has sha256 {digest}, expected "
                f"{entry.sha256} (a corrupt copy or another version)"
            )


def _remove_stale_staging(root: Path, name: str) -> None:
    """Removes staging folders an install killed outright (SIGKILL) left behind.

    Only folders that carry dsegym's staging marker; the caller holds the install lock.
    """
    for folder in root.glob(f".{name}-*"):
        if folder.is_dir() and not folder.is_symlink() and (folder / STAGING_MARKER).is_file():
            shutil.rmtree(folder, ignore_errors=True)


def install(
    name: str,
    source: str | None,
    root: Path | None = None,
    limits: Limits | None = None,
    from_sources: Path | None = None,
) -> Path:
    """Installs data set ``name`` from ``source`` into ``root`` (default: the user cache).

    Everything happens in a staging folder under ``root``, removed on any exit (an error,
    Ctrl-C or SIGTERM); the previous copy is replaced only once the new one is complete
    and every file's checksum matches, and is put back if the swap fails.

    Args:
        name: Catalogued data set name.
        source: Local folder or archive, or an http(s) URL (see the module docstring);
            None with ``from_sources``.
        root: Data directory to install into.
        limits: Download size, extracted size, member count and time (default: Limits()).
        from_sources: Build the files from the original public files in this folder
            instead (:mod:`~dsegym.costmodels.data.nasbench201_sources`).

    Returns:
        The installed data set's folder.

    Raises:
        UnknownNameError: if ``name`` is not catalogued.
        ConfigError: if ``source`` does not exist or ``root`` cannot be written.
        DataMissingError: if the source lacks a file or cannot be downloaded.
        DataCorruptError: if a file's checksum is wrong, the archive is malformed or
            refused, or a limit is reached.
    """
    dataset = get_dataset(name)
    root = (root or cache_dir()).expanduser()
    budget = Budget(limits or Limits())
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(root / f".{name}.install.lock"))
        lock.acquire(timeout=0)
    except Timeout:
        raise ConfigError(
            f"data set {name!r} is being installed into {str(root)!r} by another process"
        ) from None
    except OSError as exc:
        raise ConfigError(f"data directory {str(root)!r} cannot be written: {exc}") from None
    try:
        _remove_stale_staging(root, name)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
        (staging / STAGING_MARKER).touch()
        try:
            return _install_staged(dataset, source, root, staging, budget, from_sources)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        lock.release()


def _install_staged(
    dataset: Dataset,
    source: str | None,
    root: Path,
    staging: Path,
    budget: Budget,
    from_sources: Path | None = None,
) -> Path:
    fresh = staging / "ready"
    if from_sources is not None:
        from dsegym.costmodels.data.nasbench201_sources import build_dataset

        fresh.mkdir()
        build_dataset(dataset.name, from_sources.expanduser(), fresh)
    elif source is None:
        raise ConfigError("SOURCE: give a folder, archive or URL, or --from-sources DIR")
    elif source.startswith(("http://", "https://")):
        folder = _stage_from_url(source, dataset, staging, budget)
        folder.rename(fresh)
    else:
        path = Path(source).expanduser()
        if path.is_dir():
            copy_folder(_dataset_folder(path.resolve(), dataset, budget), fresh, budget)
        elif path.is_file() and _is_archive(path.name):
            _extract(path, staging / "extracted", budget)
            _dataset_folder(staging / "extracted", dataset, budget).rename(fresh)
        else:
            raise ConfigError(
                f"SOURCE {shorten(source)!r}: not a folder, an archive "
                f"({', '.join(ARCHIVE_SUFFIXES)}) or an http(s) URL"
            )
    _check(fresh, dataset)  # the copy that will be installed, not the source
    final = root / dataset.name
    old = staging / "previous"
    if final.exists() or final.is_symlink():
        final.rename(old)
    try:
        fresh.rename(final)
    except OSError:
        if old.exists() or old.is_symlink():
            old.rename(final)  # the previous good copy stays
        raise
    return final
