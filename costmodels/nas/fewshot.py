"""Few-shot latency prediction for a device nobody has measured: a prior learnt from the
measured devices of ``latency_ms.csv``, adapted to a new device from K measured cells.

The predictor (chosen after leave-one-device-out trials; see the
``nas-fewshot-latency`` study) works on log-latency, because devices differ mostly by
scale and a fixed overhead, and averages *experts*, each a straight line fitted to the
K samples by least squares:

* every measured device: ``log t_new(c) = a + b log t_d(c)`` (a device that behaves like
  the new one ranks its cells best: the HELP intuition, without a learnt embedding);
* the network's log-FLOPs and log-parameters (the classic proxies);
* the same references as straight lines in milliseconds, ``t_new(c) = a + b x(c)`` with
  ``x`` another device's latency, FLOPs or parameters: a fixed overhead plus a cost per
  unit of work, which a log-log line (a power law through the origin) cannot express;
* a hierarchical low-rank model: the column-centred log-latency matrix of the measured
  devices is factored by SVD into per-cell factors (plus log-FLOPs); each device is a
  loading vector on them, and the loadings of the measured devices give a Gaussian prior
  (mean and covariance) for the new device's loadings. Its posterior mean from the K
  samples is the expert's prediction, with the noise variance chosen by marginal
  likelihood on a grid spanning the measured devices' residual variances (so a device
  timed with a millisecond clock is trusted less than a GPU timer).

Experts are weighted by their prior times ``exp(log-likelihood / temperature)`` of their
fit (Gaussian residuals of log-latency, for the straight lines too, so all experts are
compared on one scale); the tempered weights keep several experts in play when K samples
cannot separate them. The prior puts mass ``proxy_prior`` on the four work-proxy experts
(FLOPs and parameters, log-log and straight line) and spreads the rest evenly: ten
samples timed with a millisecond clock cannot single out FLOPs on a phone whose latency
FLOPs already ranks almost perfectly, and without that mass the average of many good
experts ranks such a phone a little worse than FLOPs alone. The weights come in two
levels (:func:`expert_weights`): the proxies and the other experts are two groups,
weighed at their own ``group_temperature``, so clear evidence against FLOPs (precisely
timed samples it does not fit) overrules that prior sooner. Plain NumPy linear algebra:
a handful of closed-form fits on at most 25 features needs neither scikit-learn nor a
neural network, and the whole adaptation runs in milliseconds. HELP's learnt device
embedding (a meta-learned network) was not built: the device experts above already use
the measured devices as the reference set.

The K cells are whatever the user measured; nothing here chooses them.

How the settings were chosen, so that the study's figures are read with it: ``RANK``
(3, 5 or 8 tried) and the experts were compared on the same leave-one-device-out
evaluation the study reports, with other draws of the cells (the K = 10 mean stayed
within 0.965-0.969 across them). ``TEMPERATURE`` and ``PROXY_PRIOR`` are chosen by a
stated rule on leave-one-device-out among the measured devices
(:mod:`dsegym.costmodels.nas.fewshot_select`); the study re-runs that rule on the 24
training devices of each held-out device, so its headline figure never lets a device
choose its own settings.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from dsegym.costmodels.nas.cells import N_CELLS
from dsegym.errors import ConfigError

PREDICTOR_VERSION = "fewshot-latency-3"
"""Changes whenever the predictions change (recorded with every search that uses them)."""

RANK = 5
"""Cell factors of the low-rank expert (5 of at most 24 devices: more fit noise)."""
TEMPERATURE = 6.0
"""Divides the experts' log-likelihoods before weighting (1: plain Bayesian averaging,
which with K = 10 noisy samples puts all weight on one expert by chance); chosen with
``PROXY_PRIOR``."""
PROXY_PRIOR = 0.65
"""Prior mass of the four work-proxy experts (FLOPs, parameters) together; chosen with
``TEMPERATURE`` by :func:`~dsegym.costmodels.nas.fewshot_select.select_settings` on all
25 devices."""
GROUP_TEMPERATURE = 3.0
"""Divides the log-likelihoods when the work proxies and the other experts are weighed as
two groups; chosen with ``TEMPERATURE`` and ``PROXY_PRIOR``."""
NOISE_GRID = 12
MIN_SAMPLES = 2


@dataclass(frozen=True)
class LatencyPrior:
    """What the measured devices teach about a new one.

    Attributes:
        devices: The measured devices the prior was learnt from.
        design: Per cell: 1, standardised log-FLOPs and the low-rank cell factors.
        mean: Prior mean of a device's coefficients on ``design``.
        cov: Prior covariance of those coefficients.
        noise: Candidate noise variances (log-latency) of the low-rank expert.
        experts: Per cell, the features of the line experts (log-latency of each device,
            log-FLOPs, log-parameters).
        lines: Per cell, the features of the straight-line experts in linear units
            (each device's latency in ms, FLOPs and parameters, each over its mean).
        expert_names: Name of each column of ``experts`` then of ``lines``.
    """

    devices: tuple[str, ...]
    design: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    noise: np.ndarray
    experts: np.ndarray
    lines: np.ndarray
    expert_names: tuple[str, ...]


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def build_prior(
    latencies_ms: Mapping[str, np.ndarray], flops: np.ndarray, params: np.ndarray
) -> LatencyPrior:
    """Learns the prior from measured devices.

    Args:
        latencies_ms: Device name -> latency (ms) of every cell (same cell order as
            ``flops``); at least two devices.
        flops: FLOPs of every cell's network.
        params: Parameters of every cell's network.
    """
    names = tuple(latencies_ms)
    logs = np.log(np.column_stack([latencies_ms[d] for d in names]))
    log_flops = _standardise(np.log(flops))
    centred = logs - logs.mean(axis=0)
    rank = min(RANK, len(names) - 1)
    # The leading left singular vectors (times their singular values) of the centred
    # cells x devices matrix, from the eigenvectors of its devices x devices Gram matrix:
    # the same factors (up to sign, which the posterior does not see) at a fraction of a
    # thin SVD's cost on 15,625 rows, which the nested evaluation repeats hundreds of times.
    eigval, eigvec = np.linalg.eigh(centred.T @ centred)
    top = np.argsort(eigval)[::-1][:rank]
    factors = centred @ eigvec[:, top] / math.sqrt(len(names))
    design = np.column_stack([np.ones(len(flops)), log_flops, factors])
    # Normal equations (a handful of columns); least squares on them rather than a solve,
    # so two identical measured devices (a zero factor) do not make them singular.
    coef, *_ = np.linalg.lstsq(design.T @ design, design.T @ logs, rcond=None)
    residual_var = (logs - design @ coef).var(axis=0)
    # A small ridge keeps the covariance of (rank + 2) coefficients from few devices
    # invertible.
    cov = np.atleast_2d(np.cov(coef)) + 1e-6 * np.eye(design.shape[1])
    noise = np.geomspace(residual_var.min() / 2, residual_var.max() * 2, NOISE_GRID)
    experts = np.column_stack([logs, log_flops, _standardise(np.log(params))])
    lines = np.column_stack([np.exp(logs), flops, params])
    # Over the mean: FLOPs of 1e8 beside an intercept of 1 would strain least squares.
    lines = lines / lines.mean(axis=0)
    return LatencyPrior(
        devices=names,
        design=design,
        mean=coef.mean(axis=1),
        cov=cov,
        noise=noise,
        experts=experts,
        lines=lines,
        expert_names=(
            *names,
            "log_flops",
            "log_params",
            *(f"{d}_ms_line" for d in names),
            "flops_line",
            "params_line",
        ),
    )


def _low_rank_posterior(prior: LatencyPrior, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The low-rank expert's log-latency of every cell (posterior-mean loadings)."""
    x = prior.design[idx]
    base = y - x @ prior.mean
    prior_cov = x @ prior.cov @ x.T
    best, noise = -math.inf, float(prior.noise[-1])
    for var in prior.noise:
        marginal = prior_cov + var * np.eye(len(idx))
        _, logdet = np.linalg.slogdet(marginal)
        loglik = -0.5 * (logdet + base @ np.linalg.solve(marginal, base))
        if loglik > best:
            best, noise = loglik, float(var)
    precision = np.linalg.inv(prior.cov)
    a = precision + x.T @ x / noise
    b = precision @ prior.mean + x.T @ y / noise
    return np.asarray(prior.design @ np.linalg.solve(a, b))


@dataclass(frozen=True)
class ExpertFits:
    """Every expert fitted to one device's K samples (see :func:`expert_fits`).

    Attributes:
        log_latency: Per cell (rows) and expert (columns), the predicted log-latency.
        log_likelihood: Per expert, the Gaussian log-likelihood of its fit to the samples.
        proxy: Per expert, whether it is one of the four work proxies (FLOPs and
            parameters, log-log and straight line).
    """

    log_latency: np.ndarray
    log_likelihood: np.ndarray
    proxy: np.ndarray


def expert_fits(
    prior: LatencyPrior, indices: Sequence[int], latencies_ms: Sequence[float]
) -> ExpertFits:
    """Fits every expert to the K samples of the new device.

    Args:
        prior: From :func:`build_prior`.
        indices: Row (NAS-Bench-201 index) of each measured cell; distinct.
        latencies_ms: Measured latency (ms) of each, positive and finite.
    """
    idx = np.asarray(indices, dtype=int)
    y = np.log(np.asarray(latencies_ms, dtype=float))
    log_features = np.column_stack([prior.experts, _low_rank_posterior(prior, idx, y)])
    # A straight line in ms may dip to zero or below on cells lighter than any sample;
    # its prediction is floored far below every sample, where the fit is poor anyway.
    floor = math.log(float(np.exp(y).min()) * 1e-3)
    fits = [_line(column, idx, y, in_ms=False, floor=floor) for column in log_features.T]
    fits += [_line(column, idx, y, in_ms=True, floor=floor) for column in prior.lines.T]
    n, n_log = len(prior.devices), log_features.shape[1]
    proxy = np.zeros(len(fits), dtype=bool)
    proxy[[n, n + 1, n_log + n, n_log + n + 1]] = True
    return ExpertFits(
        log_latency=np.column_stack([fit[0] for fit in fits]),
        log_likelihood=np.array([fit[1] for fit in fits]),
        proxy=proxy,
    )


def expert_weights(
    fits: ExpertFits,
    temperature: float,
    proxy_prior: float,
    group_temperature: float | None = None,
) -> np.ndarray:
    """The weight of each expert, in two levels: the work proxies and the other experts
    are two groups; within a group an expert weighs its likelihood to the power
    ``1 / temperature``; a group weighs its prior times its members' mean likelihood to
    the power ``1 / group_temperature``. With ``group_temperature == temperature`` this
    is one level: each expert's prior (its group's share) times its tempered likelihood.

    Args:
        fits: From :func:`expert_fits`.
        temperature: Divides the log-likelihoods within a group (1: plain Bayesian model
            averaging).
        proxy_prior: Prior probability of the group of four work-proxy experts; 0 gives
            every expert the same prior (each group its share of the experts).
        group_temperature: Divides the log-likelihoods when the groups are weighed
            (default: ``temperature``); lower lets clear evidence (precisely timed
            samples that FLOPs does not fit) overrule the prior sooner.

    Raises:
        ConfigError: if a temperature is not positive or ``proxy_prior`` not in [0, 1).
    """
    group_temperature = temperature if group_temperature is None else group_temperature
    for name, value in (("temperature", temperature), ("group_temperature", group_temperature)):
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"{name}: must be a positive number, got {value!r}")
    if not 0.0 <= proxy_prior < 1.0:
        raise ConfigError(f"proxy_prior: must be in [0, 1), got {proxy_prior!r}")
    weights = np.zeros(len(fits.log_likelihood))
    group_log_weights = []
    for group, mass in ((fits.proxy, proxy_prior), (~fits.proxy, 1.0 - proxy_prior)):
        log_likelihood = fits.log_likelihood[group]
        within = np.exp((log_likelihood - log_likelihood.max()) / temperature)
        weights[group] = within / within.sum()
        share = mass if proxy_prior else group.sum() / len(group)
        group_log_weights.append(
            math.log(share)
            + float(logsumexp(log_likelihood / group_temperature))
            - math.log(group.sum())
        )
    group_weights = np.exp(np.array(group_log_weights) - max(group_log_weights))
    group_weights /= group_weights.sum()
    weights[fits.proxy] *= group_weights[0]
    weights[~fits.proxy] *= group_weights[1]
    return weights


