"""The NAS tests read the ``nasbench201`` data set from DSEGYM_DATA_DIR (CI sets it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dsegym.costmodels.nas import tables


@pytest.fixture
def no_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An empty data directory and an empty cache, with the tables forgotten."""
    monkeypatch.setenv("DSEGYM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "data").mkdir()
    tables.clear_caches()
    yield
    tables.clear_caches()
