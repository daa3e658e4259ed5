"""Proxy cost models: surrogates learnt from a cost model's records.

- ``data``: training data from a results folder or fresh samples, with provenance.
- ``surrogate``: per-metric random forests (scikit-learn) or LightGBM models, held-out
  accuracy, save and load.
- ``model``: :class:`ProxyCostModel` and the ``proxy`` problem factory, so every agent
  can search on a surrogate.
"""

from dsegym.costmodels.proxy.data import TrainingData, results_data, sample_data
from dsegym.costmodels.proxy.model import ProxyCostModel, proxy
from dsegym.costmodels.proxy.surrogate import (
    KINDS,
    Surrogate,
    fit_surrogate,
    holdout_accuracy,
    load_surrogate,
)

__all__ = [
    "KINDS",
    "ProxyCostModel",
    "Surrogate",
    "TrainingData",
    "fit_surrogate",
    "holdout_accuracy",
    "load_surrogate",
    "proxy",
    "results_data",
    "sample_data",
]
