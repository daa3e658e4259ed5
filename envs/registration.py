"""Registers one Gymnasium env per registered problem: ``dsegym/<Name>-v0``.

Entry points are strings, so no cost model is imported until its env is made. The
version suffix is bumped when a model's numbers change.
"""

from __future__ import annotations

import gymnasium as gym

from dsegym.costmodels.registry import PROBLEMS

ENTRY_POINT = "dsegym.envs.adapter:ProblemEnv"


def env_id(problem_name: str) -> str:
    """``toy-accelerator`` -> ``dsegym/ToyAccelerator-v0``; ``zdt1`` -> ``dsegym/Zdt1-v0``."""
    camel = "".join(
        part[:1].upper() + part[1:] for part in problem_name.replace("_", "-").split("-")
    )
    return f"dsegym/{camel}-v0"


def register_all() -> dict[str, str]:
    """Registers every problem's env (idempotent); returns {env id: problem name}."""
    ids = {}
    for name in PROBLEMS:
        eid = env_id(name)
        if eid not in gym.registry:
            gym.register(id=eid, entry_point=ENTRY_POINT, kwargs={"problem": name})
        ids[eid] = name
    return ids


ENV_IDS = register_all()
