"""The external-data module: locating, checking, installing (folder, archive, URL)."""

from __future__ import annotations

import functools
import http.server
import shutil
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsegym.cli import main
from dsegym.costmodels import data
from dsegym.errors import UnknownNameError


def _shared_data() -> Path:
    """The shared copy of the data sets: the first data directory that has them."""
    for root in data.data_dirs()[:-1]:
        if (root / "nasbench201").is_dir():
            return root
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


SHARED = _shared_data()
needs_shared = pytest.mark.skipif(
    not (SHARED / "nasbench201").is_dir(), reason=f"shared data not at {SHARED}"
)


@pytest.fixture
def empty_data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No data directory but an empty cache under tmp_path."""
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "dsegym"


def test_catalogue_lists_both_data_sets() -> None:
    assert {"nasbench201", "farsi"} <= set(data.datasets())
    nb = data.get_dataset("nasbench201")
    assert nb.file("latency_ms.csv").rows == 15625
    with pytest.raises(UnknownNameError):
        data.get_dataset("cifar")


def test_missing_data_set_names_the_install_command(empty_data_env: Path) -> None:
    with pytest.raises(data.DataMissingError) as info:
        data.read_table("nasbench201", "latency_ms.csv")
    message = str(info.value)
    assert "dsegym data install nasbench201" in message
    assert data.DATA_DIR_ENV in message


def test_cli_reports_missing_data_with_exit_code_2(
    empty_data_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["data", "install", "nasbench201", str(empty_data_env / "nowhere")])
    assert info.value.code == 2
    assert "SOURCE" in capsys.readouterr().err


@needs_shared
def test_install_from_folder_then_read(empty_data_env: Path) -> None:
    folder = data.install("nasbench201", str(SHARED))
    assert folder == empty_data_env / "nasbench201"
    assert data.status("nasbench201").ok
    table = data.read_table("nasbench201", "accuracy_200epoch_subset.csv")
    assert len(table) == 725


@needs_shared
def test_corrupt_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "dd" / "nasbench201"
    shutil.copytree(SHARED / "nasbench201", copy)
    target = copy / "accuracy_200epoch_subset.csv"
    target.chmod(0o644)
    target.write_text(target.read_text().replace("88.34", "88.35", 1))
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "dd"))
    with pytest.raises(data.DataCorruptError) as info:
        data.read_table("nasbench201", "accuracy_200epoch_subset.csv")
    assert "accuracy_200epoch_subset.csv" in str(info.value)
    assert data.status("nasbench201").files[0].state in {"ok", "corrupt"}
    with pytest.raises(data.DataCorruptError):
        data.install("nasbench201", str(copy), root=tmp_path / "other")
    assert not (tmp_path / "other" / "nasbench201").exists()


@needs_shared
def test_install_from_archive(tmp_path: Path, empty_data_env: Path) -> None:
    archive = tmp_path / "nb.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(SHARED / "nasbench201", arcname="nasbench201")
    data.install("nasbench201", str(archive))
    assert data.status("nasbench201").ok


@pytest.fixture
def local_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving the shared data folder."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SHARED))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@needs_shared
def test_install_from_url(local_server: str, empty_data_env: Path) -> None:
    main_args = ["data", "install", "nasbench201", f"{local_server}/nasbench201/"]
    with pytest.raises(SystemExit) as info:
        main(main_args)
        raise SystemExit(0)
    assert info.value.code == 0
    assert data.status("nasbench201").ok
    assert data.locate("nasbench201") == empty_data_env / "nasbench201"


@needs_shared
def test_install_from_url_with_missing_file_fails_cleanly(
    local_server: str, empty_data_env: Path
) -> None:
    with pytest.raises(data.DataMissingError) as info:
        data.install("nasbench201", f"{local_server}/farsi/")
    assert "cannot download" in str(info.value)
    assert not (empty_data_env / "nasbench201").exists()
