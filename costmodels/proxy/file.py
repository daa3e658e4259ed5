"""The proxy model file: a zip of JSON metadata and per-metric models that cannot run code.

Layout (format ``dsegym-proxy-2``)::

    proxy.json         kind, design space, metrics, log metrics, provenance
    models/<i>.skops   random forest of metric i (skops, scikit-learn's safe format)
    models/<i>.txt     LightGBM model of metric i (LightGBM's text format)

Reading never unpickles. skops refuses any type outside its trusted set, except
scikit-learn's tree storage, which it flags because ``predict`` indexes its node arrays
without bounds checks: those arrays are checked here (children after their parent,
features in range) before any prediction. A LightGBM model is parsed here, field by
field, checked the same way, and handed to LightGBM re-written from the checked numbers
(never the file's own text). Older pickled proxies (``.joblib``) are refused;
:func:`convert_pickle` re-writes one the user trusts. The checks are ours: neither
library validates a model file's structure.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np

from dsegym.costmodels.parameters import Categorical, Integer, Ordinal, Parameter, Real
from dsegym.costmodels.proxy.lightgbm_text import checked_model_text
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError, shorten

FILE_FORMAT = "dsegym-proxy-2"
#: The largest proxy file member read, and the largest total (bytes, uncompressed).
MAX_MEMBER_BYTES = 1 << 30
MAX_TOTAL_BYTES = 4 << 30
_PICKLE_HINT = (
    "it is a pickle (an older dsegym proxy), and reading a pickle can run any code in it; "
    "if you trust its source, convert it once with `dsegym proxy convert OLD NEW "
    "--trust-pickle`"
)
_TREE = "sklearn.tree._tree.Tree"


def _parameter_to_json(p: Parameter) -> dict[str, Any]:
    if isinstance(p, Integer):
        return {"type": "integer", "name": p.name, "low": p.low, "high": p.high, "step": p.step}
    if isinstance(p, Real):
        return {"type": "real", "name": p.name, "low": p.low, "high": p.high, "log": p.log}
    if isinstance(p, Ordinal):
        return {"type": "ordinal", "name": p.name, "values": list(p.values)}
    if isinstance(p, Categorical):
        return {"type": "categorical", "name": p.name, "choices": list(p.choices)}
    raise TypeError(f"parameter type {type(p).__name__} cannot be saved in a proxy file")


def _parameter_from_json(d: dict[str, Any]) -> Parameter:
    kind = d.get("type")
    if kind == "integer":
        return Integer(str(d["name"]), int(d["low"]), int(d["high"]), int(d.get("step", 1)))
    if kind == "real":
        return Real(str(d["name"]), float(d["low"]), float(d["high"]), bool(d.get("log", False)))
    if kind == "ordinal":
        return Ordinal(str(d["name"]), tuple(d["values"]))
    if kind == "categorical":
        return Categorical(str(d["name"]), tuple(d["choices"]))
    raise ValueError(f"unknown parameter type {shorten(repr(kind))}")


def write_proxy(path: Path | IO[bytes], surrogate: Any) -> None:
    """Writes ``surrogate`` (a :class:`~dsegym.costmodels.proxy.surrogate.Surrogate`)."""
    import skops.io

    metrics = list(surrogate.models)
    members: dict[str, bytes] = {}
    for i, metric in enumerate(metrics):
        model = surrogate.models[metric]
        if surrogate.kind == "random_forest":
            members[f"models/{i}.skops"] = skops.io.dumps(model)
        else:
            booster = getattr(model, "booster_", model)
            members[f"models/{i}.txt"] = checked_model_text(
                booster.model_to_string(), len(surrogate.space)
            ).encode()
    meta = {
        "format": FILE_FORMAT,
        "kind": surrogate.kind,
        "space": [_parameter_to_json(p) for p in surrogate.space.parameters],
        "metrics": metrics,
        "log_metrics": sorted(surrogate.log_metrics),
        "provenance": json.loads(json.dumps(surrogate.provenance, default=str)),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("proxy.json", json.dumps(meta, indent=1))
        for name, data in members.items():
            zf.writestr(name, data)


def _read_member(zf: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    try:
        with zf.open(name) as fh:
            data = fh.read(MAX_MEMBER_BYTES + 1)
    except KeyError:
        raise ValueError(f"member {name!r} is missing") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise ValueError(f"member {name!r} is larger than {MAX_MEMBER_BYTES:,} bytes")
    budget[0] -= len(data)
    if budget[0] < 0:
        raise ValueError(f"its members hold more than {MAX_TOTAL_BYTES:,} bytes")
    return data


def read_proxy(path: Path) -> dict[str, Any]:
    """Reads and checks a proxy file: ``kind``, ``space``, ``models``, ``log_metrics``,
    ``provenance``.

    Raises:
        ConfigError: naming the file and what is wrong (a pickle: how to convert it).
    """
    shown = repr(shorten(str(path)))
    with path.open("rb") as fh:
        head = fh.read(4)
    if head != b"PK\x03\x04":
        if head[:1] == b"\x80" or path.suffix in (".joblib", ".pkl", ".pickle"):
            raise ConfigError(f"proxy model file {shown}: {_PICKLE_HINT}")
        raise ConfigError(f"proxy model file {shown}: not a {FILE_FORMAT} file")
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_checked(zf)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a crafted file provokes, one message
        text = shorten(f"{type(exc).__name__}: {exc}", 500)
        raise ConfigError(f"proxy model file {shown}: not a valid {FILE_FORMAT} file ({text})")


def _read_checked(zf: zipfile.ZipFile) -> dict[str, Any]:
    budget = [MAX_TOTAL_BYTES]
    meta = json.loads(_read_member(zf, "proxy.json", budget))
    if not isinstance(meta, dict) or meta.get("format") != FILE_FORMAT:
        raise ValueError(f"proxy.json does not declare format {FILE_FORMAT!r}")
    kind = meta["kind"]
    if kind not in ("random_forest", "lightgbm"):
        raise ValueError(f"unknown kind {shorten(repr(kind))}")
    space = DesignSpace([_parameter_from_json(p) for p in meta["space"]])
    metrics = [str(m) for m in meta["metrics"]]
    logs = frozenset(str(m) for m in meta.get("log_metrics", ()))
    if not metrics or len(set(metrics)) != len(metrics) or not logs <= set(metrics):
        raise ValueError("metrics must be distinct and include every log metric")
    models = {}
    for i, metric in enumerate(metrics):
        if kind == "random_forest":
            models[metric] = _forest(_read_member(zf, f"models/{i}.skops", budget), len(space))
        else:
            text = _read_member(zf, f"models/{i}.txt", budget).decode("utf-8")
            models[metric] = _booster(text, len(space))
    provenance = meta.get("provenance", {})
    if not isinstance(provenance, dict):
        raise ValueError("provenance must be a mapping")
    return {
        "kind": kind,
        "space": space,
        "models": models,
        "log_metrics": logs,
        "provenance": provenance,
    }


def _forest(data: bytes, n_features: int) -> Any:
    import skops.io
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.tree import DecisionTreeRegressor

    model = skops.io.loads(data, trusted=[_TREE])
    if type(model) is not RandomForestRegressor or model.n_features_in_ != n_features:
        raise ValueError(f"a model is not a random forest over {n_features} features")
    if not model.estimators_:
        raise ValueError("a random forest has no trees")
    for tree in model.estimators_:
        if type(tree) is not DecisionTreeRegressor or tree.n_features_in_ != n_features:
            raise ValueError(f"a tree is not a regression tree over {n_features} features")
        _check_tree(tree.tree_, n_features)
    model.n_jobs, model.verbose = 1, 0  # not the file's choice
    return model


def _check_tree(t: Any, n_features: int) -> None:
    """Every index ``predict`` follows stays in its array, and every path ends at a leaf."""
    n = int(t.node_count)
    left, right = np.asarray(t.children_left), np.asarray(t.children_right)
    feature = np.asarray(t.feature)
    if n < 1 or t.n_features != n_features or t.n_outputs != 1:
        raise ValueError("a tree has no nodes or the wrong number of features or outputs")
    if not (len(left) == len(right) == len(feature) == len(t.threshold) == n):
        raise ValueError("a tree's node arrays disagree in length")
    if np.asarray(t.value).shape != (n, 1, 1):
        raise ValueError("a tree's leaf values have the wrong shape")
    idx = np.arange(n)
    leaf = (left == -1) & (right == -1)
    inner = ~leaf
    # Children come after their parent (scikit-learn builds trees depth first), so
    # every walk from the root ends.
    if not (
        ((left[inner] > idx[inner]) & (left[inner] < n)).all()
        and ((right[inner] > idx[inner]) & (right[inner] < n)).all()
        and ((feature[inner] >= 0) & (feature[inner] < n_features)).all()
    ):
        raise ValueError("a tree has a child or feature index out of range")


def _booster(text: str, n_features: int) -> Any:
    import lightgbm

    return lightgbm.Booster(model_str=checked_model_text(text, n_features))


def convert_pickle(old: Path, new: Path) -> Path:
    """Re-writes a trusted pickled proxy (dsegym-proxy-1, ``.joblib``) in the safe format.

    Only for a file the user trusts: reading it runs any code it holds.
    """
    import joblib

    from dsegym.costmodels.proxy.surrogate import Surrogate

    payload = joblib.load(old)  # the caller asserted trust (--trust-pickle)
    if not isinstance(payload, dict) or payload.get("format") != "dsegym-proxy-1":
        raise ConfigError(f"proxy model file {str(old)!r}: not a dsegym-proxy-1 pickle")
    surrogate = payload["surrogate"]
    if not isinstance(surrogate, Surrogate):
        raise ConfigError(f"proxy model file {str(old)!r}: holds no surrogate")
    buffer = io.BytesIO()  # written whole, so a failure leaves no half file
    write_proxy(buffer, surrogate)
    new.parent.mkdir(parents=True, exist_ok=True)
    new.write_bytes(buffer.getvalue())
    return new
