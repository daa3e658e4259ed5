"""Recomputes every reference front shipped in this folder (after a model version bump).

    python -m dsegym.experiments.fronts.regenerate

Each file names its problem and parameters; the front is enumerated again with
today's cost model (``dsegym front compute``'s code) and written back in place.
"""

from __future__ import annotations

from dsegym.experiments.front_compute import compute_exact
from dsegym.experiments.reference_fronts import read_front, save_front, shipped_dir


def main() -> None:
    for path in sorted(shipped_dir().glob("*.json")):
        old = read_front(path)
        front = compute_exact(old.problem, old.params)
        save_front(front, shipped_dir())
        print(f"{path.name}: {front.describe()} ({front.provenance['seconds']} s)")


if __name__ == "__main__":
    main()
