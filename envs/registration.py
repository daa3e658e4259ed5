"""Registers one Gymnasium env per registered problem: ``dsegym/<Name>-v<version>``.

``<version>`` is the ``version`` of the cost model the problem is built on
(:attr:`dsegym.costmodels.base.CostModel.version`, a string of decimal digits, bumped
whenever the model's numbers change), so an id names the numbers it gives. A problem is
built on the registered cost model whose name is the longest prefix of the problem's
name (``zdt1`` on ``zdt``, ``dram-target-archgym`` on ``dram``).

Entry points are strings, and each version is read from its model's source rather than
by importing the model: importing every model costs seconds (numba compiles, data
indexes), and registration runs on ``import dsegym``.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

import gymnasium as gym

from dsegym.costmodels.base import CostModel
from dsegym.costmodels.registry import COST_MODELS, PROBLEMS
from dsegym.errors import DsegymError

ENTRY_POINT = "dsegym.envs.adapter:ProblemEnv"
_COSTMODELS_PACKAGE = "dsegym.costmodels"
_COSTMODELS_DIR = Path(__file__).resolve().parents[1] / "costmodels"


def cost_model_of(problem_name: str) -> str:
    """The registered cost model ``problem_name`` is built on (longest name prefix)."""
    matches = [model for model in COST_MODELS if problem_name.startswith(model)]
    if not matches:
        raise DsegymError(
            f"problem {problem_name!r}: no registered cost model's name is a prefix of it, "
            f"so its env id has no version; name it after its model ({sorted(COST_MODELS)})"
        )
    return max(matches, key=len)


def _module_source(module: str) -> Path:
    if module.startswith(_COSTMODELS_PACKAGE + "."):
        # Direct path: find_spec would import the parent packages, some of them heavy.
        relative = module.removeprefix(_COSTMODELS_PACKAGE + ".").split(".")
        return _COSTMODELS_DIR.joinpath(*relative).with_suffix(".py")
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise DsegymError(f"cost-model module {module!r} not found")
    return Path(spec.origin)


def _class_version(cls: ast.ClassDef) -> str | None:
    for stmt in cls.body:
        target: ast.expr | None = None
        if isinstance(stmt, ast.AnnAssign):
            target = stmt.target
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
        value = getattr(stmt, "value", None)
        if (
            isinstance(target, ast.Name)
            and target.id == "version"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            return value.value
    return None


@functools.cache
def _module_classes(module: str) -> dict[str, ast.ClassDef]:
    tree = ast.parse(_module_source(module).read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


@functools.cache
def model_version(model_name: str) -> str:
    """``version`` of the registered cost model ``model_name``, read without importing it.

    Follows base classes defined in the same module; a class that sets no version
    anywhere there has :class:`CostModel`'s.
    """
    module, _, class_name = COST_MODELS[model_name].partition(":")
    classes = _module_classes(module)
    name: str | None = class_name
    while name in classes:
        found = _class_version(classes[name])
        if found is not None:
            return found
        bases = [base.id for base in classes[name].bases if isinstance(base, ast.Name)]
        name = bases[0] if bases else None
    return CostModel.version


def env_id(problem_name: str) -> str:
    """``toy-accelerator`` -> ``dsegym/ToyAccelerator-v1``; ``zdt1`` -> ``dsegym/Zdt1-v1``."""
    camel = "".join(
        part[:1].upper() + part[1:] for part in problem_name.replace("_", "-").split("-")
    )
    version = model_version(cost_model_of(problem_name))
    if not version.isdecimal():
        # Gymnasium ids end in -v<integer>.
        raise DsegymError(
            f"cost model {cost_model_of(problem_name)!r}: version {version!r} must be a "
            "string of decimal digits (it becomes the env id's -v<version>)"
        )
    return f"dsegym/{camel}-v{int(version)}"


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
