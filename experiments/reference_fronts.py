"""Reference fronts: stored Pareto fronts with provenance, matched to problem instances.

A reference front belongs to one *instance*: a registered problem, its parameters with
every default filled in, and the cost model's name and version. It is either

* ``exact``: every design of a finite space was costed (``dsegym front compute``), or
* ``best-known``: the union of every front recorded for the instance (a space too large
  to enumerate); never called exact, and
* ``declared``: the problem's own known front (ZDT, DTLZ, the toy accelerator).

Fronts are JSON files (data only: nothing in them can run code) named
``<problem>__<instance key>.json``. They are looked up in the user's folder
(``DSEGYM_FRONTS_DIR``, else ``~/.cache/dsegym/fronts``) and then among the fronts
shipped in the package (``dsegym/experiments/fronts/``). A front made with another
model version is never used: :func:`load_front` refuses it and :func:`find_front`
passes it over with a note.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from dsegym.costmodels.data.store import cache_dir
from dsegym.costmodels.registry import make_problem, problem_parameters
from dsegym.errors import ConfigError, shorten
from dsegym.pareto import nondominated

FRONTS_DIR_ENV = "DSEGYM_FRONTS_DIR"
FORMAT = "dsegym-reference-front/1"
#: A front file larger than this is refused (fronts are small; this bounds memory).
MAX_FILE_BYTES = 64 * 1024 * 1024
Kind = Literal["exact", "best-known", "declared"]
KINDS: tuple[str, ...] = ("exact", "best-known", "declared")
#: Preference when several fronts match one instance.
_RANK = {"declared": 0, "exact": 0, "best-known": 1}


def canonical_params(problem: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The instance's parameters: the given ones over the factory's defaults, JSON-plain."""
    full = {**problem_parameters(problem), **dict(params or {})}
    plain: dict[str, Any] = json.loads(json.dumps(full, sort_keys=True, default=str))
    return plain


