"""Experiment configs: YAML validated by pydantic, expanded into runs.

An experiment names problems x agents x seeds x hyperparameter settings and a budget.
A list given as an agent hyperparameter sweeps it (see
:func:`dsegym.search.registry.expand_sweep`).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.registry import make_problem, problem_factory, problem_spec
from dsegym.errors import (
    ConfigError,
    DsegymError,
    UnknownNameError,
    format_validation_error,
    shorten,
)
from dsegym.experiments.runner import RunSpec
from dsegym.loading import add_import_folder
from dsegym.search.registry import (
    expand_sweep,
    get_agent_class,
    make_agent_for,
    validate_hyperparameters,
)
from dsegym.yaml_input import YamlLimitError, check_yaml_file_size, safe_load

# Every library that takes a seed accepts this range (NumPy's legacy RandomState, which
# Optuna and pymoo use, takes at most 32 bits).
MAX_SEED = 2**32 - 1
MAX_NESTING = 50


#: Labels and the experiment name end up in file names: at most this many UTF-8 bytes.
MAX_LABEL_BYTES = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_label(value: str | None) -> str | None:
    if value is None:
        return value
    if not value.strip():
        raise ValueError("must not be empty")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters (NUL, newline, tab...)")
    size = len(value.encode("utf-8", errors="surrogatepass"))
    if size > MAX_LABEL_BYTES:
        raise ValueError(f"at most {MAX_LABEL_BYTES} bytes in UTF-8 (got {size})")
    return value


def _not_dots(value: str) -> str:
    if value in (".", ".."):  # results/<name> would be results/ or its parent
        raise ValueError(f"{value!r} is not a usable name")
    return value


Label = Annotated[str | None, pydantic.AfterValidator(_check_label)]


class ProblemEntry(_Strict):
    """A problem of the experiment: a registered name and its parameters."""

    name: str = Field(
        description="registered problem name (see `dsegym list problems`) or 'module:function'"
    )
    params: dict[str, Any] = Field(default_factory=dict)
    label: Label = Field(None, description="name in tables (default: the problem name)")


class AgentEntry(_Strict):
    """An agent of the experiment: a registered name or ``module:Class``."""

    name: str = Field(description="registered agent name or 'module:Class'")
    params: dict[str, Any] = Field(
        default_factory=dict, description="hyperparameters; a list of values sweeps"
    )
    label: Label = None


class ExperimentConfig(_Strict):
    """The whole experiment, as written in YAML."""

    name: Annotated[
        str,
        Field(min_length=1, max_length=MAX_LABEL_BYTES, pattern=r"^[A-Za-z0-9_.-]+$"),
        pydantic.AfterValidator(_not_dots),
    ]
    description: str = ""
    budget: Annotated[int, Field(ge=1, description="distinct evaluations per run")]
    seeds: list[Annotated[int, Field(ge=0, le=MAX_SEED)]] = Field(
        default_factory=lambda: [0], min_length=1
    )
    problems: Annotated[list[ProblemEntry | str], Field(min_length=1)]
    agents: Annotated[list[AgentEntry | str], Field(min_length=1)]
    output_dir: str | None = Field(None, description="default: results/<name>")
    max_proposals_factor: Annotated[int, Field(ge=1, le=1000)] = 10
    workers: Annotated[int, Field(ge=1)] = 1
    eval_workers: Annotated[
        int, Field(ge=1, le=1024, description="Ray workers costing each batch within a run")
    ] = 1
    address: str | None = Field(None, description="Ray cluster address ('auto' or host:port)")
    hypervolume_scale: Literal["linear", "log"] = Field(
        "linear", description="objective normalisation for hypervolume (see dsegym.pareto)"
    )

    @pydantic.field_validator("problems", mode="after")
    @classmethod
    def _problem_objects(cls, v: list[ProblemEntry | str]) -> list[ProblemEntry]:
        return [ProblemEntry(name=p, label=None) if isinstance(p, str) else p for p in v]

    @pydantic.field_validator("agents", mode="after")
    @classmethod
    def _agent_objects(cls, v: list[AgentEntry | str]) -> list[AgentEntry]:
        return [AgentEntry(name=a, label=None) if isinstance(a, str) else a for a in v]

    @property
    def problem_entries(self) -> list[ProblemEntry]:
        return [p for p in self.problems if isinstance(p, ProblemEntry)]

    @property
    def agent_entries(self) -> list[AgentEntry]:
        return [a for a in self.agents if isinstance(a, AgentEntry)]

    # The problems parse_config built to validate the config, by problem_key: a run
    # uses them instead of building its problem a second time.
    _problems: dict[str, Problem] = pydantic.PrivateAttr(default_factory=dict)

    def results_dir(self, base: Path | None = None) -> Path:
        return Path(self.output_dir) if self.output_dir else (base or Path("results")) / self.name

    def built_problem(self, name: str, params: dict[str, Any]) -> Problem | None:
        """The problem :func:`parse_config` built (and checked) for these settings.

        ``None`` for a config made without :func:`parse_config`.
        """
        return self._problems.get(problem_key(name, params))


def problem_key(name: str, params: dict[str, Any]) -> str:
    """Identifies a problem's settings: equal keys build equal problems."""
    return json.dumps([name, params], sort_keys=True, default=str)


