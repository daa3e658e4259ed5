"""Loads ``module:attribute`` references, so registries import heavy code lazily.

The standard library's :func:`pkgutil.resolve_name` does the resolving; this module
adds only what a user needs from a configuration file: relative names refused, and
whatever the import raises (user code may raise anything, even ``SystemExit``) turned
into one :class:`~dsegym.errors.ConfigError` naming the reference.
"""

from __future__ import annotations

import pkgutil
import sys
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
        return pkgutil.resolve_name(reference)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code may raise anything
        # A module that failed half-way through its import is not left in sys.modules.
        if isinstance(exc, AttributeError) and module_name in sys.modules:
            message = f"module {shorten(module_name)!r} has no {shorten(attr)!r}"
        else:
            message = (
                f"cannot import module {shorten(module_name)!r} "
                f"({type(exc).__name__}: {shorten(exc)})"
            )
        raise ConfigError(f"{what} {shown}: {message}") from None
