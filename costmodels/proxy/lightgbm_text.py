"""LightGBM's text model, parsed and checked before LightGBM's own parser sees it.

LightGBM's C++ loader trusts the indices in a model file (children, split features,
per-tree byte sizes) and reads a ``parameters:`` section that may name files. A model
is therefore read here into numbers, checked (every child index inside its tree and
after its parent, every split feature inside the design space, no categorical or linear
trees, which dsegym never trains), and written back as a minimal model text built only
from the checked numbers. LightGBM offers no validating loader; this one is ours.
"""

from __future__ import annotations

import math
import re

#: Header lines kept (others, such as ``tree_sizes`` and ``parameters:``, are dropped).
_HEADER = ("version", "num_class", "num_tree_per_iteration", "label_index", "max_feature_idx")
_INNER_INT = ("split_feature", "decision_type", "left_child", "right_child", "internal_count")
_INNER_FLOAT = ("split_gain", "threshold", "internal_value", "internal_weight")
_LEAF_FLOAT = ("leaf_value", "leaf_weight")
_LEAF_INT = ("leaf_count",)
_REQUIRED = (
    "split_feature",
    "threshold",
    "decision_type",
    "left_child",
    "right_child",
    "leaf_value",
)
_FEATURE_INFO = re.compile(r"^(none|\[[-+0-9.eEinfa]+:[-+0-9.eEinfa]+\])$")
MAX_LEAVES = 1 << 20
MAX_TREES = 1 << 20


def _numbers(text: str, kind: type, key: str) -> list:
    try:
        values = [kind(x) for x in text.split()] if text.strip() else []
    except ValueError:
        raise ValueError(f"LightGBM model: {key} holds a value that is not a number") from None
    if kind is float and not all(math.isfinite(v) or abs(v) == math.inf for v in values):
        raise ValueError(f"LightGBM model: {key} holds NaN")
    return values


def _blocks(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    head, _, rest = text.partition("\nTree=")
    body, found, _ = ("Tree=" + rest).partition("end of trees")
    if not rest or not found:
        raise ValueError("LightGBM model: no trees, or no 'end of trees'")
    header = dict(line.split("=", 1) for line in head.splitlines()[1:] if "=" in line)
    trees = []
    for chunk in body.split("Tree=")[1:]:
        lines = chunk.strip().splitlines()[1:]
        trees.append(dict(line.split("=", 1) for line in lines if "=" in line))
    if not trees or len(trees) > MAX_TREES:
        raise ValueError(f"LightGBM model: between 1 and {MAX_TREES} trees needed")
    return header, trees


def _check_tree(tree: dict[str, str], n_features: int) -> list[str]:
    """The tree's lines for the re-written model (raises ValueError when malformed)."""
    leaves = int(tree.get("num_leaves", "0"))
    if not 1 <= leaves <= MAX_LEAVES:
        raise ValueError(f"LightGBM model: num_leaves must be in [1, {MAX_LEAVES}]")
    if int(tree.get("num_cat", "0")) != 0 or int(tree.get("is_linear", "0")) != 0:
        raise ValueError("LightGBM model: categorical or linear trees are not read")
    shrinkage = _numbers(tree.get("shrinkage", "1"), float, "shrinkage")
    out = [f"num_leaves={leaves}", "num_cat=0"]
    arrays: dict[str, list] = {}
    for keys, kind, size in (
        (_INNER_INT, int, leaves - 1),
        (_INNER_FLOAT, float, leaves - 1),
        (_LEAF_FLOAT, float, leaves),
        (_LEAF_INT, int, leaves),
    ):
        for key in keys:
            values = _numbers(tree.get(key, ""), kind, key)
            required = key in _REQUIRED and size > 0
            # An optional array may be empty (LightGBM writes single-leaf trees so).
            if len(values) != size and (required or values):
                raise ValueError(f"LightGBM model: {key} must hold {size} values")
            arrays[key] = values
    inner = leaves - 1
    seen_inner, seen_leaf = [0] * max(inner, 1), [0] * leaves
    for i in range(inner):
        if not 0 <= arrays["split_feature"][i] < n_features:
            raise ValueError("LightGBM model: a split feature is outside the design space")
        if arrays["decision_type"][i] & 1 or not 0 <= arrays["decision_type"][i] < 256:
            raise ValueError("LightGBM model: categorical splits are not read")
        for child in (arrays["left_child"][i], arrays["right_child"][i]):
            if child >= 0:
                if not i < child < inner:
                    raise ValueError("LightGBM model: a child index is out of range")
                seen_inner[child] += 1
            else:
                if not 0 <= ~child < leaves:
                    raise ValueError("LightGBM model: a leaf index is out of range")
                seen_leaf[~child] += 1
    if inner and (seen_inner[0] != 0 or any(c != 1 for c in seen_inner[1:])):
        raise ValueError("LightGBM model: its nodes do not form a tree")
    if inner and any(c != 1 for c in seen_leaf):
        raise ValueError("LightGBM model: its leaves do not form a tree")
    for key, values in arrays.items():
        if values:
            out.append(f"{key}=" + " ".join(map(repr, values)))
    out += ["is_linear=0", f"shrinkage={shrinkage[0] if shrinkage else 1.0!r}"]
    return out


def checked_model_text(text: str, n_features: int) -> str:
    """A minimal LightGBM model text re-built from ``text``'s checked numbers.

    Raises:
        ValueError: naming what is malformed.
    """
    header, trees = _blocks(text)
    if int(header.get("max_feature_idx", "-1")) != n_features - 1:
        raise ValueError(f"LightGBM model: max_feature_idx is not {n_features - 1}")
    if header.get("num_class", "1") != "1" or header.get("num_tree_per_iteration", "1") != "1":
        raise ValueError("LightGBM model: only single-output regression models are read")
    if header.get("version", "v4") not in ("v2", "v3", "v4"):
        raise ValueError("LightGBM model: unknown version")
    if header.get("objective", "regression").split()[0] != "regression":
        raise ValueError("LightGBM model: only the 'regression' objective is read")
    infos = header.get("feature_infos", " ".join(["none"] * n_features)).split()
    if len(infos) != n_features or not all(_FEATURE_INFO.match(x) for x in infos):
        raise ValueError("LightGBM model: malformed feature_infos")
    lines = ["tree"]
    lines += [
        f"{k}={header[k] if k == 'version' else int(header[k])}" for k in _HEADER if k in header
    ]
    lines += ["objective=regression"]
    lines += ["feature_names=" + " ".join(f"f{i}" for i in range(n_features))]
    lines += ["feature_infos=" + " ".join(infos), ""]
    for i, tree in enumerate(trees):
        lines += [f"Tree={i}", *_check_tree(tree, n_features), ""]
    lines += ["end of trees", ""]
    return "\n".join(lines)
