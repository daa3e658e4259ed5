"""A trace-driven DRAM memory-controller simulator with IDD-method energy.

The design is a DRAMSys-style controller configuration (page policy, scheduler, buffers,
refresh, arbiter, power-down, address mapping); the workload is a memory trace (a
DRAMSys ``.stl`` file or a synthetic preset). Modules, in the order data flows:

* ``devices``: device presets (``devices/*.yaml``: DDR3-1600, DDR4-2400, LPDDR4-3200,
  HBM2) with their timings, currents and sources;
* ``config``: the controller knobs and the design space;
* ``trace`` / ``synthetic``: the ``.stl`` reader and writer, synthetic generators and
  the shipped presets (``workloads/presets.yaml``);
* ``addressing``: address mappings;
* ``kernel`` (numba) and ``simulator``: the command-level simulation and its metrics;
* ``energy``: per-command and background energies (Micron / DRAMPower IDD method);
* ``model`` and ``problems``: the cost model and the registered problems.
"""
