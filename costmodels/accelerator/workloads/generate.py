"""Writes the shipped workload CSVs (SCALE-Sim topology format) from layer shapes.

Run from the repository root: ``python costmodels/accelerator/workloads/generate.py``.
Shapes follow the papers named in ``catalogue.yaml``; ifmap sizes include the padding
that gives each layer its published output size, because the topology format has no
padding column.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
CONV_HEADER = (
    "Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n"
)
GEMM_HEADER = "Layer, M, N, K,\n"


def conv(name: str, out: int, f: int, ch: int, nf: int, s: int = 1) -> str:
    size = (out - 1) * s + f
    return f"{name}, {size}, {size}, {f}, {f}, {ch}, {nf}, {s},\n"


def fc(name: str, inputs: int, outputs: int) -> str:
    return conv(name, 1, 1, inputs, outputs)


def resnet(blocks: list[int], bottleneck: bool) -> list[str]:
    rows = [conv("conv1", 112, 7, 3, 64, 2)]
    ch, size = 64, 56
    for stage, (count, width) in enumerate(zip(blocks, (64, 128, 256, 512), strict=True)):
        for b in range(count):
            s = 2 if (b == 0 and stage > 0) else 1
            out = size // s
            name = f"conv{stage + 2}_{b + 1}"
            out_ch = width * 4 if bottleneck else width
            if bottleneck:
                rows.append(conv(f"{name}a", size, 1, ch, width))
                rows.append(conv(f"{name}b", out, 3, width, width, s))
                rows.append(conv(f"{name}c", out, 1, width, out_ch))
            else:
                rows.append(conv(f"{name}a", out, 3, ch, width, s))
                rows.append(conv(f"{name}b", out, 3, width, width))
            if b == 0 and (s == 2 or ch != out_ch):
                rows.append(conv(f"{name}_proj", out, 1, ch, out_ch, s))
            ch, size = out_ch, out
    rows.append(fc("fc", ch, 1000))
    return rows


def vgg16() -> list[str]:
    rows, ch, size = [], 3, 224
    for stage, (count, width) in enumerate([(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]):
        for i in range(count):
            rows.append(conv(f"conv{stage + 1}_{i + 1}", size, 3, ch, width))
            ch = width
        size //= 2
    return rows + [fc("fc6", 512 * 7 * 7, 4096), fc("fc7", 4096, 4096), fc("fc8", 4096, 1000)]


def alexnet() -> list[str]:
    return [
        conv("conv1", 55, 11, 3, 64, 4),
        conv("conv2", 27, 5, 64, 192),
        conv("conv3", 13, 3, 192, 384),
        conv("conv4", 13, 3, 384, 256),
        conv("conv5", 13, 3, 256, 256),
        fc("fc6", 256 * 6 * 6, 4096),
        fc("fc7", 4096, 4096),
        fc("fc8", 4096, 1000),
    ]


def mobilenet_v2() -> list[str]:
    rows = [conv("conv1", 112, 3, 3, 32, 2)]
    ch, size = 32, 112
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1)]
    settings += [(6, 160, 3, 2), (6, 320, 1, 1)]
    for stage, (t, c, n, s) in enumerate(settings):
        for i in range(n):
            stride = s if i == 0 else 1
            hidden, out = ch * t, size // stride
            name = f"block{stage + 1}_{i + 1}"
            if t != 1:
                rows.append(conv(f"{name}_expand", size, 1, ch, hidden))
            # 'DP' marks a depthwise layer for SCALE-Sim: one filter per channel.
            rows.append(conv(f"{name}_DP", out, 3, hidden, 1, stride))
            rows.append(conv(f"{name}_project", out, 1, hidden, c))
            ch, size = c, out
    return rows + [conv("conv_last", 7, 1, 320, 1280), fc("fc", 1280, 1000)]


def gemm(name: str, m: int, n: int, k: int) -> str:
    return f"{name}, {m}, {n}, {k},\n"


def bert_base_layer(seq: int = 128, hidden: int = 768, heads: int = 12) -> list[str]:
    head = hidden // heads
    rows = [gemm(x, seq, hidden, hidden) for x in ("query", "key", "value")]
    for h in range(heads):
        rows.append(gemm(f"scores_h{h}", seq, seq, head))
        rows.append(gemm(f"context_h{h}", seq, head, seq))
    rows.append(gemm("attn_out", seq, hidden, hidden))
    rows.append(gemm("ffn_up", seq, 4 * hidden, hidden))
    rows.append(gemm("ffn_down", seq, hidden, 4 * hidden))
    return rows


def llm_decode_layer(context: int = 512) -> list[str]:
    hidden, heads, ffn, vocab = 4096, 32, 11008, 32000
    head = hidden // heads
    rows = [gemm(x, 1, hidden, hidden) for x in ("q_proj", "k_proj", "v_proj")]
    for h in range(heads):
        rows.append(gemm(f"scores_h{h}", 1, context, head))
        rows.append(gemm(f"context_h{h}", 1, head, context))
    rows.append(gemm("o_proj", 1, hidden, hidden))
    rows += [gemm("gate_proj", 1, ffn, hidden), gemm("up_proj", 1, ffn, hidden)]
    rows.append(gemm("down_proj", 1, hidden, ffn))
    return rows + [gemm("lm_head", 1, vocab, hidden)]


def main() -> None:
    files = {
        "resnet18.csv": (CONV_HEADER, resnet([2, 2, 2, 2], bottleneck=False)),
        "resnet50.csv": (CONV_HEADER, resnet([3, 4, 6, 3], bottleneck=True)),
        "vgg16.csv": (CONV_HEADER, vgg16()),
        "alexnet.csv": (CONV_HEADER, alexnet()),
        "mobilenetv2.csv": (CONV_HEADER, mobilenet_v2()),
        "bert_base_layer.csv": (GEMM_HEADER, bert_base_layer()),
        "llm7b_decode_layer.csv": (GEMM_HEADER, llm_decode_layer()),
    }
    for name, (header, rows) in files.items():
        (HERE / name).write_text(header + "".join(rows))


if __name__ == "__main__":
    main()
