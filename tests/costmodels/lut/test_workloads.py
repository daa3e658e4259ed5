import pytest

from dsegym.costmodels.lut.workloads import load_workload, model_names
from dsegym.errors import ConfigError, UnknownNameError, WorkloadError


@pytest.mark.parametrize(
    ("model", "billions"),
    [("bitnet-b1.58-0.7b", 0.68), ("bitnet-b1.58-3b", 3.22), ("llama3-8b-1.58", 6.98)],
)
def test_ternary_weight_counts(model, billions):
    # Linear-layer weights only (embeddings and LM head excluded).
    w = load_workload(model)
    assert w.weights / 1e9 == pytest.approx(billions, abs=0.01)
    assert w.macs_per_token == w.weights


def test_llama_uses_grouped_query_attention():
    w = load_workload("llama3-8b-1.58")
    shapes = {layer.name: (layer.in_features, layer.out_features) for layer in w.layers}
    assert shapes["k_proj"] == (4096, 1024)
    assert shapes["down_proj"] == (14336, 4096)
    assert w.max_reduction == 14336


def test_phases():
    assert load_workload("bitnet-b1.58-3b", "decode", 512).tokens == 1
    assert load_workload("bitnet-b1.58-3b", "prefill", 512).tokens == 512
    assert model_names() == ["bitnet-b1.58-0.7b", "bitnet-b1.58-3b", "llama3-8b-1.58"]


def test_bad_workloads(tmp_path):
    with pytest.raises(UnknownNameError, match="bitnet-b1.58-0.7b"):
        load_workload("gpt-5")
    with pytest.raises(UnknownNameError, match="phase"):
        load_workload("bitnet-b1.58-3b", "training")
    with pytest.raises(ConfigError, match="seq_len"):
        load_workload("bitnet-b1.58-3b", "prefill", 0)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "hidden_size: 1000\nintermediate_size: 10\nnum_hidden_layers: 2\n"
        "num_attention_heads: 3\nnum_key_value_heads: 1\n"
    )
    with pytest.raises(WorkloadError, match="divide"):
        load_workload(str(bad))


def test_user_workload_file(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "hidden_size: 64\nintermediate_size: 128\nnum_hidden_layers: 2\n"
        "num_attention_heads: 4\nnum_key_value_heads: 2\n"
    )
    w = load_workload(str(path), "prefill", 4)
    assert w.model == "tiny"
    assert w.weights == 2 * (64 * 64 * 2 + 64 * 32 * 2 + 3 * 64 * 128)
