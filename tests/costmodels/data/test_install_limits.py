"""`data install` trusts no archive or server: links refused, sizes, counts and time bounded,
staging removed on any exit, the previous good copy kept."""

from __future__ import annotations

import hashlib
import http.server
import importlib
import io
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsegym.cli import main
from dsegym.costmodels.data.catalogue import DataFile, Dataset
from dsegym.costmodels.data.unpack import Limits
from dsegym.errors import DsegymError

install_module = importlib.import_module("dsegym.costmodels.data.install")
GOOD = b"a,b\n1,2\n"
TOY = Dataset(
    "toy", "a test data set", "tests", "CC0", (DataFile("t.csv", hashlib.sha256(GOOD).hexdigest()),)
)
SMALL = Limits(download_bytes=1 << 20, total_bytes=1 << 20, members=50, seconds=5.0)


@pytest.fixture(autouse=True)
def toy_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    real = install_module.get_dataset
    monkeypatch.setattr(install_module, "get_dataset", lambda n: TOY if n == "toy" else real(n))


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]], mode: str = "w:gz"):
    with tarfile.open(path, mode) as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                tf.addfile(info, io.BytesIO(m[1]))
    return path


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def _no_staging(root: Path) -> bool:
    return not any(p.name.startswith(".toy-") for p in root.iterdir())


def test_a_good_archive_installs(tmp_path):
    archive = _tar(tmp_path / "a.tar.gz", [("toy/t.csv", GOOD), ("toy/LICENSE", b"CC0")])
    folder = install_module.install("toy", str(archive), tmp_path / "root", SMALL)
    assert (folder / "t.csv").read_bytes() == GOOD and (folder / "LICENSE").is_file()
    assert _no_staging(tmp_path / "root")


@pytest.mark.parametrize(
    "link", [_link("toy/loop", "."), _link("toy/up", "../.."), _link("toy/h", "toy/t.csv", b"1")]
)
def test_links_in_archives_are_refused(tmp_path, link):
    archive = _tar(tmp_path / "a.tar.gz", [("toy/t.csv", GOOD), link])
    with pytest.raises(install_module.DataCorruptError, match="link"):
        install_module.install("toy", str(archive), tmp_path / "root", SMALL)
    assert _no_staging(tmp_path / "root")


