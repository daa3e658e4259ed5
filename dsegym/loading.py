"""Loads ``module:attribute`` references, so registries import heavy code lazily."""

from __future__ import annotations

import importlib
from typing import Any

from dsegym.errors import ConfigError, shorten


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
    shown = repr(shorten(reference))
    if not module_name or not attr:
        raise ConfigError(f"{what} {shown}: expected the form 'module:Name'")
    if module_name.startswith("."):
        raise ConfigError(
            f"{what} {shown}: relative module names are not supported; give the full "
            "import path of the module (for example 'my_package.agents:Name')"
        )
    try:
        module = importlib.import_module(module_name)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code may raise anything
        raise ConfigError(
            f"{what} {shown}: cannot import module {shorten(module_name)!r} "
            f"({type(exc).__name__}: {shorten(exc)})"
        ) from None
    try:
        obj = module
        for part in attr.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise ConfigError(
            f"{what} {shown}: module {shorten(module_name)!r} has no {shorten(attr)!r}"
        ) from None
    return obj