@dataclass(frozen=True)
class AgentSetting:
    """One hyperparameter setting of one agent entry, with its label in tables."""

    index: int
    entry: AgentEntry
    params: dict[str, Any]
    resolved: dict[str, Any]
    label: str


def _value_text(value: Any) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else value


def agent_settings(config: ExperimentConfig) -> list[AgentSetting]:
    """Every (agent entry, hyperparameter setting), labelled so that no two look alike.

    Settings that share a label (the entry's ``label`` or the agent's name) are told
    apart by the hyperparameters whose resolved values differ among them, e.g.
    ``random_walk[n_changes=2]`` and ``random_walk[n_changes=4]``, whether they come
    from one swept entry or from several entries.
    """
    raw = []
    for i, a in enumerate(config.agent_entries):
        for setting in expand_sweep(a.name, a.params):
            resolved = validate_hyperparameters(a.name, setting).model_dump(mode="json")
            raw.append((i, a, setting, resolved, a.label or a.name))
    out = []
    for i, a, setting, resolved, base in raw:
        peers = [r[3] for r in raw if r[4] == base]
        keys = [k for k in resolved if any(p.get(k) != resolved[k] for p in peers)]
        label = base
        if keys:
            label += "[" + ",".join(f"{k}={_value_text(resolved[k])}" for k in keys) + "]"
        out.append(AgentSetting(i, a, setting, resolved, label))
    return out


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of lists and dicts, counted up to ``limit + 1``."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        else:
            deepest = max(deepest, depth - 1)
    return deepest


def parse_config(data: Any, source: str = "config") -> ExperimentConfig:
    """Validates a config mapping fully: schema, names, problem and agent parameters.

    Also rejects duplicate runs (a seed given twice, an agent or a problem given twice
    with identical settings) and checks that each agent can search each problem's space
    with what is installed.

    Raises:
        ConfigError: naming the field and what is allowed.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys at the top level")
    if _depth(data, MAX_NESTING) > MAX_NESTING:
        raise ConfigError(f"{source}: nested more than {MAX_NESTING} levels deep")
    try:
        config = ExperimentConfig.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{source}: {format_validation_error(exc)}") from None
    problems: list[Problem] = []
    for i, p in enumerate(config.problem_entries):
        where = f"{source}: problems[{i}]"
        try:
            problem_spec(p.name)
        except UnknownNameError as exc:
            raise ConfigError(f"{where}.name: {exc}") from None
        problems.append(build_problem(p.name, p.params, f"{where}.params"))
    for i, a in enumerate(config.agent_entries):
        where = f"{source}: agents[{i}]"
        try:
            get_agent_class(a.name)
            for setting in expand_sweep(a.name, a.params):
                validate_hyperparameters(a.name, setting)
        except UnknownNameError as exc:
            raise ConfigError(f"{where}.name: {exc}") from None
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    labels = [p.label or p.name for p in config.problem_entries]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{source}: problems: give each repeated problem a distinct 'label'")
    _reject_duplicates(config, source)
    for s in agent_settings(config):
        for i, (p, problem) in enumerate(zip(config.problem_entries, problems, strict=True)):
            try:
                make_agent_for(s.entry.name, problem, seed=config.seeds[0], params=s.params)
            except ConfigError as exc:
                raise ConfigError(
                    f"{source}: agents[{s.index}] on problems[{i}] ({p.label or p.name}): {exc}"
                ) from None
    config._problems = {
        problem_key(p.name, p.params): problem
        for p, problem in zip(config.problem_entries, problems, strict=True)
    }
    return config


def _field_naming(params: dict[str, Any], text: str, where: str) -> str:
    """``where.key`` for the parameter whose (file name) value the message mentions."""
    for key, value in params.items():
        if isinstance(value, str) and value and value in text:
            return f"{where}.{key}"
    return where


def _check_files(params: dict[str, Any], where: str) -> None:
    """Every parameter naming an existing file must name a UTF-8 text file."""
    for key, value in params.items():
        if not (isinstance(value, str) and value and len(value) < 4096):
            continue
        try:
            path = Path(value)
            if not path.is_file():
                continue
            problem = _text_file_problem(path)
        except (OSError, ValueError):
            continue
        if problem:
            raise ConfigError(f"{where}.{key}: file {shorten(value)!r} {problem}")


def _text_file_problem(path: Path) -> str:
    """Why ``path`` is not UTF-8 text ("" if it is).

    Read in chunks: a large trace file is checked without being held in memory.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return f"is not UTF-8 text (byte {offset + exc.start} cannot be decoded)"
            if b"\x00" in chunk:
                return "is binary, not text"
            if not chunk:
                return ""
            offset += len(chunk)