def test_zip_symlinks_are_refused(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("toy/t.csv", GOOD)
        info = zipfile.ZipInfo("toy/loop")
        info.external_attr = (0o120777 << 16) | 0
        zf.writestr(info, ".")
    with pytest.raises(install_module.DataCorruptError, match="link"):
        install_module.install("toy", str(archive), tmp_path / "root", SMALL)


def test_a_folder_with_links_is_refused(tmp_path):
    source = tmp_path / "src" / "toy"
    source.mkdir(parents=True)
    (source / "t.csv").write_bytes(GOOD)
    os.symlink(".", source / "loop")
    with pytest.raises(install_module.DataCorruptError, match="link"):
        install_module.install("toy", str(source), tmp_path / "root", SMALL)


def test_a_gzip_bomb_stops_at_the_size_limit(tmp_path):
    archive = _tar(tmp_path / "bomb.tar.gz", [("toy/t.csv", GOOD), ("toy/zeros", bytes(8 << 20))])
    assert archive.stat().st_size < 64 << 10
    with pytest.raises(install_module.DataCorruptError, match="limit of 1,048,576 bytes"):
        install_module.install("toy", str(archive), tmp_path / "root", SMALL)
    assert _no_staging(tmp_path / "root")
    # Under the default size limits, the expansion limit stops it.
    ratio = Limits(expansion=100.0, expansion_floor=1 << 20)
    with pytest.raises(install_module.DataCorruptError, match="compression bomb"):
        install_module.install("toy", str(archive), tmp_path / "root", ratio)


def test_too_many_members_are_refused(tmp_path):
    members = [("toy/t.csv", GOOD)] + [(f"toy/f{i}", b"") for i in range(60)]
    for name, fmt in (("a.tar", "w"), ("a.zip", None)):
        archive = tmp_path / name
        if fmt:
            _tar(archive, members, fmt)
        else:
            with zipfile.ZipFile(archive, "w") as zf:
                for n, blob in members:
                    zf.writestr(n, blob)
        with pytest.raises(install_module.DataCorruptError, match="limit of 50 files"):
            install_module.install("toy", str(archive), tmp_path / "root", SMALL)


def test_a_truncated_archive_is_one_message_and_exit_2(tmp_path, capsys):
    whole = _tar(tmp_path / "a.tar.gz", [("toy/t.csv", GOOD), ("toy/big", os.urandom(200_000))])
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[:-50_000])
    with pytest.raises(SystemExit) as exc:
        main(["data", "install", "toy", str(cut), "--to", str(tmp_path / "root")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "cannot be extracted" in err and "Traceback" not in err


class _Endless(http.server.BaseHTTPRequestHandler):
    delay = 0.0

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.send_response(200)
        self.end_headers()
        try:
            while True:
                self.wfile.write(b"x" if self.delay else bytes(1 << 16))
                self.wfile.flush()
                time.sleep(self.delay)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


class _Slow(_Endless):
    delay = 0.2


def _serve(handler: type) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def endless() -> Iterator[str]:
    yield from _serve(_Endless)


@pytest.fixture
def slow() -> Iterator[str]:
    yield from _serve(_Slow)


def test_an_endless_download_stops_at_the_download_limit(tmp_path, endless):
    with pytest.raises(install_module.DataCorruptError, match="limit of 1,048,576 bytes"):
        install_module.install("toy", f"{endless}/toy.tar.gz", tmp_path / "root", SMALL)
    assert _no_staging(tmp_path / "root")


def test_a_slow_download_stops_at_the_time_limit(tmp_path, slow):
    start = time.monotonic()
    limits = Limits(seconds=1.5, read_timeout_s=1.0)
    with pytest.raises(install_module.DataCorruptError, match="longer than its limit"):
        install_module.install("toy", f"{slow}/toy.tar.gz", tmp_path / "root", limits)
    assert time.monotonic() - start < 10


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_install_removes_its_staging_folder(tmp_path, slow, sig):
    root = tmp_path / "root"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dsegym.cli", "data", "install", "nasbench201"]
        + [f"{slow}/nb.tar.gz", "--to", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    end = time.monotonic() + 60
    while not (root.is_dir() and any(p.name.startswith(".nasbench201-") for p in root.iterdir())):
        assert time.monotonic() < end and proc.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert not any(p.name.startswith(".nasbench201-") for p in root.iterdir())


def test_staging_left_by_a_killed_install_is_removed_by_the_next(tmp_path):
    root = tmp_path / "root"
    stale = root / ".toy-abc123"
    stale.mkdir(parents=True)
    (stale / install_module.STAGING_MARKER).touch()
    mine = root / ".toy-not-staging"  # no marker: not dsegym's, left alone
    mine.mkdir()
    archive = _tar(tmp_path / "a.tar.gz", [("toy/t.csv", GOOD)])
    install_module.install("toy", str(archive), root, SMALL)
    assert not stale.exists() and mine.is_dir()


# ------------------------------------------------------------------ property test
_NAMES = st.sampled_from(
    ["toy/t.csv", "t.csv", "toy/a", "toy/sub/b", "/etc/x", "../x", "toy/../../x", "a/./b", ""]
)
_MEMBER = st.tuples(
    st.sampled_from(["file", "dir", "symlink", "hardlink"]),
    _NAMES,
    st.sampled_from([".", "..", "/", "../../outside", "toy/t.csv", "t.csv"]),
    st.sampled_from([GOOD, b"", b"junk", bytes(5000)]),
)


def _random_archive(path: Path, members: list, as_zip: bool) -> None:
    if as_zip:
        with zipfile.ZipFile(path, "w") as zf:
            for kind, name, target, blob in members:
                info = zipfile.ZipInfo(name or "x")
                if kind in ("symlink", "hardlink"):
                    info.external_attr = 0o120777 << 16
                    blob = target.encode()
                elif kind == "dir":
                    info = zipfile.ZipInfo((name or "d").rstrip("/") + "/")
                    blob = b""
                zf.writestr(info, blob)
        return
    with tarfile.open(path, "w:gz") as tf:
        for kind, name, target, blob in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(blob)
                tf.addfile(info, io.BytesIO(blob))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE}.get(
                kind, tarfile.LNKTYPE
            )
            info.linkname = target
            tf.addfile(info)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for dirpath, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(dirpath) / name
            out[str(p.relative_to(folder))] = p.read_bytes() if p.is_file() else None
    return out


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(members=st.lists(_MEMBER, max_size=8), as_zip=st.booleans())
def test_random_archives_never_escape_crash_or_lose_the_good_copy(members, as_zip):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "a" / "b"
        root = base / "root"
        good = _tar(Path(tmp) / "good.tar.gz", [("toy/t.csv", GOOD)])
        install_module.install("toy", str(good), root, SMALL)
        archive = base / ("x.zip" if as_zip else "x.tar.gz")
        _random_archive(archive, members, as_zip)
        before = _snapshot(Path(tmp))
        try:
            install_module.install("toy", str(archive), root, SMALL)
            installed = True
        except DsegymError:
            installed = False
        after = _snapshot(Path(tmp))
        # Only root/toy may change, and only when the install succeeded.
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        allowed = {k for k in changed if k.startswith("a/b/root/toy/") or k == "a/b/root/toy"}
        assert changed == (allowed if installed else set())
        assert (root / "toy" / "t.csv").read_bytes() == GOOD
        assert _no_staging(root)
