"""The YAML a user writes to plug a simulator in as a ``command`` cost model.

The file declares the design space, the metrics, the command line (and input files)
rendered from each design with Jinja2, a timeout, and where the metrics are read:
a JSON or CSV file the simulator writes, or its standard output through one regular
expression per metric. It is validated by pydantic; a mistake gives one message that
names the field.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Annotated, Any, Literal

import jinja2
import jinja2.meta
import jinja2.sandbox
import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal, Real
from dsegym.errors import ConfigError, format_validation_error, shorten
from dsegym.yaml_input import YamlLimitError, check_yaml_file_size, safe_load

#: Names every template may use besides the design's parameters.
CONTEXT_NAMES = ("spec_dir", "python", "workdir", "design")

_NAME = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Knob(_Strict):
    description: str = Field("", description="one line of meaning, shown by `dsegym show`")


class IntegerParameter(_Knob):
    """``low, low + step, ..., high``."""

    type: Literal["integer"]
    name: _NAME
    low: int
    high: int
    step: Annotated[int, Field(ge=1)] = 1


class RealParameter(_Knob):
    """A real interval, optionally searched on a log scale."""

    type: Literal["real"]
    name: _NAME
    low: float
    high: float
    log: bool = False


class OrdinalParameter(_Knob):
    """Ordered numeric values (for example powers of two)."""

    type: Literal["ordinal"]
    name: _NAME
    values: Annotated[list[int | float], Field(min_length=1)]


class CategoricalParameter(_Knob):
    """Unordered choices."""

    type: Literal["categorical"]
    name: _NAME
    choices: Annotated[list[str | int | float | bool], Field(min_length=1)]


Parameter = Annotated[
    IntegerParameter | RealParameter | OrdinalParameter | CategoricalParameter,
    Field(discriminator="type"),
]


class MetricSpec(_Strict):
    """A metric the simulator reports; put its unit in its name (``latency_cycles``)."""

    name: _NAME
    unit: str = "1"
    description: str = ""


class OutputSpec(_Strict):
    """Where the metrics are read after the command exits.

    ``json``: a JSON object in ``file``; ``keys`` maps a metric to a dotted path in it
    (default: the metric's name at the top level). ``csv``: the last row of ``file``;
    ``keys`` maps a metric to a column (default: its name). ``stdout``: ``patterns``
    maps each metric to a regular expression whose first group is the number (the last
    match counts).
    """

    format: Literal["json", "csv", "stdout"]
    file: str | None = Field(None, description="file the simulator writes (json, csv)")
    keys: dict[str, str] = Field(default_factory=dict)
    patterns: dict[str, str] = Field(default_factory=dict)

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> OutputSpec:
        if self.format in ("json", "csv") and not self.file:
            raise ValueError(f"format {self.format!r} needs 'file': the file to read")
        if self.format == "stdout":
            if self.file or self.keys:
                raise ValueError("format 'stdout' reads 'patterns', not 'file' or 'keys'")
            for metric, pattern in self.patterns.items():
                try:
                    groups = re.compile(pattern).groups
                except re.error as exc:
                    raise ValueError(f"patterns.{metric}: not a regular expression: {exc}")
                if groups < 1:
                    raise ValueError(f"patterns.{metric}: needs a group around the number")
        elif self.patterns:
            raise ValueError(f"format {self.format!r} reads 'keys', not 'patterns'")
        return self


class ObjectiveSpec(_Strict):
    """An objective: a metric to minimise (or maximise)."""

    metric: str
    sense: Literal["min", "max"] = "min"


class ConstraintSpec(_Strict):
    """A spec on a metric: ``lower <= metric <= upper``."""

    metric: str
    upper: float | None = None
    lower: float | None = None


def _check_file_name(file: str) -> None:
    """A file name in a spec must name a file inside the evaluation folder."""
    path = Path(file)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"file {file!r}: must be relative to the evaluation folder")
    if "\x00" in file or not path.parts or file.endswith(("/", "/.")) or path.name == ".":
        raise ValueError(f"file {file!r}: must name a file (for example 'input.cfg')")


class CommandSpec(_Strict):
    """A user's simulator as a cost model (see ``costmodels/command/example``)."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")] = Field(
        description="the model's name in records"
    )
    version: str = Field("1", description="bump when the simulator's numbers change")
    description: str = ""
    workload: str = Field("", description="workload name in records")
    parameters: Annotated[list[Parameter], Field(min_length=1)]
    metrics: Annotated[list[MetricSpec], Field(min_length=1)]
    command: list[str] | str = Field(
        description="argument list (or one string split like a shell would), Jinja2 "
        "templates rendered with the design"
    )
    files: dict[str, str] = Field(
        default_factory=dict,
        description="input files written into the evaluation's folder: name -> template",
    )
    env: dict[str, str] = Field(default_factory=dict, description="extra environment")
    timeout_s: Annotated[float, Field(gt=0, le=7 * 24 * 3600)] = 600.0
    output: OutputSpec
    objectives: list[ObjectiveSpec | str] = Field(
        default_factory=list, description="default: every metric, minimised"
    )
    constraints: list[ConstraintSpec] = Field(default_factory=list)

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> CommandSpec:
        names = [p.name for p in self.parameters]
        metrics = [m.name for m in self.metrics]
        for what, values in (("parameters", names), ("metrics", metrics)):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"{what}: repeated names {repeated}")
        clash = sorted(set(names) & set(CONTEXT_NAMES))
        if clash:
            raise ValueError(f"parameters: {clash} is reserved for templates")
        used = [o if isinstance(o, str) else o.metric for o in self.objectives]
        used += [c.metric for c in self.constraints]
        used += list(self.output.keys) + list(self.output.patterns)
        unknown = sorted(set(used) - set(metrics))
        if unknown:
            raise ValueError(f"unknown metrics {unknown}; declared: {metrics}")
        if self.output.format == "stdout":
            missing = sorted(set(metrics) - set(self.output.patterns))
            if missing:
                raise ValueError(f"output.patterns: no pattern for metrics {missing}")
        for file in [*self.files, *([self.output.file] if self.output.file else [])]:
            _check_file_name(file)
        return self

    def design_space(self) -> DesignSpace:
        """The declared parameters as a :class:`DesignSpace`."""
        out: list[Any] = []
        for p in self.parameters:
            if isinstance(p, IntegerParameter):
                out.append(Integer(p.name, p.low, p.high, p.step, description=p.description))
            elif isinstance(p, RealParameter):
                out.append(Real(p.name, p.low, p.high, log=p.log, description=p.description))
            elif isinstance(p, OrdinalParameter):
                out.append(Ordinal(p.name, tuple(p.values), description=p.description))
            else:
                out.append(Categorical(p.name, tuple(p.choices), description=p.description))
        return DesignSpace(out)

    def templates(self) -> dict[str, str]:
        """Every template by where it is in the file (for checking and rendering)."""
        command = [self.command] if isinstance(self.command, str) else self.command
        out = {f"command[{i}]": t for i, t in enumerate(command)}
        out.update({f"files.{name}": t for name, t in self.files.items()})
        return out


