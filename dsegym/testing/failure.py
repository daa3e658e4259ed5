"""The one exception every check raises: the rule broken, and what broke it."""

from __future__ import annotations

from dsegym.errors import shorten


class ConformanceError(AssertionError):
    """A conformance rule is broken.

    An ``AssertionError``, so pytest reports it as a failed test.

    Attributes:
        rule: The rule's name (``batch-equals-single``, ``no-global-random-state``, ...).
        subject: What was checked (a model, problem or agent name).
    """

    def __init__(self, rule: str, subject: str, detail: str):
        self.rule, self.subject, self.detail = rule, subject, detail
        super().__init__(f"{subject}: rule {rule!r} broken: {shorten(detail, 1000)}")


def require(condition: bool, rule: str, subject: str, detail: str) -> None:
    """Raises :class:`ConformanceError` for ``rule`` unless ``condition`` holds."""
    if not condition:
        raise ConformanceError(rule, subject, detail)
