"""Distributed-training systems after ASTRA-sim 2.0: collectives on multi-dimensional
networks and data/tensor/pipeline-parallel transformer training.

- :mod:`.network`: topologies, per-dimension collective algorithms (closed forms of the
  analytical, congestion-unaware backend) and the network cost (ASTRA-sim/LIBRA table).
- :mod:`.collectives`: multi-dimensional scheduling (baseline hierarchical, Themis)
  with chunking, vectorised over many designs.
- :mod:`.workload`: transformer workloads and NPU presets, parameter counts, FLOPs and
  memory per NPU.
- :mod:`.training`: one training iteration on a system (compute roofline, collectives,
  overlap, pipeline bubble).
- :mod:`.model` and :mod:`.problems`: the ``collective`` and ``training-system`` cost
  models and problems.
"""
