"""Building the NAS-Bench-201 CSVs from the original files, on small files written in
the originals' formats (the real ones are not downloaded in tests)."""

from __future__ import annotations

import collections
import hashlib
import io
import json
import math
import pickle
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.costmodels.data import DataCorruptError, DataMissingError
from dsegym.costmodels.data import nasbench201_sources as src

CELLS = [
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
]
# NASLib's key of CELLS[1] (op codes in NASLib's edge order), as in zc_nasbench201.json
NASLIB_CELL_1 = "(0, 2, 3, 2, 3, 1)"
NASLIB_CELL_2 = "(1, 1, 1, 1, 1, 1)"


def torch_list(values: list[float]) -> bytes:
    """A list as ``torch.save`` writes it: a zip holding a protocol-2 pickle."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(values, protocol=2))
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


def entry(accuracy: float, flops: float, params: float) -> dict:
    return {
        "idx": "7",
        "val_accuracy": accuracy,
        "flops": {"score": flops, "time": 0.1},
        "params": {"score": params, "time": 0.1},
    }


def write_sources(folder: Path) -> dict[str, src.SourceFile]:
    """Small originals in ``folder``, and the checksums they are expected to have."""
    frame = pd.DataFrame(
        {
            "arch": [2, 0, 1],
            "cellstr": pd.Series([CELLS[2], CELLS[0], CELLS[1]], dtype=object),
            "cifar10-test": [10.0, 69.55, 88.22],
            "cifar10-val": [10.0, 63.364, 82.834],
            "cifar100-test": [1.0, 31.26, 58.26],
            "cifar100-val": [1.0, 31.84, 57.8],
            "imagenet-test": [0.833333, 17.0, 33.8],
            "imagenet-val": [0.833333, 18.466667, 35.433333],
        }
    )
    # Object-dtype labels and strings, as in the published pickle (pandas 1.x).
    frame.columns = pd.Index(list(frame.columns), dtype=object)
    files = {
        "mini-bench-arch-cell-accs.pd": pickle.dumps(frame, protocol=4),
        "zc_nasbench201.json": json.dumps(
            {
                "cifar10": {
                    NASLIB_CELL_1: entry(86.06, 88.307392, 0.615386),
                    NASLIB_CELL_2: entry(10.0, 5.0, 0.1),
                },
                "cifar100": {NASLIB_CELL_1: entry(62.02, 88.313152, 0.621236)},
                "ImageNet16-120": {NASLIB_CELL_1: entry(32.20000001017252, 22.084672, 0.622536)},
            }
        ).encode(),
        "latency/gpu_1.pt": torch_list([10.75437068939209, 12.900347709655762, 3.0]),
        "latency/phone.pt": torch_list([9, 17, 4]),
    }
    roles = {
        "mini-bench-arch-cell-accs.pd": "accuracy_12",
        "zc_nasbench201.json": "accuracy_200",
        "latency/gpu_1.pt": "gpu_1",
        "latency/phone.pt": "phone",
    }
    expected = {}
    for path, content in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(content)
        expected[roles[path]] = src.SourceFile(
            path, f"https://example.org/{path}", src.git_blob_id(content),
            hashlib.sha256(content).hexdigest(),
        )  # fmt: skip
    return expected


def test_git_blob_id_matches_git():
    # `printf 'hello\n' | git hash-object --stdin`
    assert src.git_blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_naslib_arch_keys_map_to_cell_strings():
    assert src.naslib_cell_string(NASLIB_CELL_1) == CELLS[1]
    with pytest.raises(ValueError, match="six op codes"):
        src.naslib_cell_string("(0, 1, 7, 0, 0, 0)")


def test_builds_the_three_tables(tmp_path):
    sources = write_sources(tmp_path / "orig")
    written = src.build_from_sources(tmp_path / "orig", tmp_path / "out", sources)
    assert [p.name for p in written] == [
        "accuracy_12epoch.csv",
        "accuracy_200epoch_subset.csv",
        "latency_ms.csv",
    ]
    acc12 = (tmp_path / "out" / "accuracy_12epoch.csv").read_text().splitlines()
    assert acc12[0] == (
        "index,arch,cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,"
        "imagenet16_valid,imagenet16_test"
    )
    assert acc12[1] == f"0,{CELLS[0]},63.3640,69.5500,31.8400,31.2600,18.4667,17.0000"
    assert [row.split(",")[0] for row in acc12[1:]] == ["0", "1", "2"]
    acc200 = (tmp_path / "out" / "accuracy_200epoch_subset.csv").read_text().splitlines()
    assert acc200[1] == (
        f"1,{CELLS[1]},86.060000,88.307392,0.615386,62.020000,88.313152,0.621236,"
        "32.200000,22.084672,0.622536"
    )
    assert acc200[2] == f"2,{CELLS[2]},10.000000,5.000000,0.100000,,,,,,"
    latency = (tmp_path / "out" / "latency_ms.csv").read_text().splitlines()
    assert latency == [
        "index,gpu_1,phone",
        "0,10.75437,9.00000",
        "1,12.90035,17.00000",
        "2,3.00000,4.00000",
    ]


def test_an_original_with_another_checksum_is_refused_before_parsing(tmp_path, monkeypatch):
    sources = write_sources(tmp_path)
    (tmp_path / "mini-bench-arch-cell-accs.pd").write_bytes(b"\x80\x04N.")
    monkeypatch.setattr(src, "frame_from_pickle", lambda *a: pytest.fail("unpickled"))
    with pytest.raises(DataCorruptError, match="mini-bench-arch-cell-accs.pd.*not the published"):
        src.build_from_sources(tmp_path, tmp_path / "out", sources)


def test_a_missing_original_names_its_url(tmp_path):
    sources = write_sources(tmp_path)
    (tmp_path / "latency" / "phone.pt").unlink()
    with pytest.raises(DataMissingError, match="https://example.org/latency/phone.pt"):
        src.build_from_sources(tmp_path, tmp_path / "out", sources)


def test_latency_file_with_anything_but_numbers_is_refused():
    evil = torch_list([1.0, collections.OrderedDict()])  # a class reference
    with pytest.raises(DataCorruptError, match="not only a list of numbers"):
        src.numbers_from_torch_list(evil, "latency/x.pt")
    with pytest.raises(DataCorruptError, match="not a torch zip"):
        src.numbers_from_torch_list(b"plain", "latency/x.pt")


def test_accuracy_pickle_with_a_foreign_class_is_refused():
    data = pickle.dumps(collections.OrderedDict(a=1), protocol=4)
    with pytest.raises(DataCorruptError, match="refused class collections.OrderedDict"):
        src.frame_from_pickle(data, "mini-bench-arch-cell-accs.pd")


def test_latency_of_wrong_length_is_refused():
    with pytest.raises(DataCorruptError, match="expected 3 positive latencies"):
        src.build_latency({"gpu": torch_list([1.0, 2.0])}, 3)
    with pytest.raises(DataCorruptError, match="expected 3 positive latencies"):
        src.build_latency({"gpu": torch_list([1.0, math.nan, 2.0])}, 3)


def cli(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code or 0)


def test_cli_checks_the_published_checksums(tmp_path, capsys):
    write_sources(tmp_path / "orig")
    argv = ["data", "install", "nasbench201", "--from-sources", str(tmp_path / "orig")]
    assert cli([*argv, "--to", str(tmp_path / "data")]) == 2
    text = capsys.readouterr().err
    assert "not the published file" in text and "github.com/BayesWatch" in text
    assert not (tmp_path / "data" / "nasbench201").exists()
    # No staging folder left behind (the install lock's file may stay, as filelock leaves it).
    left = [p.name for p in (tmp_path / "data").iterdir() if not p.name.endswith(".lock")]
    assert left == []


def test_cli_needs_exactly_one_source(tmp_path, capsys):
    assert cli(["data", "install", "nasbench201", "--to", str(tmp_path)]) == 2
    assert "exactly one of SOURCE and --from-sources" in capsys.readouterr().err
    argv = ["data", "install", "farsi", "--from-sources", str(tmp_path), "--to", str(tmp_path)]
    assert cli(argv) == 2
    assert "only data set 'nasbench201'" in capsys.readouterr().err