def _check_templates(spec: CommandSpec, env: jinja2.Environment) -> None:
    allowed = {p.name for p in spec.parameters} | set(CONTEXT_NAMES)
    for where, text in spec.templates().items():
        try:
            names = jinja2.meta.find_undeclared_variables(env.parse(text))
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"{where}: template syntax error: {exc.message}") from None
        unknown = sorted(names - allowed)
        if unknown:
            raise ConfigError(
                f"{where}: unknown template names {unknown}; allowed: {sorted(allowed)}"
            )


def template_environment(*, shell_words: bool = False) -> jinja2.Environment:
    """Strict, sandboxed Jinja2: an undefined name is an error, not an empty string.

    The sandbox refuses attribute tricks (``''.__class__.__mro__``) and unsafe calls,
    so a spec's templates compute strings but cannot run code inside dsegym.

    Args:
        shell_words: For a command given as one string: each ``{{ ... }}`` renders
            shell-quoted, so a value with spaces or quotes stays one argument.
    """
    return jinja2.sandbox.ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=(lambda value: shlex.quote(str(value))) if shell_words else None,
    )


def parse_spec(data: Any, source: str) -> CommandSpec:
    """Validates a spec mapping (templates included).

    Raises:
        ConfigError: naming the field and what is wrong.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys at the top level")
    try:
        spec = CommandSpec.model_validate(data)
        spec.design_space()
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{source}: {format_validation_error(exc)}") from None
    except ValueError as exc:  # a parameter range the design space refuses
        raise ConfigError(f"{source}: parameters: {exc}") from None
    try:
        _check_templates(spec, template_environment())
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return spec


def load_spec(path: Path | str) -> tuple[CommandSpec, Path]:
    """Reads a spec file; returns it with its folder (``spec_dir`` in templates)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"command spec {str(path)!r} does not exist")
    try:
        check_yaml_file_size(path)
        data = safe_load(path.read_text(encoding="utf-8"))
    except YamlLimitError as exc:
        raise ConfigError(f"{path}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: malformed YAML: {shorten(exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text: {shorten(exc)}") from None
    return parse_spec(data, str(path)), path.resolve().parent
