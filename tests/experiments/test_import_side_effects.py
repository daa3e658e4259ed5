"""Importing the report and study modules leaves matplotlib's global state alone."""

import subprocess
import sys

MODULES = [
    "dsegym.experiments.report",
    "dsegym.experiments.studies.archgym_agents",
    "dsegym.experiments.studies.hyperparameter_lottery",
    "dsegym.experiments.studies.lut_conclusions",
    "dsegym.experiments.studies.marl_dse",
    "dsegym.experiments.studies.proxy_models",
]


def test_importing_report_and_studies_selects_no_backend():
    # A fresh interpreter: this test process may already have chosen a backend. Reading
    # rcParams['backend'] would itself pick one; _get_backend_or_none only looks.
    code = (
        "import sys, matplotlib\n"
        f"for m in {MODULES!r}: __import__(m)\n"
        "print('matplotlib.pyplot' in sys.modules, matplotlib.rcParams._get_backend_or_none())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "None"]
