"""Exceptions that carry a message meant for the user, not a traceback."""

from __future__ import annotations

MAX_ECHO = 200


def shorten(text: object, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters, so a message never echoes megabytes of input."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 30]}... ({len(text):,} characters)"


class DsegymError(Exception):
    """Base class for errors the CLI reports as one clear message and exit code 2."""


class ConfigError(DsegymError):
    """A configuration value is wrong; the message names the field and what is allowed."""


class UnknownNameError(ConfigError):
    """A name (problem, agent, cost model, workload, preset...) is not registered."""

    def __init__(self, kind: str, name: str, allowed: list[str] | tuple[str, ...]):
        self.kind, self.name, self.allowed = kind, name, list(allowed)
        super().__init__(
            f"unknown {kind} {shorten(name)!r}; "
            f"allowed: {shorten(', '.join(sorted(map(str, allowed))), 2000)}"
        )


class DesignError(DsegymError):
    """A design is not a member of its design space."""


class WorkloadError(DsegymError):
    """A workload file or description is malformed (the message names the line)."""
