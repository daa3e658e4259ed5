"""Where external data sets live, and reading their files with checks done once.

A data set ``NAME`` is a folder ``<data directory>/NAME``. The data directories are
searched in order: every entry of ``DSEGYM_DATA_DIR`` (``os.pathsep``-separated), then
the per-user cache (``$XDG_CACHE_HOME/dsegym``, by default ``~/.cache/dsegym``), which is
where ``dsegym data install`` puts what it installs. A file is checked against its
catalogued sha256 (and, for tables, its columns and row count) the first time a process
reads it; the result is remembered for as long as the file is unchanged.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsegym.costmodels.data.catalogue import DataFile, Dataset, get_dataset
from dsegym.errors import DsegymError

if TYPE_CHECKING:
    import pandas as pd

DATA_DIR_ENV = "DSEGYM_DATA_DIR"


class DataMissingError(DsegymError):
    """A data set (or one of its files) is not installed; the message says how to."""


class DataCorruptError(DsegymError):
    """A data file's checksum or schema is wrong; the message names the file."""


def cache_dir() -> Path:
    """The per-user folder ``dsegym data install`` writes to."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dsegym"


def data_dirs() -> list[Path]:
    """The data directories searched, in order (``DSEGYM_DATA_DIR`` first, then the cache)."""
    entries = [e for e in os.environ.get(DATA_DIR_ENV, "").split(os.pathsep) if e.strip()]
    return [Path(e).expanduser().resolve() for e in entries] + [cache_dir()]


def install_hint(dataset: Dataset) -> str:
    """One sentence telling the user how to make ``dataset`` available."""
    return (
        f"install it with `dsegym data install {dataset.name} SOURCE` (SOURCE: a folder, "
        f"archive or URL holding the files; source of the data: {dataset.source}), or set "
        f"{DATA_DIR_ENV} to a folder that contains {dataset.name}/"
    )


def locate(name: str) -> Path:
    """The folder of data set ``name``: the first data directory that has it.

    Raises:
        UnknownNameError: if ``name`` is not catalogued.
        DataMissingError: if no data directory holds it.
    """
    dataset = get_dataset(name)
    for root in data_dirs():
        if (root / name).is_dir():
            return root / name
    searched = ", ".join(str(d) for d in data_dirs())
    raise DataMissingError(
        f"data set {name!r} ({dataset.description}) is not installed (searched: {searched}); "
        + install_hint(dataset)
    )


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# (path, size, mtime_ns) of files whose checksum matched in this process.
_verified: set[tuple[str, int, int]] = set()


def verify(path: Path, entry: DataFile, dataset: Dataset) -> None:
    """Checks ``path`` against its catalogued checksum (once per unchanged file).

    Raises:
        DataCorruptError: on a checksum mismatch.
    """
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _verified:
        return
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise DataCorruptError(
            f"data file {str(path)!r} is corrupt or of another version: sha256 {actual}, "
            f"expected {entry.sha256}; reinstall it: " + install_hint(dataset)
        )
    _verified.add(key)


def data_file(name: str, path: str, *, checked: bool = True) -> Path:
    """The checked path of file ``path`` of data set ``name``.

    ``checked=False`` skips the checksum: only for diagnosing a file that failed it (a
    model can then point at the malformed cell rather than just the file).

    Raises:
        DataMissingError: if the data set or the file is absent.
        DataCorruptError: if the file's checksum is wrong.
    """
    dataset = get_dataset(name)
    entry = dataset.file(path)
    folder = locate(name)
    full = folder / path
    if not full.is_file():
        raise DataMissingError(
            f"data file {str(full)!r} of data set {name!r} is missing; " + install_hint(dataset)
        )
    if checked:
        verify(full, entry, dataset)
    return full


def read_table(
    name: str, path: str, *, checked: bool = True, **read_csv_kwargs: Any
) -> pd.DataFrame:
    """Reads a CSV file of a data set after checking its checksum, columns and rows.

    Args:
        name: Data set name (e.g. ``"nasbench201"``).
        path: File path inside the data set (e.g. ``"latency_ms.csv"``).
        checked: ``False`` skips the checksum (see :func:`data_file`); the columns and
            rows are still checked.
        **read_csv_kwargs: Passed to :func:`pandas.read_csv`.

    Raises:
        DataMissingError: if the data set or file is absent.
        DataCorruptError: on a wrong checksum, missing columns or a wrong row count.
    """
    import pandas as pd

    dataset = get_dataset(name)
    entry = dataset.file(path)
    full = data_file(name, path, checked=checked)
    try:
        frame = pd.read_csv(full, **read_csv_kwargs)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataCorruptError(f"data file {str(full)!r} cannot be read as CSV: {exc}") from None
    missing = [c for c in entry.columns if c not in frame.columns]
    if missing:
        raise DataCorruptError(
            f"data file {str(full)!r} lacks columns {missing}; " + install_hint(dataset)
        )
    if entry.rows is not None and len(frame) != entry.rows:
        raise DataCorruptError(
            f"data file {str(full)!r} has {len(frame)} rows, expected {entry.rows}; "
            + install_hint(dataset)
        )
    return frame
