"""Ternary LLM workloads: the linear layers of BitNet b1.58 and Llama-shaped models.

A workload is one phase of inference over the ternary linear layers of every
transformer block (q, k, v, o projections and the gated MLP's gate, up and down):

* ``decode``: one token (a GEMV per layer, batch 1), weights streamed once per token;
* ``prefill``: ``seq_len`` prompt tokens at once (a GEMM per layer).

Attention's activation-by-activation products and the high-precision embeddings and
LM head are not ternary and are left out. Shapes come from ``data/llm_shapes.yaml``
(the models' published configs); a user YAML file with the same keys also works.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from dsegym.errors import ConfigError, UnknownNameError, WorkloadError
from dsegym.yaml_input import safe_load

PHASES = ("prefill", "decode")
_SHAPE_KEYS = (
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
)


@dataclass(frozen=True)
class LinearLayer:
    """A ternary linear layer ``y[out] = W[out, in] @ x[in]`` repeated ``count`` times."""

    name: str
    in_features: int
    out_features: int
    count: int


@dataclass(frozen=True)
class LutWorkload:
    """One inference phase of one model.

    Attributes:
        model: Model name.
        phase: ``"prefill"`` or ``"decode"``.
        tokens: Tokens processed together (``seq_len`` for prefill, 1 for decode).
        layers: The distinct linear layers with their repeat counts.
    """

    model: str
    phase: str
    tokens: int
    layers: tuple[LinearLayer, ...]

    @property
    def name(self) -> str:
        return f"{self.model}/{self.phase}"

    @property
    def in_features(self) -> np.ndarray:
        return np.array([layer.in_features for layer in self.layers], dtype=np.float64)

    @property
    def out_features(self) -> np.ndarray:
        return np.array([layer.out_features for layer in self.layers], dtype=np.float64)

    @property
    def counts(self) -> np.ndarray:
        return np.array([layer.count for layer in self.layers], dtype=np.float64)

    @property
    def weights(self) -> int:
        """Ternary weights of the whole model."""
        return sum(layer.in_features * layer.out_features * layer.count for layer in self.layers)

    @property
    def macs_per_token(self) -> int:
        """Multiply-accumulates per token (one per weight)."""
        return self.weights

    @property
    def max_reduction(self) -> int:
        return max(layer.in_features for layer in self.layers)


def _shapes_file() -> dict[str, Any]:
    text = resources.files("dsegym.costmodels.lut.data").joinpath("llm_shapes.yaml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def model_names() -> list[str]:
    """Names of the shipped models."""
    return list(_shapes_file())


def _layers_from_shape(shape: dict[str, Any], label: str) -> tuple[LinearLayer, ...]:
    values = {}
    for key in _SHAPE_KEYS:
        value = shape.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise WorkloadError(
                f"workload {label}: {key!r} must be a positive integer, got {value!r}"
            )
        values[key] = value
    d, ff = values["hidden_size"], values["intermediate_size"]
    heads, kv_heads = values["num_attention_heads"], values["num_key_value_heads"]
    if d % heads or heads % kv_heads:
        raise WorkloadError(
            f"workload {label}: hidden_size must divide by num_attention_heads, which must "
            f"divide by num_key_value_heads (got {d}, {heads}, {kv_heads})"
        )
    kv = d // heads * kv_heads
    n = values["num_hidden_layers"]
    return (
        LinearLayer("q_proj", d, d, n),
        LinearLayer("k_proj", d, kv, n),
        LinearLayer("v_proj", d, kv, n),
        LinearLayer("o_proj", d, d, n),
        LinearLayer("gate_proj", d, ff, n),
        LinearLayer("up_proj", d, ff, n),
        LinearLayer("down_proj", ff, d, n),
    )


def load_workload(model: str, phase: str = "decode", seq_len: int = 128) -> LutWorkload:
    """Builds the workload of ``model`` (a shipped name or a YAML file) in ``phase``.

    Raises:
        UnknownNameError: for an unknown model or phase.
        ConfigError: for a non-positive ``seq_len``.
        WorkloadError: for a malformed YAML file.
    """
    if phase not in PHASES:
        raise UnknownNameError("inference phase", str(phase), PHASES)
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len < 1:
        raise ConfigError(f"seq_len must be a positive integer, got {seq_len!r}")
    shapes = _shapes_file()
    if model in shapes:
        shape, label, name = shapes[model], model, model
    elif Path(model).suffix in (".yaml", ".yml") and Path(model).is_file():
        label, name = model, Path(model).stem
        try:
            shape = safe_load(Path(model).read_text())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            raise WorkloadError(f"workload {label}{where}: invalid YAML ({exc})") from None
        if not isinstance(shape, dict):
            raise WorkloadError(f"workload {label}: expected a mapping of model-shape keys")
    else:
        raise UnknownNameError("LUT workload (model name or YAML file)", str(model), list(shapes))
    tokens = seq_len if phase == "prefill" else 1
    return LutWorkload(name, phase, tokens, _layers_from_shape(shape, label))
