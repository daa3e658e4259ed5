"""Installing a data set into a data directory, and reporting what is installed.

A source is a local folder (the data set's folder itself, or a folder that contains
``NAME/``), a local archive (``.zip``, ``.tar``, ``.tar.gz``, ``.tgz``), or an
``http(s)://`` URL of such an archive or of the data set's folder (each catalogued file
is then fetched as ``URL/<path>``). Every catalogued file is checked against its sha256
in a staging folder before the data set replaces what was there, so a failed install
leaves the previous copy untouched. Downloads use the standard library's ``urllib``.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dsegym.costmodels.data.catalogue import Dataset, get_dataset
from dsegym.costmodels.data.store import (
    DataCorruptError,
    DataMissingError,
    cache_dir,
    data_dirs,
    sha256_of,
)
from dsegym.errors import ConfigError

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")
DOWNLOAD_TIMEOUT_S = 60.0


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


def _download(url: str, target: Path) -> None:
    try:
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response,
            target.open("wb") as out,
        ):
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DataMissingError(f"cannot download {url!r}: {exc}") from None


def _extract(archive: Path, into: Path) -> None:
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(into)
        else:
            with tarfile.open(archive) as tf:
                # "data" refuses absolute paths, links outside the folder and devices.
                tf.extractall(into, filter="data")
    except (zipfile.BadZipFile, tarfile.TarError, OSError) as exc:
        raise DataCorruptError(f"archive {str(archive)!r} cannot be extracted: {exc}") from None


def _dataset_folder(root: Path, dataset: Dataset) -> Path:
    """The folder under ``root`` that holds the data set's files (itself or ``NAME/``)."""
    probe = dataset.files[0].path
    for candidate in (root, root / dataset.name):
        if (candidate / probe).is_file():
            return candidate
    nested = [p.parent for p in root.rglob(Path(probe).name) if p.is_file()]
    for parent in nested:
        folder = parent
        for _ in Path(probe).parent.parts:
            folder = folder.parent
        if (folder / probe).is_file():
            return folder
    raise DataMissingError(
        f"{str(root)!r} does not hold data set {dataset.name!r}: no {probe!r} in it or in "
        f"{dataset.name}/"
    )


def _stage_from_url(url: str, dataset: Dataset, staging: Path) -> Path:
    if _is_archive(url.split("?")[0]):
        archive = staging / ("download" + "".join(Path(url.split("?")[0]).suffixes[-2:]))
        _download(url, archive)
        _extract(archive, staging / "extracted")
        return _dataset_folder(staging / "extracted", dataset)
    folder = staging / dataset.name
    base = url.rstrip("/")
    for entry in dataset.files:
        target = folder / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        _download(f"{base}/{entry.path}", target)
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


def install(
    name: str, source: str | None, root: Path | None = None, from_sources: Path | None = None
) -> Path:
    """Installs data set ``name`` from ``source`` into ``root`` (default: the user cache).

    Args:
        name: Catalogued data set name.
        source: Local folder or archive, or an http(s) URL (see the module docstring);
            None with ``from_sources``.
        root: Data directory to install into.
        from_sources: Build the files from the original public files in this folder
            instead (:mod:`~dsegym.costmodels.data.nasbench201_sources`).

    Returns:
        The installed data set's folder.

    Raises:
        UnknownNameError: if ``name`` is not catalogued.
        ConfigError: if ``source`` does not exist or ``root`` cannot be written.
        DataMissingError: if the source lacks a file or cannot be downloaded.
        DataCorruptError: if a file's checksum is wrong.
    """
    dataset = get_dataset(name)
    root = (root or cache_dir()).expanduser()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    except OSError as exc:
        raise ConfigError(f"data directory {str(root)!r} cannot be written: {exc}") from None
    try:
        if from_sources is not None:
            from dsegym.costmodels.data.nasbench201_sources import build_dataset

            folder = build_dataset(name, from_sources.expanduser(), staging / "built")
        elif source is None:
            raise ConfigError("SOURCE: give a folder, archive or URL, or --from-sources DIR")
        elif source.startswith(("http://", "https://")):
            folder = _stage_from_url(source, dataset, staging)
        else:
            path = Path(source).expanduser()
            if path.is_dir():
                folder = _dataset_folder(path, dataset)
            elif path.is_file() and _is_archive(path.name):
                _extract(path, staging / "extracted")
                folder = _dataset_folder(staging / "extracted", dataset)
            else:
                raise ConfigError(
                    f"SOURCE {source!r}: not a folder, an archive ({', '.join(ARCHIVE_SUFFIXES)})"
                    " or an http(s) URL"
                )
        _check(folder, dataset)
        final = root / name
        fresh = staging / "ready"
        shutil.copytree(folder, fresh)
        if final.exists():
            old = staging / "previous"
            final.rename(old)
        fresh.rename(final)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
