"""Lookup-table accelerators for ternary (1.58-bit) LLM inference.

Modules: ``combinatorics`` (exact table counts), ``datatypes``, ``components``
(component libraries), ``workloads`` (LLM linear layers), ``hardware`` (datapath area
and energy), ``baseline`` (multiplier-based arrays), ``model`` (the cost model),
``problems`` (registered problems) and ``analysis`` (the published conclusions).

Example:
    >>> from dsegym.costmodels.registry import make_problem
    >>> problem = make_problem("lut-accelerator", {"workload": "bitnet-b1.58-3b"})
    >>> sorted(problem.space.names)[:3]
    ['acc_bits', 'act_buffer_kib', 'bandwidth_gbps']
"""
