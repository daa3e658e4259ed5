"""Layers (convolutions and GEMMs) and the loaders of workload files.

A convolution is costed in its im2col GEMM view, as SCALE-Sim does: ``M`` output
pixels, ``N`` filters and a window of ``K = filter_h x filter_w x channels``. The
file format is SCALE-Sim's topology CSV, convolution form::

    Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
    conv1, 230, 230, 7, 7, 3, 64, 2,

or GEMM form (``Layer, M, N, K,``). As in SCALE-Sim, the ifmap sizes include padding,
there is no separate padding column, and a layer whose name contains ``DP`` is
depthwise: it runs as ``Channels`` single-channel layers of ``Num Filter`` filters one
after another (the shipped depthwise layers give ``Num Filter`` = 1).
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from dsegym.errors import UnknownNameError, WorkloadError


@dataclass(frozen=True)
class Layer:
    """One layer.

    Attributes:
        name: Layer name.
        ifmap_h: Input height, padding included (``M`` for a GEMM).
        ifmap_w: Input width, padding included (``K`` for a GEMM).
        filter_h: Filter height (1 for a GEMM).
        filter_w: Filter width (``K`` for a GEMM).
        channels: Input channels per group (1 for a GEMM).
        filters: Output channels (``N`` for a GEMM).
        stride: Stride in both directions.
        repeat: How many times the layer runs back to back (depthwise channels).
    """

    name: str
    ifmap_h: int
    ifmap_w: int
    filter_h: int
    filter_w: int
    channels: int
    filters: int
    stride: int = 1
    repeat: int = 1

    def __post_init__(self) -> None:
        for field_name in ("ifmap_h", "ifmap_w", "filter_h", "filter_w", "channels"):
            if getattr(self, field_name) < 1:
                raise WorkloadError(f"layer {self.name!r}: {field_name} must be >= 1")
        if self.filters < 1 or self.stride < 1 or self.repeat < 1:
            raise WorkloadError(f"layer {self.name!r}: filters, stride and repeat must be >= 1")
        if self.filter_h > self.ifmap_h or self.filter_w > self.ifmap_w:
            raise WorkloadError(
                f"layer {self.name!r}: filter {self.filter_h}x{self.filter_w} is larger than "
                f"the ifmap {self.ifmap_h}x{self.ifmap_w}"
            )

    @classmethod
    def gemm(cls, name: str, m: int, n: int, k: int, repeat: int = 1) -> Layer:
        """A GEMM ``[M, K] x [K, N]`` in SCALE-Sim's encoding."""
        return cls(name, m, k, 1, k, 1, n, 1, repeat)

    @property
    def ofmap_h(self) -> int:
        # SCALE-Sim's formula: ceil((H - R + S) / S), i.e. no implicit padding.
        return math.ceil((self.ifmap_h - self.filter_h + self.stride) / self.stride)

    @property
    def ofmap_w(self) -> int:
        return math.ceil((self.ifmap_w - self.filter_w + self.stride) / self.stride)

    @property
    def m(self) -> int:
        return self.ofmap_h * self.ofmap_w

    @property
    def k(self) -> int:
        return self.filter_h * self.filter_w * self.channels

    @property
    def macs(self) -> int:
        return self.m * self.filters * self.k * self.repeat


@dataclass(frozen=True)
class LayerArrays:
    """A workload as parallel numpy arrays, the form the vectorised model consumes."""

    names: tuple[str, ...]
    m: np.ndarray
    n: np.ndarray
    k: np.ndarray
    repeat: np.ndarray
    ifmap_words: np.ndarray
    filter_h: np.ndarray
    filter_w: np.ndarray
    ofmap_h: np.ndarray

    @classmethod
    def from_layers(cls, layers: list[Layer] | tuple[Layer, ...]) -> LayerArrays:
        if not layers:
            raise WorkloadError("a workload needs at least one layer")

        def col(attr: str) -> np.ndarray:
            return np.array([float(getattr(x, attr)) for x in layers])

        unique_ifmap = np.array([float(x.ifmap_h * x.ifmap_w * x.channels) for x in layers])
        return cls(
            names=tuple(x.name for x in layers),
            m=col("m"),
            n=col("filters"),
            k=col("k"),
            repeat=col("repeat"),
            ifmap_words=unique_ifmap,
            filter_h=col("filter_h"),
            filter_w=col("filter_w"),
            ofmap_h=col("ofmap_h"),
        )

    def __len__(self) -> int:
        return len(self.names)


