"""Values given on the command line: ``name=value`` assignments (``-p``, ``-d``)."""

from __future__ import annotations

from typing import Any

import yaml

from dsegym.errors import ConfigError, shorten
from dsegym.yaml_input import safe_load


def parse_assignments(items: list[str] | None, option: str) -> dict[str, Any]:
    """``["a=1", "b=ws"]`` -> ``{"a": 1, "b": "ws"}`` (values parsed as YAML scalars)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{option} {shorten(item)!r}: expected the form name=value")
        try:
            out[key.strip()] = safe_load(raw)
        except (yaml.YAMLError, RecursionError):
            out[key.strip()] = raw
    return out