def adapt(
    prior: LatencyPrior,
    indices: Sequence[int],
    latencies_ms: Sequence[float],
    proxy_prior: float = PROXY_PRIOR,
    temperature: float = TEMPERATURE,
    group_temperature: float = GROUP_TEMPERATURE,
) -> np.ndarray:
    """Predicted latency (ms) of every cell of the new device from its K samples.

    Args:
        prior: From :func:`build_prior`.
        indices: Row (NAS-Bench-201 index) of each measured cell; distinct.
        latencies_ms: Measured latency (ms) of each, positive and finite.
        proxy_prior: Prior probability of the four work-proxy experts together (see
            :func:`expert_weights`); the defaults of the three settings were chosen by
            leave-one-device-out on the measured devices
            (:mod:`dsegym.costmodels.nas.fewshot_select`).
        temperature: Divides the experts' log-likelihoods within a group.
        group_temperature: Divides them when the two groups are weighed.
    """
    fits = expert_fits(prior, indices, latencies_ms)
    weights = expert_weights(fits, temperature, proxy_prior, group_temperature)
    return np.asarray(np.exp(fits.log_latency @ weights))


def _line(
    column: np.ndarray, idx: np.ndarray, y: np.ndarray, *, in_ms: bool, floor: float
) -> tuple[np.ndarray, float]:
    """One expert: (predicted log-latency of every cell, log-likelihood of the fit).

    The line is fitted by least squares to the log-latencies ``y`` of the cells ``idx``,
    or to their latencies in ms when ``in_ms``; its residuals are taken in log-latency
    either way.
    """
    k = len(idx)
    target = np.exp(y) if in_ms else y
    (a, b), *_ = np.linalg.lstsq(np.column_stack([np.ones(k), column[idx]]), target, rcond=None)
    if b < 0:
        # Latency does not fall as FLOPs or another device's latency rise: a negative
        # slope is noise in few samples, and the expert then says nothing (flat).
        a, b = float(target.mean()), 0.0
    predicted = a + b * column
    if in_ms:
        predicted = np.log(np.maximum(predicted, math.exp(floor)))
    residual = y - predicted[idx]
    # A floor on the variance: with K = 2 every line fits exactly.
    return predicted, -0.5 * k * math.log(max(float(residual @ residual) / k, 1e-9))


