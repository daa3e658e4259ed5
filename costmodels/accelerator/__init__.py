"""DNN accelerator-tile cost model: PE arrays, dataflows, buffer hierarchies.

Modules, bottom up:

- :mod:`.hardware`: the :class:`~.hardware.Tile` (array, dataflow, registers, buffers,
  DRAM, word widths, explicit mapping knobs) and its validation.
- :mod:`.layers`: convolution/GEMM layers, SCALE-Sim topology CSV parsing and the
  shipped workloads (``workloads/catalogue.yaml``).
- :mod:`.systolic`: SCALE-Sim 3.0.0's compute cycles and its double-buffer stalls.
- :mod:`.mapping`: the buffer-level mapping candidates and their word traffic.
- :mod:`.energy`: energy/area tables (``tables/*.yaml`` presets or a user YAML).
- :mod:`.costing`: the vectorised cost of tiles x layers x mapping candidates.
- :mod:`.vector`: the vector (pooling / element-wise) unit, for pools and sums.
- :mod:`.model`: the ``accelerator-systolic`` and ``accelerator-eyeriss`` cost models.
- :mod:`.problems`: the registered problem factories.

Example::

    from dsegym.costmodels.registry import make_problem
    problem = make_problem("accelerator-systolic", {"workload": "resnet50"})
    outcome = problem.evaluate(problem.space.sample(rng))
"""
