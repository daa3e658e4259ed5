"""A small finished experiment shared by the report, table, API and export tests."""

from __future__ import annotations

import pytest

import dsegym

#: Three objectives with an exact front; one objective under a spec; a model that
#: rejects designs (and has a spec); real variables with a declared reference point.
REPORT_CONFIG = {
    "name": "views",
    "budget": 60,
    "seeds": [0, 1],
    "workers": 1,
    "problems": [
        {
            "name": "toy-accelerator",
            "params": {"objectives": ["latency_cycles", "energy_pj", "area_mm2"]},
        },
        "toy-accelerator-1obj",
        "separable-discrete",
        {"name": "zdt1", "params": {"n_var": 3}},
    ],
    "agents": ["random", {"name": "nsga2", "params": {"population_size": 10}}],
}


@pytest.fixture(scope="session")
def finished(tmp_path_factory) -> dsegym.Results:
    """The experiment above, run through the notebook API with its full report."""
    return dsegym.run(REPORT_CONFIG, output=tmp_path_factory.mktemp("views") / "res")
