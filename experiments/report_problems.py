"""The problems a report measures against, built once per process.

A report needs each problem's known front and declared reference point in three places
(the analysis, the scoreboard and the interactive page); building a problem can load
workloads and tables, so every report module asks here and each (name, parameters) is
built once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.registry import make_problem


@functools.lru_cache(maxsize=128)
def _built(name: str, params: str) -> Problem:
    return make_problem(name, json.loads(params))


def report_problem(name: str, params: Mapping[str, Any] | None = None) -> Problem:
    """:func:`~dsegym.costmodels.registry.make_problem`, cached by name and parameters
    (a failure is not cached: it raises again). Callers only read the problem.
    """
    return _built(name, json.dumps(dict(params or {}), sort_keys=True))
