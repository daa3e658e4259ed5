"""The catalogue of external data sets dsegym can read: names, files, checksums, schemas.

Each data set is described by a JSON manifest beside this module (``<name>.json``): the
files it holds (paths relative to the data set's folder), each file's sha256 and, for
tables, the columns and row count that the code relies on. The manifests hold facts
about published files (checksums, headers), never the data itself.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from dsegym.errors import UnknownNameError


@dataclass(frozen=True)
class DataFile:
    """One file of a data set.

    Attributes:
        path: Path relative to the data set's folder (``/``-separated).
        sha256: Hex digest of the published file.
        columns: Columns a table must have (empty: not checked).
        rows: Number of data rows a table must have (None: not checked).
    """

    path: str
    sha256: str
    columns: tuple[str, ...] = ()
    rows: int | None = None


@dataclass(frozen=True)
class Dataset:
    """A published data set dsegym reads but never ships.

    Attributes:
        name: Folder name under a data directory, and the name used by ``dsegym data``.
        description: What it holds, in one line.
        source: Where it comes from (for the install message).
        licence: Its licence (it stays under that licence).
        files: Every file dsegym knows of, with its checksum and schema.
    """

    name: str
    description: str
    source: str
    licence: str
    files: tuple[DataFile, ...]

    def file(self, path: str) -> DataFile:
        """The catalogue entry of ``path``.

        Raises:
            UnknownNameError: if the data set has no such file.
        """
        for entry in self.files:
            if entry.path == path:
                return entry
        raise UnknownNameError(f"file of data set {self.name!r}", path, self.file_paths())

    def file_paths(self) -> list[str]:
        return [entry.path for entry in self.files]


def _load_manifest(path: Traversable) -> Dataset:
    raw = json.loads(path.read_text(encoding="utf-8"))
    files = tuple(
        DataFile(
            path=name,
            sha256=spec["sha256"],
            columns=tuple(spec.get("columns", ())),
            rows=spec.get("rows"),
        )
        for name, spec in sorted(raw["files"].items())
    )
    return Dataset(
        name=raw["name"],
        description=raw["description"],
        source=raw["source"],
        licence=raw["licence"],
        files=files,
    )


@functools.cache
def datasets() -> dict[str, Dataset]:
    """Every catalogued data set, by name."""
    manifests = [p for p in resources.files(__package__).iterdir() if p.name.endswith(".json")]
    found = (_load_manifest(p) for p in sorted(manifests, key=lambda p: p.name))
    return {ds.name: ds for ds in found}


def get_dataset(name: str) -> Dataset:
    """The catalogued data set ``name``.

    Raises:
        UnknownNameError: if no data set has that name.
    """
    catalogue = datasets()
    if name not in catalogue:
        raise UnknownNameError("data set", name, list(catalogue))
    return catalogue[name]
