"""Transformer training workloads and NPU presets: parameters, FLOPs, memory per NPU.

Counts use 16-bit weights, gradients and activations and mixed-precision Adam, as the
Megatron-LM and ZeRO papers do:

- Parameters: per layer ``4h^2`` (attention) + ``2hf`` (MLP; ``3hf`` gated) + biases
  and layer norms; plus input embedding ``V_in h``, output head ``V_out h`` (unless
  tied) and learned positions ``s h``.
- Forward FLOPs per layer and sequence: ``2 * params_layer * s + 4 s^2 h`` (matrix
  multiplies, then attention scores and their product with values); backward twice the
  forward; full activation recomputation adds one forward (Narayanan et al., SC'21).
- Model states per NPU (ZeRO, Rajbhandari et al., SC'20, Fig. 1) for ``Psi`` parameters
  held by a model-parallel shard and ``N_d`` data-parallel ranks: stage 0
  ``(2 + 2 + 12) Psi``; stage 1 ``4 Psi + 12 Psi / N_d``; stage 2
  ``2 Psi + 14 Psi / N_d``; stage 3 ``16 Psi / N_d`` bytes.
- Activations per layer and microbatch ``s b h (10 + 24/t + 5 a s / (h t))`` bytes with
  tensor parallelism ``t`` (Korthikanti et al., MLSys'23, eq. 2), ``2 s b h`` with full
  recomputation; under 1F1B the first pipeline stage holds ``min(pp, m)`` microbatches.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsegym.errors import ConfigError, UnknownNameError


@dataclass(frozen=True)
class Transformer:
    """A transformer trained for one iteration of a global batch.

    Attributes:
        name: Label.
        layers: Transformer blocks.
        hidden: Hidden size ``h``.
        heads: Attention heads ``a``.
        seq_len: Sequence length ``s`` (tokens, or patches + 1 for a ViT).
        ffn_hidden: MLP inner size ``f``.
        vocab_in: Rows of the input embedding (vocabulary; patch pixels for a ViT).
        vocab_out: Rows of the output head (vocabulary; classes for a ViT).
        batch: Global batch (sequences per iteration).
        gated_mlp: SwiGLU-style MLP (three matrices).
        tied_embeddings: Output head shares the input embedding.
        learned_positions: A learned position embedding of ``s`` rows.
        biases: Linear layers carry biases.
    """

    name: str
    layers: int
    hidden: int
    heads: int
    seq_len: int
    ffn_hidden: int
    vocab_in: int
    vocab_out: int
    batch: int
    gated_mlp: bool = False
    tied_embeddings: bool = True
    learned_positions: bool = True
    biases: bool = True

    def __post_init__(self) -> None:
        for field in ("layers", "hidden", "heads", "seq_len", "ffn_hidden", "batch"):
            value = getattr(self, field)
            if not isinstance(value, int) or not 1 <= value <= 2**40:
                raise ConfigError(f"workload {field}: must be an integer in 1..2^40, got {value!r}")
        if self.hidden % self.heads:
            raise ConfigError(
                f"workload hidden: {self.hidden} is not a multiple of heads={self.heads}"
            )

    @property
    def layer_params(self) -> float:
        h, f = self.hidden, self.ffn_hidden
        bias = (4 * h + f + h) if self.biases else 0
        return self.layer_matmul_params + bias + 4 * h  # + two layer norms

    @property
    def layer_matmul_params(self) -> float:
        """Weights of the layer's matrix multiplies (what its FLOPs scale with)."""
        h, f = self.hidden, self.ffn_hidden
        return 4.0 * h * h + (3 if self.gated_mlp else 2) * h * f

    @property
    def embedding_params(self) -> float:
        h = self.hidden
        positions = self.seq_len * h if self.learned_positions else 0
        head = 0 if self.tied_embeddings else self.vocab_out * h
        return float(self.vocab_in * h + head + positions)

    @property
    def params(self) -> float:
        return self.layers * self.layer_params + self.embedding_params

    def layer_forward_flops(self, microbatch: float) -> float:
        """Forward FLOPs of one layer on ``microbatch`` sequences (whole layer, no TP)."""
        s, h = self.seq_len, self.hidden
        return microbatch * (2.0 * self.layer_matmul_params * s + 4.0 * s * s * h)

    def head_forward_flops(self, microbatch: float) -> float:
        return 2.0 * microbatch * self.seq_len * self.hidden * self.vocab_out

    def layer_activation_bytes(self, microbatch: float, tp: int, recompute: bool) -> float:
        s, h, a = self.seq_len, self.hidden, self.heads
        if recompute:
            return 2.0 * s * microbatch * h
        return s * microbatch * h * (10.0 + 24.0 / tp + 5.0 * a * s / (h * tp))


def model_state_bytes(psi: float, dp: int, zero: int) -> float:
    """Weights + gradients + Adam states per NPU (ZeRO's mixed-precision accounting)."""
    if zero == 0:
        return 16.0 * psi
    if zero == 1:
        return 4.0 * psi + 12.0 * psi / dp
    if zero == 2:
        return 2.0 * psi + 14.0 * psi / dp
    return 16.0 * psi / dp


PRESETS: dict[str, Transformer] = {
    # GPT-3 (Brown et al. 2020, Table 2.1), batch 1536 as trained in Megatron-LM's
    # 175B run (Narayanan et al. SC'21, Table 1).
    "gpt3-175b": Transformer("gpt3-175b", 96, 12288, 96, 2048, 4 * 12288, 50257, 50257, 1536),
    "gpt3-1.3b": Transformer("gpt3-1.3b", 24, 2048, 16, 2048, 4 * 2048, 50257, 50257, 512),
    "gpt2-small": Transformer("gpt2-small", 12, 768, 12, 1024, 4 * 768, 50257, 50257, 512),
    # LLaMA-7B (Touvron et al. 2023): SwiGLU MLP of 11008, untied head, rotary positions.
    "llama-7b": Transformer(
        "llama-7b",
        32,
        4096,
        32,
        2048,
        11008,
        32000,
        32000,
        1024,
        gated_mlp=True,
        tied_embeddings=False,
        learned_positions=False,
        biases=False,
    ),
    # ViT-L/16 at 224x224 (Dosovitskiy et al. 2021): 196 patches + class token, the
    # patch projection as an "input embedding" of 16*16*3 rows, a 1000-class head.
    "vit-large": Transformer(
        "vit-large", 24, 1024, 16, 197, 4096, 768, 1000, 4096, tied_embeddings=False
    ),
}


@dataclass(frozen=True)
class Npu:
    """An accelerator: dense 16-bit peak, memory bandwidth and capacity."""

    name: str
    peak_tflops: float
    memory_bw_gbps: float
    memory_gb: float


NPUS: dict[str, Npu] = {
    # Vendor data sheets: dense BF16/FP16 tensor throughput, HBM bandwidth, capacity.
    "a100-80gb": Npu("a100-80gb", 312.0, 2039.0, 80.0),
    "h100-sxm": Npu("h100-sxm", 989.0, 3350.0, 80.0),
    "tpu-v4": Npu("tpu-v4", 275.0, 1200.0, 32.0),
}


def load_workload(name: str) -> Transformer:
    if name not in PRESETS:
        raise UnknownNameError("training workload", name, sorted(PRESETS))
    return PRESETS[name]


def load_npu(name: str) -> Npu:
    if name not in NPUS:
        raise UnknownNameError("NPU", name, sorted(NPUS))
    return NPUS[name]
