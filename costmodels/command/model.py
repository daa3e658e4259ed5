"""The ``command`` cost model: runs a user's simulator once per design.

Each evaluation gets its own temporary folder (the simulator's working directory, where
its input files are rendered and its output file is read), so concurrent evaluations,
in threads, processes or on other nodes, share nothing. The command runs without a
shell, in a session of its own, so a timeout kills the simulator and everything it
started. A non-zero exit, a timeout, a command that cannot start or a missing metric is
an infeasible evaluation whose reasons carry the exit code and the tail of the
simulator's standard error; it never raises.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import jinja2

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.command.spec import CommandSpec, template_environment
from dsegym.costmodels.space import DesignSpace

#: How much of the simulator's standard error an infeasible evaluation quotes.
STDERR_TAIL_LINES = 10
STDERR_TAIL_CHARS = 1000
#: How long to wait for the pipes to close once a timed-out simulator has been killed.
PIPE_GRACE_S = 5.0


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

    def __getstate__(self) -> dict[str, Any]:
        # Compiled templates do not pickle; they are rebuilt where the model lands.
        return {**self.__dict__, "_env": None}

    @property
    def space(self) -> DesignSpace:
        return self._space

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        with tempfile.TemporaryDirectory(prefix="dsegym-cmd-", ignore_cleanup_errors=True) as tmp:
            workdir = Path(tmp)
            try:
                argv, files = self._render(design, workdir)
            except jinja2.TemplateError as exc:
                return Evaluation.infeasible(f"template could not be rendered: {exc}")
            for name, text in files.items():
                (workdir / name).parent.mkdir(parents=True, exist_ok=True)
                (workdir / name).write_text(text)
            return self._run(argv, workdir)

    def _render(self, design: Mapping[str, Any], workdir: Path) -> tuple[list[str], dict]:
        if self._env is None:
            self._env = template_environment()
        context = {
            **design,
            "design": dict(design),
            "spec_dir": self.spec_dir,
            "python": sys.executable,
            "workdir": str(workdir),
        }
        render = lambda text: self._env.from_string(text).render(context)  # noqa: E731
        if isinstance(self.spec.command, str):
            argv = shlex.split(render(self.spec.command))
        else:
            argv = [render(arg) for arg in self.spec.command]
        files = {name: render(text) for name, text in self.spec.files.items()}
        return argv, files

    def _run(self, argv: list[str], workdir: Path) -> Evaluation:
        timeout = self.spec.timeout_s
        try:
            proc = subprocess.Popen(
                argv,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                env={**os.environ, **self.spec.env},
                start_new_session=True,  # its own process group, killed whole on timeout
            )
        except OSError as exc:
            return Evaluation.infeasible(f"command {argv[:1]} could not start: {exc}")
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            try:
                stdout, stderr = proc.communicate(timeout=PIPE_GRACE_S)
            except subprocess.TimeoutExpired:  # a process that left the group holds a pipe
                proc.kill()
                stdout, stderr = "", ""
            return Evaluation.infeasible(
                f"command timed out after {timeout:g} s; stderr tail: {stderr_tail(stderr)!r}"
            )
        if proc.returncode != 0:
            return Evaluation.infeasible(
                f"command exited with code {proc.returncode}; stderr tail: {stderr_tail(stderr)!r}"
            )
        metrics, problems = self._read_metrics(stdout, workdir)
        if problems:
            return Evaluation.infeasible(
                [*problems, f"command exited with code 0; stderr tail: {stderr_tail(stderr)!r}"],
                metrics,
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
            path = workdir / output.file
            if not path.is_file():
                return {}, [f"output file {output.file!r} was not written"]
            try:
                text = path.read_text(errors="replace")
                if output.format == "json":
                    raw = _from_json(json.loads(text), names, output.keys)
                else:
                    raw = _from_csv(text, names, output.keys)
            except (ValueError, csv.Error) as exc:
                return {}, [f"output file {output.file!r} is malformed: {exc}"]
        metrics: dict[str, float] = {}
        for name in names:
            if name not in raw:
                problems.append(f"metric {name!r} missing from the simulator's output")
                continue
            try:
                value = float(raw[name])
            except (TypeError, ValueError):
                problems.append(f"metric {name!r} is not a number: {raw[name]!r}")
                continue
            if math.isnan(value):
                problems.append(f"metric {name!r} is NaN")
                continue
            metrics[name] = value
        return metrics, problems


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


def _kill_group(proc: subprocess.Popen[str]) -> None:
    # It may have finished between the timeout and the kill.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