@functools.cache
def network_sizes() -> tuple[np.ndarray, np.ndarray]:
    """FLOPs and parameters of every cell's CIFAR-10 network, by NAS-Bench-201 index."""
    from dsegym.costmodels.nas.network import network_counts
    from dsegym.costmodels.nas.tables import index_lookup

    sizes = np.zeros((N_CELLS, 2))
    for cell, i in index_lookup().items():
        sizes[i] = network_counts(cell, "cifar10")
    return sizes[:, 0], sizes[:, 1]


@functools.cache
def measured_prior(exclude: tuple[str, ...] = ()) -> LatencyPrior:
    """The prior learnt from every device of ``latency_ms.csv`` but ``exclude``."""
    from dsegym.costmodels.nas.tables import device_names, latency_ms

    flops, params = network_sizes()
    devices = [d for d in device_names() if d not in exclude]
    return build_prior({d: latency_ms(d) for d in devices}, flops, params)


def check_samples(samples: Mapping[int, float]) -> tuple[list[int], list[float]]:
    """The samples as (indices, latencies), after checking them.

    Raises:
        ConfigError: naming the offending sample on a bad index or latency, or if fewer
            than two samples are given.
    """
    if not isinstance(samples, Mapping):
        raise ConfigError(
            f"samples must map NAS-Bench-201 indices to latencies (ms), got "
            f"{type(samples).__name__}"
        )
    indices, values = [], []
    for index, latency in samples.items():
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise ConfigError(f"samples: key {index!r} is not a NAS-Bench-201 index (an integer)")
        if not 0 <= int(index) < N_CELLS:
            raise ConfigError(f"samples: index {index} is outside 0..{N_CELLS - 1}")
        try:
            value = float(latency)
        except (TypeError, ValueError):
            raise ConfigError(f"samples: cell {index}: latency {latency!r} is not a number")
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(
                f"samples: cell {index}: latency must be a positive finite number of ms, "
                f"got {latency!r}"
            )
        indices.append(int(index))
        values.append(value)
    if len(indices) < MIN_SAMPLES:
        raise ConfigError(
            f"samples: need at least {MIN_SAMPLES} measured cells, got {len(indices)}"
        )
    return indices, values


