import pytest

from dsegym.costmodels.lut.datatypes import (
    ACTIVATION_TYPE_NAMES,
    accumulator_type,
    activation_type,
    required_accumulator_bits,
)
from dsegym.costmodels.lut.model import LUTAccelerator
from dsegym.costmodels.lut.workloads import load_workload
from dsegym.errors import UnknownNameError


def test_formats():
    assert ACTIVATION_TYPE_NAMES == ("INT4", "INT8", "FP8", "FP16", "BF16")
    assert activation_type("fp16").significand_bits == 11
    assert activation_type("BF16").significand_bits == 8
    assert accumulator_type(activation_type("FP16"), 32).significand_bits == 24
    assert accumulator_type(activation_type("INT8"), 24).bits == 24


def test_required_accumulator_bits():
    assert required_accumulator_bits(activation_type("INT8"), 14336) == 8 + 14
    assert required_accumulator_bits(activation_type("INT4"), 1536) == 4 + 11
    assert required_accumulator_bits(activation_type("FP16"), 10**6) == 19
    assert required_accumulator_bits(activation_type("BF16"), 10**6) == 16


@pytest.mark.parametrize("act", ACTIVATION_TYPE_NAMES)
@pytest.mark.parametrize("acc_bits", [16, 24, 32])
def test_model_feasibility_matches_required_bits(act, acc_bits):
    workload = load_workload("llama3-8b-1.58")
    model = LUTAccelerator(act_dtype=act)
    design = {
        "mu": 4,
        "tables": 16,
        "fetchers": 16,
        "acc_bits": acc_bits,
        "build_tree": "optimised",
        "weight_buffer_kib": 1024,
        "act_buffer_kib": 1024,
        "bandwidth_gbps": 128,
        "clock_mhz": 1000,
        "cores": 1,
    }
    needed = required_accumulator_bits(activation_type(act), workload.max_reduction)
    assert model.evaluate(design, workload).feasible == (acc_bits >= needed)


def test_unknown_activation_type():
    with pytest.raises(UnknownNameError, match="allowed: BF16, FP16, FP8, INT4, INT8"):
        LUTAccelerator(act_dtype="FP4")
