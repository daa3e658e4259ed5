"""Registers one Gymnasium env per registered problem: ``dsegym/<Name>-v<version>``.

The id comes from the problem's :class:`~dsegym.costmodels.registry.ProblemSpec`: its
name in CamelCase and the ``version`` of the cost model it is built on, so an id names
the numbers it gives. Installed problems (entry point group ``dsegym.problems``) follow
the same rule. Keyword arguments of ``gymnasium.make`` are the problem's parameters
(``gymnasium.make("dsegym/Nasbench201Hw-v2", hardware="eyeriss")``) or the env's own
(``reward``, ``episode_length``).

Any problem, a user's ``module:function`` factory included, is also reachable through
the unversioned id ``dsegym/Problem``:
``gymnasium.make("dsegym/Problem", problem="my_models:make_problem", size=4)``.

Nothing is imported to register: entry points are strings and versions are in the specs.
"""

from __future__ import annotations

import gymnasium as gym

from dsegym.costmodels.registry import ProblemSpec, problem_spec, problem_specs

ENTRY_POINT = "dsegym.envs.adapter:ProblemEnv"
#: The id that takes any problem by name: ``gymnasium.make(ANY_PROBLEM_ID, problem=...)``.
ANY_PROBLEM_ID = "dsegym/Problem"


def spec_env_id(problem_name: str, spec: ProblemSpec) -> str:
    """``toy-accelerator`` (version 1) -> ``dsegym/ToyAccelerator-v1``."""
    camel = "".join(
        part[:1].upper() + part[1:] for part in problem_name.replace("_", "-").split("-")
    )
    return f"dsegym/{camel}-v{spec.version}"


def env_id(problem_name: str) -> str:
    """The Gymnasium id of a registered problem (``zdt1`` -> ``dsegym/Zdt1-v1``)."""
    return spec_env_id(problem_name, problem_spec(problem_name))


def register_all() -> dict[str, str]:
    """Registers every problem's env (idempotent); returns {env id: problem name}."""
    ids = {}
    for name, spec in problem_specs().items():
        eid = spec_env_id(name, spec)
        if eid not in gym.registry:
            gym.register(id=eid, entry_point=ENTRY_POINT, kwargs={"problem": name})
        ids[eid] = name
    if ANY_PROBLEM_ID not in gym.registry:
        gym.register(id=ANY_PROBLEM_ID, entry_point=ENTRY_POINT)
    return ids


ENV_IDS = register_all()