def instance_key(problem: str, params: Mapping[str, Any] | None) -> str:
    """A short stable hash of the problem name and its canonical parameters."""
    text = json.dumps([problem, canonical_params(problem, params)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class ReferenceFront:
    """A Pareto front of one instance, in minimised ``F`` units, with its provenance.

    Attributes:
        problem: The registered problem name.
        params: Its canonical parameters (see :func:`canonical_params`).
        cost_model: The cost model's name.
        cost_model_version: The cost model's version when the front was made.
        objectives: The objective labels, the columns of ``points``.
        kind: ``exact``, ``best-known`` or ``declared``.
        points: The front, one row per point.
        designs: The design of each point (may be empty, e.g. for a declared front).
        provenance: How the front was made (designs enumerated, feasible count,
            seconds, date, dsegym version, sources of a best-known front).
    """

    problem: str
    params: dict[str, Any]
    cost_model: str
    cost_model_version: str
    objectives: list[str]
    kind: Kind
    points: np.ndarray
    designs: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return instance_key(self.problem, self.params)

    @property
    def file_name(self) -> str:
        return f"{self.problem}__{self.key}.json"

    def describe(self) -> str:
        """One line for reports: which front, how made, how many points."""
        how = {
            "exact": "exact front (every design enumerated)",
            "best-known": "best-known front (union of recorded fronts; not exact)",
            "declared": "the problem's declared front",
        }[self.kind]
        source = self.provenance.get("source", "")
        return f"{how}, {len(self.points)} points, {self.cost_model} v{self.cost_model_version}" + (
            f", {source}" if source else ""
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "problem": self.problem,
            "params": self.params,
            "cost_model": self.cost_model,
            "cost_model_version": self.cost_model_version,
            "objectives": self.objectives,
            "kind": self.kind,
            "points": self.points.tolist(),
            "designs": self.designs,
            "provenance": self.provenance,
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> ReferenceFront:
        """Parses a front file's content, checking every field.

        Raises:
            ConfigError: naming ``where`` and the bad field.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError(f"{where}: not a dsegym reference front (format {FORMAT!r})")
        for key, kind in (
            ("problem", str),
            ("params", dict),
            ("cost_model", str),
            ("cost_model_version", str),
            ("objectives", list),
            ("points", list),
        ):
            if not isinstance(data.get(key), kind):
                raise ConfigError(f"{where}: field {key!r} must be a {kind.__name__}")
        if data.get("kind") not in KINDS:
            raise ConfigError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}")
        m = len(data["objectives"])
        try:
            points = np.array(data["points"], dtype=float).reshape(-1, m)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: field 'points' must be rows of {m} numbers")
        if not np.isfinite(points).all():
            raise ConfigError(f"{where}: field 'points' holds a non-finite number")
        designs = data.get("designs") or []
        if not isinstance(designs, list) or (designs and len(designs) != len(points)):
            raise ConfigError(f"{where}: field 'designs' must list one design per point")
        return cls(
            problem=data["problem"],
            params=data["params"],
            cost_model=data["cost_model"],
            cost_model_version=data["cost_model_version"],
            objectives=[str(o) for o in data["objectives"]],
            kind=data["kind"],
            points=points,
            designs=designs,
            provenance=dict(data.get("provenance") or {}),
        )


def user_dir() -> Path:
    """Where computed fronts are written (``DSEGYM_FRONTS_DIR``, else the user cache)."""
    env = os.environ.get(FRONTS_DIR_ENV, "").strip()
    return Path(env).expanduser() if env else cache_dir() / "fronts"


def shipped_dir() -> Path:
    """The fronts shipped in the package."""
    return Path(str(resources.files("dsegym.experiments.fronts")))


def save_front(front: ReferenceFront, folder: Path | None = None) -> Path:
    """Writes ``front`` to ``folder`` (default :func:`user_dir`) atomically; returns the path."""
    folder = Path(folder) if folder is not None else user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / front.file_name
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(_dump(front.to_json()))
    os.replace(tmp, path)
    return path


def _dump(data: dict[str, Any]) -> str:
    """JSON with one line per field and one line per point or design (readable diffs)."""
    fields = []
    for key, value in data.items():
        if key in ("points", "designs") and value:
            rows = ",\n  ".join(json.dumps(v) for v in value)  # designs in parameter order
            fields.append(f" {json.dumps(key)}: [\n  {rows}\n ]")
        else:
            fields.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def read_front(path: Path) -> ReferenceFront:
    """Reads a front file (no version check; see :func:`load_front`).

    Raises:
        ConfigError: if it is missing, too large, not JSON or malformed.
    """
    path = Path(path)
    where = shorten(str(path))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{where}: larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"reference front {where!r} does not exist")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read a reference front ({shorten(exc)})")
    return ReferenceFront.from_json(data, where)


def current_version(problem: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """The cost model's name and version that ``problem`` with ``params`` uses today."""
    model = make_problem(problem, dict(params)).cost_model
    return model.name, str(model.version)


def check_version(front: ReferenceFront, model: str, version: str, where: str) -> None:
    """Refuses a front made by another cost model or model version.

    Raises:
        ConfigError: naming both versions.
    """
    if (front.cost_model, front.cost_model_version) != (model, version):
        raise ConfigError(
            f"{where}: made with cost model {front.cost_model} version "
            f"{front.cost_model_version}, but {front.problem} now uses {model} version "
            f"{version}; its numbers are not comparable (recompute it with `dsegym front "
            f"compute {front.problem}`)"
        )


def load_front(path: Path) -> ReferenceFront:
    """Reads a front file and checks it against today's cost model version.

    Raises:
        ConfigError: if the file is bad or its model version differs.
    """
    front = read_front(path)
    model, version = current_version(front.problem, front.params)
    check_version(front, model, version, shorten(str(path)))
    return front


def _candidates(problem: str, key: str) -> Iterator[Path]:
    for folder in (user_dir(), shipped_dir()):
        path = folder / f"{problem}__{key}.json"
        if path.is_file():
            yield path


def find_front(
    problem: str,
    params: Mapping[str, Any] | None,
    cost_model: str,
    version: str,
) -> tuple[ReferenceFront | None, list[str]]:
    """The best stored front of an instance made by this model version, and notes.

    An exact front wins over a best-known one; the user's folder over the shipped one.
    Fronts of another version (or that cannot be read) are passed over with a note.

    Args:
        problem: The registered problem name.
        params: The parameters as given (defaults are filled in).
        cost_model: The cost model's name.
        version: Its version (that of the records being measured).
    """
    key = instance_key(problem, params)
    notes, found = [], []
    for path in _candidates(problem, key):
        try:
            front = read_front(path)
            check_version(front, cost_model, version, path.name)
        except ConfigError as exc:
            notes.append(f"reference front not used: {exc}")
            continue
        found.append(front)
    if not found:
        return None, notes
    found.sort(key=lambda f: _RANK[f.kind])
    return found[0], notes


def best_known(
    problem: str,
    params: Mapping[str, Any] | None,
    fronts: list[np.ndarray],
    sources: list[str],
    previous: ReferenceFront | None = None,
) -> ReferenceFront:
    """The union of recorded fronts (and a previous best-known front) of one instance.

    Raises:
        ConfigError: if no front has a finite point.
    """
    params = canonical_params(problem, params)
    built = make_problem(problem, params)
    pooled = [np.atleast_2d(f) for f in fronts if np.size(f)]
    if previous is not None:
        pooled.append(previous.points)
        sources = list(previous.provenance.get("sources", [])) + sources
    if not pooled:
        raise ConfigError(f"no recorded run of {problem} has a feasible design to pool")
    points = nondominated(np.vstack(pooled))
    return ReferenceFront(
        problem=problem,
        params=params,
        cost_model=built.cost_model.name,
        cost_model_version=str(built.cost_model.version),
        objectives=built.objective_labels,
        kind="best-known",
        points=points,
        provenance={
            "source": "union of recorded fronts",
            "sources": sorted(set(sources)),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    )
