"""Reference fronts shipped with dsegym: one JSON file per enumerable instance.

Regenerate them with ``python -m dsegym.experiments.fronts.regenerate``.
"""
