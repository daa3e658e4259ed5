"""Loads ``module:attribute`` references, so registries import heavy code lazily.

The standard library's :func:`pkgutil.resolve_name` does the resolving; this module
adds only what a user needs from a configuration file: relative names refused, the
current folder (and a config's folder) importable as ``python -m`` makes the current
folder, and whatever the import raises (user code may raise anything, even
``SystemExit``) turned into one :class:`~dsegym.errors.ConfigError` naming the reference.
"""

from __future__ import annotations

import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

from dsegym.errors import ConfigError, shorten

#: Folders added to ``sys.path`` for users' modules, in the order added (Ray workers
#: started by dsegym get them too).
USER_FOLDERS: list[str] = []


def add_import_folder(folder: Path | str) -> None:
    """Makes modules in ``folder`` importable (once; after the installed packages).

    Appended, not prepended as ``python -m`` does: a user's file named like an installed
    module (``random.py``, ``yaml.py``) must not replace it inside dsegym.
    """
    path = os.path.abspath(folder)
    if path not in sys.path:
        sys.path.append(path)
    if path not in USER_FOLDERS:
        USER_FOLDERS.append(path)


def folders_in_use() -> list[str]:
    """The folders of :data:`USER_FOLDERS` that a loaded module was imported from."""
    used: set[str] = set()
    for module in list(sys.modules.values()):
        origin = getattr(module, "__file__", None)
        if origin:
            used.update(f for f in USER_FOLDERS if origin.startswith(f + os.sep))
    return [f for f in USER_FOLDERS if f in used]


def load_object(reference: str, *, what: str = "object") -> Any:
    """Imports ``module:attribute`` (``module.attribute`` also accepted).

    The current folder is importable, as under ``python -m``.

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
    if not module_name.startswith("dsegym."):
        add_import_folder(os.getcwd())
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
            if isinstance(exc, ModuleNotFoundError) and exc.name == module_name.split(".")[0]:
                message += _search_hint(module_name)
        raise ConfigError(f"{what} {shown}: {message}") from None


def _search_hint(module_name: str) -> str:
    top = module_name.split(".")[0]
    # The newest folders are the current one and the config's; a long-lived process (a
    # notebook, a test session) may have added many, and the hint must stay readable.
    shown = list(USER_FOLDERS)[-3:]
    folders = ", ".join(repr(shorten(f)) for f in shown)
    more = f" and {len(USER_FOLDERS) - len(shown)} more" if len(USER_FOLDERS) > len(shown) else ""
    return (
        f"; put {top}.py (or a package {top}/) in one of these folders: {folders}{more} "
        "(the current folder and the config's), install it, or add its folder to PYTHONPATH"
    )