def fewshot_latency(
    samples: Mapping[int, float], indices: Sequence[int] | np.ndarray | None = None
) -> np.ndarray:
    """Predicted latency (ms) on a new device, from a few cells measured on it.

    The prior is learnt from all 25 devices of the ``nasbench201`` data set (read once
    per process); adapting it to ``samples`` takes milliseconds.

    Args:
        samples: NAS-Bench-201 index -> measured latency (ms) on the new device; at
            least two cells (ten give a mean Spearman of about 0.96 in leave-one-device-
            out trials, at least as good as FLOPs on each of the 25 devices; see the
            README).
        indices: Cells to predict (default: all 15,625, in index order).

    Returns:
        The predicted latency (ms) of each cell of ``indices``.

    Raises:
        ConfigError: on a bad sample or index.
        DataMissingError: if the ``nasbench201`` data set is not installed.
    """
    rows, values = check_samples(samples)
    predicted = adapt(measured_prior(), rows, values)
    if indices is None:
        return predicted
    wanted = np.asarray(indices)
    if wanted.ndim != 1 or not np.issubdtype(wanted.dtype, np.integer):
        raise ConfigError("indices: must be a sequence of NAS-Bench-201 indices (integers)")
    if wanted.size and (wanted.min() < 0 or wanted.max() >= N_CELLS):
        raise ConfigError(f"indices: every index must be in 0..{N_CELLS - 1}")
    return np.asarray(predicted[wanted])