def build_problem(name: str, params: dict[str, Any], where: str) -> Problem:
    """:func:`make_problem` at the boundary: every failure is a ConfigError naming a field.

    Args:
        name: Registered problem name or ``module:function``.
        params: Its parameters, as the user gave them.
        where: The field the parameters came from (``problems[0].params``, ``--param``).
    """
    # A factory that reads a binary file (a saved proxy model) names those parameters in
    # ``binary_file_parameters``; every other file parameter must be UTF-8 text.
    try:
        factory = problem_factory(name)
    except DsegymError as exc:
        raise ConfigError(f"{where.removesuffix('.params')}.name: {exc}") from None
    binary = getattr(factory, "binary_file_parameters", ())
    _check_files({k: v for k, v in params.items() if k not in binary}, where)
    for key, value in params.items():
        is_seed = key == "seed" or key.endswith("_seed")
        if is_seed and isinstance(value, int) and not 0 <= value <= MAX_SEED:
            raise ConfigError(
                f"{where}.{key}: a seed must be an integer in [0, {MAX_SEED}], got {value}"
            )
    try:
        return make_problem(name, params)
    except DsegymError as exc:
        raise ConfigError(f"{_field_naming(params, str(exc), where)}: {exc}") from None
    except (ValueError, TypeError, OverflowError, OSError, RecursionError) as exc:
        # A factory that let a library error through: still one message, never a traceback.
        text = shorten(f"{type(exc).__name__}: {exc}")
        raise ConfigError(
            f"{_field_naming(params, text, where)}: problem {name!r}: {text}"
        ) from None


def _reject_duplicates(config: ExperimentConfig, source: str) -> None:
    seen: dict[int, int] = {}
    for i, seed in enumerate(config.seeds):
        if seed in seen:
            raise ConfigError(
                f"{source}: seeds[{i}]: seed {seed} repeats seeds[{seen[seed]}]; "
                "each seed runs once"
            )
        seen[seed] = i
    problems: dict[str, int] = {}
    for i, p in enumerate(config.problem_entries):
        key = problem_key(p.name, p.params)
        if key in problems:
            raise ConfigError(
                f"{source}: problems[{i}] repeats problems[{problems[key]}] "
                f"({p.name} with the same params); each run would be done twice"
            )
        problems[key] = i
    agents: dict[str, AgentSetting] = {}
    for s in agent_settings(config):
        key = json.dumps([s.entry.name, s.resolved], sort_keys=True, default=str)
        if key in agents:
            first = agents[key]
            raise ConfigError(
                f"{source}: agents[{s.index}] repeats agents[{first.index}] ({s.entry.name} "
                f"with identical hyperparameters {shorten(json.dumps(s.resolved, default=str))}); "
                "each run would be done twice"
            )
        agents[key] = s