def _ints(path: str, line: int, cells: list[str], count: int) -> list[int]:
    values = []
    for cell in cells[:count]:
        try:
            values.append(int(cell.strip()))
        except ValueError:
            raise WorkloadError(f"{path}, line {line}: {cell.strip()!r} is not an integer")
    return values


def parse_topology(text: str, source: str = "<topology>") -> list[Layer]:
    """Parses a SCALE-Sim topology CSV (convolution or GEMM form).

    Raises:
        WorkloadError: naming ``source`` and the line of the first malformed row.
    """
    rows = list(csv.reader(text.splitlines()))
    header_line = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_line is None:
        raise WorkloadError(f"{source}: empty topology file")
    header = [c.strip().lower() for c in rows[header_line] if c.strip()]
    is_gemm = len(header) >= 4 and header[1:4] == ["m", "n", "k"]
    needed = 4 if is_gemm else 8
    if not is_gemm and len(header) < 8:
        raise WorkloadError(
            f"{source}, line {header_line + 1}: header must be the convolution form "
            "'Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
            "Num Filter, Strides' or the GEMM form 'Layer, M, N, K'"
        )
    layers = []
    for index, row in enumerate(rows[header_line + 1 :], start=header_line + 2):
        cells = [c for c in row if c.strip()]
        if not cells or cells[0].strip().startswith("#"):
            continue
        if len(cells) < needed:
            raise WorkloadError(
                f"{source}, line {index}: expected {needed} columns, got {len(cells)}"
            )
        name = cells[0].strip()
        try:
            if is_gemm:
                m, n, k = _ints(source, index, cells[1:], 3)
                layers.append(Layer.gemm(name, m, n, k))
                continue
            h, w, fh, fw, ch, nf, stride = _ints(source, index, cells[1:], 7)
            if "DP" in name:
                layers.append(Layer(name, h, w, fh, fw, 1, nf, stride, ch))
            else:
                layers.append(Layer(name, h, w, fh, fw, ch, nf, stride))
        except WorkloadError as exc:
            message = str(exc)
            if not message.startswith(source):
                message = f"{source}, line {index}: {message}"
            raise WorkloadError(message) from None
    if not layers:
        raise WorkloadError(f"{source}: no layers after the header")
    return layers


def load_topology(path: str | Path) -> list[Layer]:
    """Reads a SCALE-Sim topology CSV file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise WorkloadError(f"cannot read workload file {str(path)!r}: {exc.strerror}")
    return parse_topology(text, str(path))


@functools.cache
def _catalogue() -> dict[str, dict[str, str]]:
    text = resources.files(__package__).joinpath("workloads/catalogue.yaml").read_text()
    entries: dict[str, dict[str, str]] = yaml.safe_load(text)
    return entries


def workload_names() -> list[str]:
    """Names of the workloads shipped with the package."""
    return sorted(_catalogue())


@functools.cache
def load_workload(name: str) -> tuple[Layer, ...]:
    """Loads a shipped workload by name."""
    catalogue = _catalogue()
    if name not in catalogue:
        raise UnknownNameError("accelerator workload", name, list(catalogue))
    file_name = catalogue[name]["file"]
    text = resources.files(__package__).joinpath(f"workloads/{file_name}").read_text()
    return tuple(parse_topology(text, f"workloads/{file_name}"))


@functools.cache
def workload_arrays(name: str) -> LayerArrays:
    return LayerArrays.from_layers(load_workload(name))
