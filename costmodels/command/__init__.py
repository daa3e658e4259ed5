"""Users' own simulators as cost models: declared in YAML, run as commands.

See :mod:`dsegym.costmodels.command.spec` for the file format and
``costmodels/command/example`` for a worked example.
"""

from dsegym.costmodels.command.model import CommandModel
from dsegym.costmodels.command.problems import EXAMPLE_SPEC, command_problem
from dsegym.costmodels.command.spec import CommandSpec, load_spec, parse_spec

__all__ = [
    "EXAMPLE_SPEC",
    "CommandModel",
    "CommandSpec",
    "command_problem",
    "load_spec",
    "parse_spec",
]
