"""NAS with hardware: NAS-Bench-201 cells, their networks, and the accelerators that run
them.

- :mod:`.cells`: cell strings, edge-op designs and the benchmark's index order
  (:func:`cell_design`, :func:`cell_index`).
- :mod:`.network`: the network of a cell, counted (the benchmark's FLOPs and parameters)
  and as layers the accelerator-tile model costs.
- :mod:`.tables`: accuracies and measured device latencies, read through
  :mod:`dsegym.costmodels.data` (the ``nasbench201`` data set).
- :mod:`.hwcost`: networks costed per unique layer shape, cached per tile.
- :mod:`.fewshot`: latency on an unmeasured device from a few measured cells
  (:func:`fewshot_latency`), with a prior learnt from the measured devices.
- :mod:`.model`, :mod:`.nasaic`, :mod:`.problems`: the ``nasbench201-hw``,
  ``nasbench201-device`` and ``nasaic`` cost models and problems.
"""

from dsegym.costmodels.nas.cells import (
    EDGE_KNOBS,
    OPS,
    cell_design,
    cell_index,
    cell_string,
    parse_cell,
)
from dsegym.costmodels.nas.fewshot import fewshot_latency

__all__ = [
    "EDGE_KNOBS",
    "OPS",
    "cell_design",
    "cell_index",
    "cell_string",
    "fewshot_latency",
    "parse_cell",
]
