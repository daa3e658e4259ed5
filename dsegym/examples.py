"""The example configs shipped inside the package, copied out by ``dsegym example``.

They live in ``experiments/configs/`` (package data of ``dsegym.experiments``), so a
wheel installed anywhere carries them and ``dsegym validate`` works outside a checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from dsegym.errors import ConfigError, UnknownNameError


@dataclass(frozen=True)
class Example:
    """A shipped example: a config file, or a folder holding a config and its files.

    Attributes:
        path: File or folder under ``experiments/configs/``.
        description: One line for ``dsegym example list``.
        needs: The data set it needs, if any (``dsegym data list``).
    """

    path: str
    description: str
    needs: str = ""


EXAMPLES: dict[str, Example] = {
    "quickstart": Example(
        "quickstart.yaml", "random, NSGA-II and TPE on a toy accelerator, a tile and DRAM"
    ),
    "nasaic": Example(
        "nasaic.yaml", "NAS and accelerator co-exploration (NASAIC, DAC 2020)", "nasbench201"
    ),
    "soc": Example("soc_farsi.yaml", "FARSI's audio-decoder SoC under its budgets", "farsi"),
    "command": Example("command_example.yaml", "your own simulator run as a command"),
    "archgym-lottery": Example(
        "archgym_lottery.yaml", "study: ArchGym's hyperparameter lottery on DRAM"
    ),
    "user-problem": Example(
        "user_problem", "your own problem (a Python factory) beside the config naming it"
    ),
}

_SKIPPED = ("__pycache__",)


def _root() -> Traversable:
    return resources.files("dsegym.experiments").joinpath("configs")


def example_source(name: str) -> Traversable:
    """The shipped file or folder of example ``name``."""
    if name not in EXAMPLES:
        raise UnknownNameError("example", name, list(EXAMPLES))
    return _root().joinpath(EXAMPLES[name].path)


def _files(node: Traversable, relative: Path) -> list[tuple[Traversable, Path]]:
    if node.is_file():
        return [(node, relative)]
    out = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name not in _SKIPPED and not child.name.endswith(".pyc"):
            out += _files(child, relative / child.name)
    return out


def copy_example(name: str, dest: Path) -> list[Path]:
    """Copies example ``name`` into folder ``dest`` (created if missing); returns the
    files written. Nothing is overwritten.

    Raises:
        UnknownNameError: for an unknown example.
        ConfigError: if a file would be overwritten or ``dest`` cannot be written.
    """
    source = example_source(name)
    files = _files(source, Path(source.name))
    targets = [(node, dest / rel) for node, rel in files]
    existing = [str(t) for _, t in targets if t.exists()]
    if existing:
        raise ConfigError(
            f"DEST: {existing[0]!r} exists; give another folder or remove it "
            "(dsegym overwrites nothing)"
        )
    written = []
    try:
        for node, target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(node.read_bytes())
            written.append(target)
    except OSError as exc:
        raise ConfigError(f"DEST {str(dest)!r}: cannot write: {exc.strerror or exc}") from None
    return written