def check_output_dir(path: Path, field: str = "output_dir") -> None:
    """Checks that the results folder exists as a folder or can be created.

    Raises:
        ConfigError: naming the field and why the folder cannot be used.
    """
    path = Path(path)
    try:
        _check_output_dir(path, field)
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte
        reason = shorten(getattr(exc, "strerror", None) or exc)
        raise ConfigError(f"{field}: {shorten(str(path))!r} cannot be a folder: {reason}") from None


def _check_output_dir(path: Path, field: str) -> None:
    if path.exists():
        if not path.is_dir():
            raise ConfigError(f"{field}: {str(path)!r} exists and is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ConfigError(f"{field}: folder {str(path)!r} is not writable")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"{field}: cannot create {str(path)!r}: {str(parent)!r} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(
            f"{field}: cannot create {str(path)!r}: folder {str(parent)!r} is not writable"
        )


def load_config(path: Path | str) -> ExperimentConfig:
    """Reads and validates a YAML experiment config.

    The config's folder becomes importable, so ``module:Name`` references to files
    beside it work from any current folder.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    try:
        check_yaml_file_size(path)
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not a UTF-8 text file (byte {exc.start} cannot be decoded)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except YamlLimitError as exc:
        raise ConfigError(f"{path}: {exc.problem}") from None
    if "\x00" in text:
        raise ConfigError(f"{path}: not a text file (it contains NUL bytes)")
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: malformed YAML{where}: {shorten(problem)}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested more than {MAX_NESTING} levels deep") from None
    add_import_folder(path.parent)
    return parse_config(data, str(path))


def expand_runs(config: ExperimentConfig) -> list[RunSpec]:
    """Every (problem, agent setting, seed) combination, in a fixed order."""
    specs = []
    settings = agent_settings(config)
    for p in config.problem_entries:
        for s in settings:
            for seed in config.seeds:
                specs.append(
                    RunSpec(
                        experiment=config.name,
                        problem=p.name,
                        problem_params=p.params,
                        agent=s.entry.name,
                        agent_params=s.params,
                        seed=seed,
                        budget=config.budget,
                        max_proposals_factor=config.max_proposals_factor,
                        problem_label=p.label or p.name,
                        agent_label=s.label,
                    )
                )
    return specs


def fingerprint(config: ExperimentConfig) -> dict[str, Any]:
    """Everything in ``config`` that changes records, and its SHA-256.

    Workers, eval_workers, address, output folder, description and the report's
    hypervolume scale are left out: they do not change a single record.
    """
    settings = {
        "name": config.name,
        "budget": config.budget,
        "max_proposals_factor": config.max_proposals_factor,
        "seeds": list(config.seeds),
        "problems": [
            {"name": p.name, "params": p.params, "label": p.label or p.name}
            for p in config.problem_entries
        ],
        "agents": [
            {"name": s.entry.name, "hyperparameters": s.resolved, "label": s.label}
            for s in agent_settings(config)
        ],
    }
    text = json.dumps(settings, sort_keys=True, default=str)
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(), "settings": settings}


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two fingerprints' settings, one clause per change."""
    out = []
    for key in ("name", "budget", "max_proposals_factor"):
        if old.get(key) != new.get(key):
            out.append(f"{key} {old.get(key)!r} -> {new.get(key)!r}")
    old_seeds, new_seeds = set(old.get("seeds", [])), set(new.get("seeds", []))
    if old_seeds - new_seeds:
        out.append(f"seeds removed: {sorted(old_seeds - new_seeds)}")
    if new_seeds - old_seeds:
        out.append(f"seeds added: {sorted(new_seeds - old_seeds)}")
    for key, name in (("problems", "problem"), ("agents", "agent")):
        before = {x["label"]: x for x in old.get(key, [])}
        after = {x["label"]: x for x in new.get(key, [])}
        for label in sorted(before.keys() - after.keys()):
            out.append(f"{name} removed: {shorten(label)}")
        for label in sorted(after.keys() - before.keys()):
            out.append(f"{name} added: {shorten(label)}")
        for label in sorted(before.keys() & after.keys()):
            a, b = before[label], after[label]
            for field in sorted(set(a) | set(b)):
                if a.get(field) != b.get(field):
                    out.append(
                        f"{name} {shorten(label)}: {field} {shorten(json.dumps(a.get(field)))}"
                        f" -> {shorten(json.dumps(b.get(field)))}"
                    )
    return sorted(out)
