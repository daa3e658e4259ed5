"""The ``command`` cost model: runs a user's simulator once per design.

Each evaluation gets its own temporary folder (the simulator's working directory, where
its input files are rendered and its output file is read), so concurrent evaluations,
in threads, processes or on other nodes, share nothing. The command runs without a
shell, in a session of its own; when it ends, times out or dsegym is interrupted,
everything it started is killed (see :mod:`dsegym.costmodels.command.process`).
A non-zero exit, a timeout, a command that cannot start or a missing metric is
an infeasible evaluation whose reasons carry the exit code and the tail of the
simulator's standard error; it never raises.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import jinja2

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.command.process import MAX_STDOUT_BYTES, run_command
from dsegym.costmodels.command.spec import CommandSpec, template_environment
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import shorten

#: How much of the simulator's standard error an infeasible evaluation quotes.
STDERR_TAIL_LINES = 10
STDERR_TAIL_CHARS = 1000
#: The largest metrics file read (a JSON or CSV file of numbers is far smaller).
MAX_OUTPUT_FILE_BYTES = 64 << 20


def stderr_tail(stderr: str) -> str:
    """The last lines of ``stderr`` (bounded), for reasons."""
    lines = stderr.strip().splitlines()[-STDERR_TAIL_LINES:]
    return "\n".join(lines)[-STDERR_TAIL_CHARS:]


class CommandModel(CostModel):
    """A simulator run as a command; see :mod:`dsegym.costmodels.command.spec`.

    Args:
        spec: The validated spec.
        spec_dir: The spec file's folder (``spec_dir`` in templates).
    """

    name: ClassVar[str] = "command"

    def __init__(self, spec: CommandSpec, spec_dir: Path | str = "."):
        self.spec = spec
        self.spec_dir = str(Path(spec_dir).resolve())
        self._space = spec.design_space()
        # Instance attributes: each spec is its own model, named and versioned by it.
        self.name = spec.name  # type: ignore[misc]
        self.version = spec.version  # type: ignore[misc]
        self.metrics = tuple(  # type: ignore[misc]
            Metric(m.name, m.unit, m.description) for m in spec.metrics
        )
        self._env: jinja2.Environment | None = None
        self._words: jinja2.Environment | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Compiled templates do not pickle; they are rebuilt where the model lands.
        return {**self.__dict__, "_env": None, "_words": None}

    @property
    def space(self) -> DesignSpace:
        return self._space

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        with tempfile.TemporaryDirectory(prefix="dsegym-cmd-", ignore_cleanup_errors=True) as tmp:
            workdir = Path(tmp)
            try:
                argv, files = self._render(design, workdir)
            except (jinja2.TemplateError, ValueError) as exc:
                # ValueError: shlex cannot split the rendered string.
                return Evaluation.infeasible(f"template could not be rendered: {exc}")
            for name, text in files.items():
                (workdir / name).parent.mkdir(parents=True, exist_ok=True)
                (workdir / name).write_text(text)
            return self._run(argv, workdir)

    def _render(self, design: Mapping[str, Any], workdir: Path) -> tuple[list[str], dict]:
        if self._env is None or self._words is None:
            self._env = template_environment()
            self._words = template_environment(shell_words=True)
        env, words = self._env, self._words
        context = {
            **design,
            "design": dict(design),
            "spec_dir": self.spec_dir,
            "python": sys.executable,
            "workdir": str(workdir),
        }
        render = lambda text: env.from_string(text).render(context)  # noqa: E731
        if isinstance(self.spec.command, str):
            # Each {{ }} renders shell-quoted: a value is one argument whatever it holds.
            argv = shlex.split(words.from_string(self.spec.command).render(context))
        else:
            argv = [render(arg) for arg in self.spec.command]
        files = {name: render(text) for name, text in self.spec.files.items()}
        return argv, files

    def _run(self, argv: list[str], workdir: Path) -> Evaluation:
        timeout = self.spec.timeout_s
        done = run_command(argv, workdir, {**os.environ, **self.spec.env}, timeout)
        if done.returncode is None:
            return Evaluation.infeasible(f"command {argv[:1]} could not start: {done.start_error}")
        if done.timed_out:
            return Evaluation.infeasible(
                f"command timed out after {timeout:g} s; stderr tail: {stderr_tail(done.stderr)!r}"
            )
        if done.returncode != 0:
            return Evaluation.infeasible(
                f"command exited with code {done.returncode}; "
                f"stderr tail: {stderr_tail(done.stderr)!r}"
            )
        metrics, problems = self._read_metrics(done.stdout, workdir)
        if problems:
            tail = stderr_tail(done.stderr)
            if done.stdout_truncated:
                problems.append(
                    f"standard output exceeded {MAX_STDOUT_BYTES:,} bytes; only its end was read"
                )
            return Evaluation.infeasible(
                [*problems, f"command exited with code 0; stderr tail: {tail!r}"], metrics
            )
        return Evaluation(metrics)

    # ------------------------------------------------------------------- metrics
    def _read_metrics(self, stdout: str, workdir: Path) -> tuple[dict[str, float], list[str]]:
        output = self.spec.output
        names = [m.name for m in self.spec.metrics]
        raw: dict[str, Any] = {}
        problems: list[str] = []
        if output.format == "stdout":
            for name in names:
                matches = re.findall(output.patterns[name], stdout, flags=re.MULTILINE)
                if matches:
                    last = matches[-1]
                    raw[name] = last[0] if isinstance(last, tuple) else last
        else:
            assert output.file is not None  # checked by the spec
            try:
                text = _read_output_file(workdir, output.file)
                if output.format == "json":
                    raw = _from_json(json.loads(text), names, output.keys)
                else:
                    raw = _from_csv(text, names, output.keys)
            except _OutputFileError as exc:
                return {}, [str(exc)]
            except (ValueError, csv.Error, RecursionError) as exc:
                return {}, [f"output file {output.file!r} is malformed: {shorten(exc)}"]
        metrics: dict[str, float] = {}
        for name in names:
            if name not in raw:
                problems.append(f"metric {name!r} missing from the simulator's output")
                continue
            try:
                if isinstance(raw[name], bool):  # JSON true is not the number 1
                    raise TypeError
                value = float(raw[name])
            except (TypeError, ValueError):
                problems.append(f"metric {name!r} is not a number: {shorten(repr(raw[name]))}")
                continue
            except OverflowError:
                problems.append(f"metric {name!r} is too large for a float: {shorten(raw[name])}")
                continue
            if not math.isfinite(value):
                shown = "NaN" if math.isnan(value) else str(value)
                problems.append(f"metric {name!r} is {shown} (not a finite number)")
                continue
            metrics[name] = value
        return metrics, problems


class _OutputFileError(Exception):
    """The metrics file is absent, a link, or too large (the message says which)."""


def _read_output_file(workdir: Path, name: str) -> str:
    """The metrics file's text: a plain file inside ``workdir``, at most MAX_OUTPUT_FILE_BYTES."""
    path = workdir / name
    inside = workdir.resolve()
    for part in [path, *path.parents]:
        if part == workdir:
            break
        if part.is_symlink():
            raise _OutputFileError(
                f"output file {name!r} is a symbolic link ({str(part)!r}); dsegym reads only "
                "plain files in the evaluation folder"
            )
    if not path.is_file() or not path.resolve().is_relative_to(inside):
        raise _OutputFileError(f"output file {name!r} was not written")
    with path.open("rb") as fh:
        data = fh.read(MAX_OUTPUT_FILE_BYTES + 1)
    if len(data) > MAX_OUTPUT_FILE_BYTES:
        raise _OutputFileError(
            f"output file {name!r} is larger than {MAX_OUTPUT_FILE_BYTES:,} bytes"
        )
    return data.decode("utf-8", errors="replace")


def _from_json(data: Any, names: list[str], keys: Mapping[str, str]) -> dict[str, Any]:
    out = {}
    for name in names:
        node = data
        for part in keys.get(name, name).split("."):
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            out[name] = node
    return out


def _from_csv(text: str, names: list[str], keys: Mapping[str, str]) -> dict[str, Any]:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        return {}
    last = rows[-1]
    return {n: last[keys.get(n, n)] for n in names if last.get(keys.get(n, n)) not in (None, "")}
