"""Surrogates: one regressor per metric (scikit-learn random forest or LightGBM).

ArchGym's proxy cost model is a random forest trained on the simulator's records; the
gradient-boosted alternative is LightGBM. Metrics that are positive everywhere are
learnt in log space, since hardware metrics spread over orders of magnitude and their
errors are relative; predictions are mapped back.
"""

from __future__ import annotations

import importlib.metadata
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dsegym.costmodels.proxy.data import TrainingData
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError

KINDS: tuple[str, ...] = ("random_forest", "lightgbm")


def _regressor(kind: str, seed: int) -> Any:
    if kind == "random_forest":
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(n_estimators=200, random_state=seed, n_jobs=1)
    if kind == "lightgbm":
        from lightgbm import LGBMRegressor

        # Small data: smaller leaves than LightGBM's defaults; deterministic, one thread.
        return LGBMRegressor(
            n_estimators=600,
            learning_rate=0.05,
            num_leaves=31,
            min_child_samples=5,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.9,
            random_state=seed,
            deterministic=True,
            force_row_wise=True,
            n_jobs=1,
            verbose=-1,
        )
    raise ConfigError(f"proxy kind {kind!r}: allowed: {', '.join(KINDS)}")


@dataclass
class Surrogate:
    """Per-metric regressors over a design space's unit-cube encoding.

    Attributes:
        kind: ``random_forest`` or ``lightgbm``.
        space: The design space it predicts over.
        models: ``{metric: regressor}``.
        log_metrics: Metrics learnt as ``log(value)``.
        provenance: Where the training data came from (see ``TrainingData``), plus the
            surrogate kind, library versions and training time.
    """

    kind: str
    space: DesignSpace
    models: dict[str, Any]
    log_metrics: frozenset[str] = frozenset()
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> list[str]:
        return list(self.models)

    def features(self, designs: list[dict[str, Any]]) -> np.ndarray:
        return np.vstack([self.space.to_unit(d) for d in designs])

    def predict(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """Predicts every metric for the rows of ``X``."""
        out = {}
        for metric, model in self.models.items():
            y = np.asarray(model.predict(X), dtype=float)
            out[metric] = np.exp(y) if metric in self.log_metrics else y
        return out

    def __getstate__(self) -> dict[str, Any]:
        # DesignSpace keeps compiled checks (lambdas) that cannot be pickled; its
        # parameters can, and rebuild the same space.
        state = dict(self.__dict__)
        state["space"] = list(self.space.parameters)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["space"] = DesignSpace(state["space"])
        self.__dict__.update(state)

    def save(self, path: Path | str) -> Path:
        """Writes the surrogate with its provenance (see :mod:`~dsegym.costmodels.proxy.file`)."""
        from dsegym.costmodels.proxy.file import write_proxy

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_proxy(path, self)
        return path


def load_surrogate(path: Path | str) -> Surrogate:
    """Reads a surrogate written by :meth:`Surrogate.save`; never unpickles.

    Raises:
        ConfigError: if the file is missing, is not a dsegym proxy file, or is a pickle.
    """
    from dsegym.costmodels.proxy.file import read_proxy

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"proxy model file {str(path)!r} does not exist")
    parts = read_proxy(path)
    return Surrogate(
        parts["kind"], parts["space"], parts["models"], parts["log_metrics"], parts["provenance"]
    )


def _usable_metrics(data: TrainingData, metrics: list[str] | None) -> list[str]:
    names = list(data.Y) if metrics is None else list(metrics)
    unknown = [m for m in names if m not in data.Y]
    if unknown:
        raise ConfigError(
            f"proxy metrics {unknown}: not in the training data; allowed: {', '.join(data.Y)}"
        )
    # A metric that is constant or undefined on the data has nothing to learn.
    return [m for m in names if np.isfinite(data.Y[m]).all() and np.ptp(data.Y[m]) > 0]


def fit_surrogate(
    data: TrainingData,
    kind: str = "random_forest",
    metrics: list[str] | None = None,
    seed: int = 0,
    rows: np.ndarray | None = None,
) -> Surrogate:
    """Trains one regressor per metric on ``data`` (or on its ``rows``).

    Raises:
        ConfigError: for an unknown kind or metric, or when no metric varies.
    """
    names = _usable_metrics(data, metrics)
    if not names:
        raise ConfigError("proxy training: no metric varies over the training designs")
    idx = np.arange(len(data)) if rows is None else np.asarray(rows)
    X = data.X[idx]
    started = time.perf_counter()
    models, logs = {}, set()
    for m in names:
        y = data.Y[m][idx]
        if (data.Y[m] > 0).all():
            y = np.log(y)
            logs.add(m)
        models[m] = _regressor(kind, seed).fit(X, y)
    provenance = dict(data.provenance) | {
        "kind": kind,
        "records": int(len(idx)),
        "train_time_s": time.perf_counter() - started,
        "dsegym": importlib.metadata.version("dsegym"),
        "library": (
            f"scikit-learn {importlib.metadata.version('scikit-learn')}"
            if kind == "random_forest"
            else f"lightgbm {importlib.metadata.version('lightgbm')}"
        ),
    }
    return Surrogate(kind, data.space, models, frozenset(logs), provenance)


def holdout_accuracy(
    data: TrainingData,
    kind: str = "random_forest",
    test_fraction: float = 0.2,
    seed: int = 0,
    metrics: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Trains on a random part of ``data`` and scores the held-out rest, per metric.

    Relative RMSE is the held-out RMSE divided by the mean held-out value (ArchGym
    reports its proxy's RMSE this way, as a percentage).

    Returns:
        One row per metric: ``metric``, ``kind``, ``train``, ``test``, ``rmse``,
        ``relative_rmse``, ``r2``.
    """
    from sklearn.metrics import mean_squared_error, r2_score

    if not 0.0 < test_fraction < 1.0:
        raise ConfigError(f"test_fraction: must be in (0, 1) (got {test_fraction})")
    n = len(data)
    n_test = max(1, int(round(n * test_fraction)))
    if n - n_test < 2:
        raise ConfigError(f"proxy accuracy: {n} records are too few to hold some out")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    surrogate = fit_surrogate(data, kind, metrics, seed, rows=train)
    predicted = surrogate.predict(data.X[test])
    rows = []
    for m in surrogate.metrics:
        truth = data.Y[m][test]
        rmse = float(np.sqrt(mean_squared_error(truth, predicted[m])))
        rows.append(
            {
                "metric": m,
                "kind": kind,
                "train": len(train),
                "test": len(test),
                "rmse": rmse,
                "relative_rmse": rmse / float(np.mean(np.abs(truth))),
                "r2": float(r2_score(truth, predicted[m])),
            }
        )
    return rows
