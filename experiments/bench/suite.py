"""Benchmark suites: versioned lists of problem instances, read from YAML.

A suite fixes, per instance, the problem and its parameters, the evaluation budget,
the main indicator, the kind of reference front and the cost-model version; and, for
the whole suite, the seeds and what ``--quick`` runs. A suite's *hash* covers every
field that can change a number (not ``description`` nor an instance's ``why``): a
released suite never changes, and a new cost-model version means a new suite name.

Suites ship in ``dsegym/experiments/bench/suites/<name>.yaml``; a path to a YAML file
of the same format works wherever a suite name does.
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from dsegym.errors import ConfigError, UnknownNameError, format_validation_error, shorten
from dsegym.yaml_input import YamlLimitError, check_yaml_file_size, safe_load

#: Main indicators a suite may name, and the scoreboard's column each one is.
INDICATORS: dict[str, str] = {
    "hv_ratio": "ref_hv_ratio",
    "ref_hv_ratio": "ref_hv_ratio",
    "igd_plus": "igd_plus",
    "epsilon_additive": "epsilon_additive",
    "recall_exact": "recall_exact",
    "recall_tol": "recall_tol",
}
#: Indicators where a smaller value is better (the others: larger is better).
LOWER_IS_BETTER = frozenset({"igd_plus", "epsilon_additive"})
SLUG = r"^[a-z0-9][a-z0-9._-]*$"  # a folder name: lower case, digits, . _ -
MAX_SEED = 2**32 - 1
MIN_QUICK_BUDGET = 10  # a --quick run never has fewer evaluations than this


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuickSpec(_Strict):
    """What ``--quick`` runs: fewer seeds and a fraction of every budget."""

    seeds: Annotated[list[Annotated[int, Field(ge=0, le=MAX_SEED)]], Field(min_length=1)]
    budget_fraction: Annotated[float, Field(gt=0.0, le=1.0)]


class Instance(_Strict):
    """One problem instance of a suite."""

    id: Annotated[str, Field(pattern=SLUG, max_length=80)]
    problem: Annotated[str, Field(min_length=1)]
    params: dict[str, Any] = Field(default_factory=dict)
    budget: Annotated[int, Field(ge=1, le=1_000_000)]
    indicator: Literal[
        "hv_ratio", "ref_hv_ratio", "igd_plus", "epsilon_additive", "recall_exact", "recall_tol"
    ]
    reference: Literal["exact", "best-known", "declared"]
    cost_model_version: Annotated[int, Field(ge=1)]
    why: str = ""

    @property
    def column(self) -> str:
        """The scoreboard's name of the main indicator (``hv_ratio`` -> ``ref_hv_ratio``)."""
        return INDICATORS[self.indicator]

    @property
    def higher_is_better(self) -> bool:
        return self.column not in LOWER_IS_BETTER

    def quick_budget(self, fraction: float) -> int:
        """The budget of a ``--quick`` run: ``ceil(fraction * budget)``, at least 10."""
        return min(self.budget, max(MIN_QUICK_BUDGET, math.ceil(fraction * self.budget)))


class Suite(_Strict):
    """A benchmark suite as written in YAML."""

    suite: Annotated[str, Field(pattern=SLUG, max_length=80)]
    description: str = ""
    seeds: Annotated[list[Annotated[int, Field(ge=0, le=MAX_SEED)]], Field(min_length=1)]
    quick: QuickSpec
    instances: Annotated[list[Instance], Field(min_length=1)]

    @pydantic.model_validator(mode="after")
    def _unique(self) -> Suite:
        checks: list[tuple[str, list[Any]]] = [
            ("instances[].id", [i.id for i in self.instances]),
            ("seeds", list(self.seeds)),
            ("quick.seeds", list(self.quick.seeds)),
        ]
        for what, values in checks:
            dup = sorted({v for v in values if values.count(v) > 1}, key=str)
            if dup:
                raise ValueError(f"{what}: duplicates {', '.join(map(str, dup))}")
        return self

    @property
    def name(self) -> str:
        return self.suite

    def instance(self, instance_id: str) -> Instance:
        for inst in self.instances:
            if inst.id == instance_id:
                return inst
        raise UnknownNameError(f"instance of suite {self.suite}", instance_id, self.ids)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.instances]

    def content_hash(self) -> str:
        """SHA-256 (first 16 hex digits) of every field that can change a number."""
        data = self.model_dump(mode="json", exclude={"description"})
        for inst in data["instances"]:
            inst.pop("why", None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def suites_dir() -> Path:
    """The folder of the suites shipped with dsegym."""
    return Path(str(resources.files("dsegym.experiments.bench") / "suites"))


def suite_names() -> list[str]:
    """Names of the shipped suites."""
    return sorted(p.stem for p in suites_dir().glob("*.yaml"))


def _check_registry(suite: Suite, where: str) -> None:
    """Every problem is registered and its cost model has the version the suite names."""
    from dsegym.costmodels.registry import problem_spec

    for k, inst in enumerate(suite.instances):
        field = f"{where}: instances[{k}] ({inst.id})"
        try:
            spec = problem_spec(inst.problem)
        except UnknownNameError as exc:
            raise ConfigError(f"{field}.problem: {exc}") from None
        if int(spec.version) != inst.cost_model_version:
            raise ConfigError(
                f"{field}.cost_model_version: the suite names version "
                f"{inst.cost_model_version}, but {inst.problem} uses cost model "
                f"{spec.cost_model} version {spec.version}; a new cost-model version "
                "needs a new suite version"
            )


def parse_suite(data: Any, where: str = "suite") -> Suite:
    """Validates a suite mapping: schema, unique ids and seeds, registered problems.

    Raises:
        ConfigError: naming the field and what is allowed.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys at the top level")
    try:
        suite = Suite.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{where}: {format_validation_error(exc)}") from None
    _check_registry(suite, where)
    return suite


def suite_path(name_or_path: str | Path) -> Path:
    """The YAML file of a shipped suite name, or the path given.

    Raises:
        UnknownNameError: for a name that is neither shipped nor an existing file.
    """
    text = str(name_or_path)
    if text in suite_names():
        return suites_dir() / f"{text}.yaml"
    path = Path(text)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    raise UnknownNameError("suite", text, suite_names() + ["a path to a suite .yaml file"])


def load_suite(name_or_path: str | Path) -> Suite:
    """Reads and validates a suite by shipped name or YAML path.

    Raises:
        ConfigError: for an unknown name, an unreadable file or an invalid field.
    """
    path = suite_path(name_or_path)
    where = shorten(str(name_or_path))
    try:
        check_yaml_file_size(path)
        data = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read the suite ({shorten(exc)})") from None
    except YamlLimitError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}: malformed YAML{at}") from None
    return parse_suite(data, where)
