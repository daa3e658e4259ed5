"""Small compiled helpers of the controller kernel: a binary min-heap and the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - numba is expected; this keeps the model usable

    def njit(*args: Any, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[no-redef]
        if args and callable(args[0]):
            return args[0]
        return lambda f: f


@njit(cache=True)
def heap_push(heap: np.ndarray, size: int, value: int) -> int:
    i = size
    heap[i] = value
    while i > 0:
        parent = (i - 1) // 2
        if heap[parent] <= heap[i]:
            break
        heap[parent], heap[i] = heap[i], heap[parent]
        i = parent
    return size + 1


@njit(cache=True)
def heap_pop(heap: np.ndarray, size: int) -> int:
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left, smallest = 2 * i + 1, i
        if left < size and heap[left] < heap[smallest]:
            smallest = left
        if left + 1 < size and heap[left + 1] < heap[smallest]:
            smallest = left + 1
        if smallest == i:
            return size
        heap[smallest], heap[i] = heap[i], heap[smallest]
        i = smallest


@njit(cache=True, inline="always")
def select(queue: np.ndarray, b: int, qn: int, rows: np.ndarray, writes: np.ndarray,
           open_row: int, scheduler: int, last_dir: int) -> int:  # fmt: skip
    """Position in bank ``b``'s queue of the request the scheduler serves next."""
    if scheduler == 0 or open_row < 0:  # Fifo, or nothing to hit
        return 0
    if scheduler == 2:  # FrFcfsGrp: a row hit in the current bus direction first
        for j in range(qn):
            r = queue[b, j]
            if rows[r] == open_row and writes[r] == last_dir:
                return j
    for j in range(qn):
        if rows[queue[b, j]] == open_row:
            return j
    return 0
