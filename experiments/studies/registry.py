"""The study registry: one explicit dict of ``name -> "module:main"``.

A study's ``main(argv)`` takes ``[--quick] [--output DIR] [--workers N]``, runs its
experiments (resuming any it finds in the output folder), and writes a Markdown summary
(``summary.md``), CSV tables and plots there. Entries are strings so that listing the
studies imports none of them.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Sequence

from dsegym.errors import UnknownNameError
from dsegym.loading import load_object

STUDIES: dict[str, str] = {
    "hyperparameter-lottery": "dsegym.experiments.studies.hyperparameter_lottery:main",
    "lut-conclusions": "dsegym.experiments.studies.lut_conclusions:study_main",
    "archgym-agents": "dsegym.experiments.studies.archgym_agents:main",
    "marl-dse": "dsegym.experiments.studies.marl_dse:main",
    "proxy-models": "dsegym.experiments.studies.proxy_models:main",
    "nasaic": "dsegym.experiments.studies.nasaic:study_main",
    "themis-scheduling": "dsegym.experiments.studies.themis_scheduling:main",
    "nas-fewshot-latency": "dsegym.experiments.studies.nas_fewshot_latency:main",
}


def study_names() -> list[str]:
    return sorted(STUDIES)


def study_description(name: str) -> str:
    """The first line of the study module's docstring, read without importing it."""
    if name not in STUDIES:
        raise UnknownNameError("study", name, study_names())
    module = STUDIES[name].partition(":")[0]
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "(module not found)"
    with open(spec.origin, encoding="utf-8") as f:
        doc = ast.get_docstring(ast.parse(f.read())) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def run_study(name: str, argv: Sequence[str] = ()) -> None:
    """Runs study ``name`` with its command-line options.

    Raises:
        UnknownNameError: if ``name`` is not registered.
    """
    if name not in STUDIES:
        raise UnknownNameError("study", name, study_names())
    main = load_object(STUDIES[name], what="study")
    main(list(argv))
