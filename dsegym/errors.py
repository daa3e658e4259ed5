"""Exceptions that carry a message meant for the user, not a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic is imported only by the code that validates
    import pydantic

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


def format_validation_error(exc: pydantic.ValidationError, prefix: str = "") -> str:
    """Renders a pydantic error as ``field: message`` clauses joined by '; '."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"] if x != "__root__")
        loc = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        msg = err["msg"]
        if err["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            msg = "unknown key"
        got = err.get("input")
        got_text = (
            f" (got {shorten(repr(got))})"
            if err["type"] not in ("missing", "unexpected_keyword_argument", "extra_forbidden")
            and not isinstance(got, dict)
            else ""
        )
        parts.append(f"{loc}: {msg}{got_text}" if loc else f"{msg}{got_text}")
    return "; ".join(parts) if parts else str(exc)
