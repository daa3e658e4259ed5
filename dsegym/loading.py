"""Loads ``module:attribute`` references, so registries import heavy code lazily."""

from __future__ import annotations

import importlib
from typing import Any

from dsegym.errors import ConfigError


def load_object(reference: str, *, what: str = "object") -> Any:
    """Imports ``module:attribute`` (``module.attribute`` also accepted).

    Args:
        reference: Import path such as ``"my_agents:HillClimber"``.
        what: What the reference should name, for the error message.

    Raises:
        ConfigError: if the module cannot be imported or lacks the attribute.
    """
    if ":" in reference:
        module_name, _, attr = reference.partition(":")
    else:
        module_name, _, attr = reference.rpartition(".")
    if not module_name or not attr:
        raise ConfigError(f"{what} {reference!r}: expected the form 'module:Name'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"{what} {reference!r}: cannot import module {module_name!r} ({exc})")
    try:
        obj = module
        for part in attr.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise ConfigError(f"{what} {reference!r}: module {module_name!r} has no {attr!r}")
    return obj
