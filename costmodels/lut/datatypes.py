"""Activation and accumulator number formats of the LUT accelerator."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dsegym.errors import UnknownNameError


@dataclass(frozen=True)
class DataType:
    """A number format.

    Attributes:
        name: Format name (``INT8``, ``FP16``...).
        bits: Storage width in bits.
        is_float: Whether it is a floating-point format.
        significand_bits: Significand width including the hidden bit (floats only; for
            integers the full width).
    """

    name: str
    bits: int
    is_float: bool
    significand_bits: int


ACTIVATION_TYPES: dict[str, DataType] = {
    "INT4": DataType("INT4", 4, False, 4),
    "INT8": DataType("INT8", 8, False, 8),
    "FP8": DataType("FP8", 8, True, 4),  # E4M3 (OCP FP8 specification)
    "FP16": DataType("FP16", 16, True, 11),  # IEEE 754 binary16, E5M10
    "BF16": DataType("BF16", 16, True, 8),  # bfloat16, E8M7
}
ACTIVATION_TYPE_NAMES = tuple(ACTIVATION_TYPES)
ACCUMULATOR_BITS = (16, 24, 32)
FLOAT_ACC_EXPONENT_BITS = 8  # float accumulators keep FP32's range: width 16/24/32 -> E8M7/15/23


def activation_type(name: str) -> DataType:
    """Looks an activation format up by name (case-insensitive)."""
    key = str(name).upper()
    if key not in ACTIVATION_TYPES:
        raise UnknownNameError("activation data type", str(name), ACTIVATION_TYPE_NAMES)
    return ACTIVATION_TYPES[key]


def accumulator_type(act: DataType, acc_bits: int) -> DataType:
    """The accumulator format of width ``acc_bits`` for activations ``act``.

    Integer activations accumulate in ``acc_bits``-bit integers; float activations in a
    float of that width with an 8-bit exponent (bfloat16, a 24-bit E8M15, FP32).
    """
    if act.is_float:
        sig = acc_bits - FLOAT_ACC_EXPONENT_BITS
        return DataType(f"FP{acc_bits}acc", acc_bits, True, sig)
    return DataType(f"INT{acc_bits}", acc_bits, False, acc_bits)


def required_accumulator_bits(act: DataType, reduction_length: int) -> int:
    """Narrowest accumulator that cannot overflow or lose activation precision.

    Integers: ``bits + ceil(log2 reduction_length)`` (sum of that many full-scale
    products with ternary weights). Floats: the accumulator's significand must be at
    least the activation's.
    """
    if act.is_float:
        return act.significand_bits + FLOAT_ACC_EXPONENT_BITS
    return act.bits + math.ceil(math.log2(max(reduction_length, 1)))
