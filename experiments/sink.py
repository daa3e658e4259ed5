"""Records on the driver: Ray workers send their rows to one sink, which alone writes.

Under Ray, a run executes on any node of the cluster, but its rows must land in the
driver's results folder, which the other nodes may not be able to see. Each worker
formats its rows (its run's ``LineFormatter``: the first batch's text begins with the run
header) and sends the lines to a :class:`RecordSink`: a Ray actor pinned to the driver's
node and owned by the driver, the only process that opens the record files. A worker
waits for the sink's acknowledgement, which comes after the lines reached the operating
system, before it hands the outcomes to its agent; so a run killed at any moment loses
nothing its agent saw, exactly as in a serial run, and ``--resume`` (which the driver
prepares from the same files) works unchanged.

Memory: a worker has at most one batch in flight (it waits for the acknowledgement), so
the sink never holds more than one batch per worker, however long the sweep; one sink
writes about 30,000 rows per second of its CPU at 16 lines a call, its limit being the
fixed cost of a Ray call (``benchmarks/sink_throughput.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dsegym.experiments.record_writer import LineAppender, LineFormatter, append_text, as_formatter
from dsegym.experiments.results_folder import ResultsFolder

#: The sink actor's name prefix (tests recognise it among the processes that open files).
SINK_NAME = "dsegym-record-sink"


class _Sink:
    """The actor's body: one append-only file per run under ``results_dir/runs``.

    Also the run's ``model_errors.txt`` (tracebacks of a cost model that raised). The
    driver claimed both files in the folder's marker before the runs started.
    """

    def __init__(self, results_dir: str):
        self.folder = ResultsFolder(results_dir)
        self.files: dict[str, LineAppender] = {}

    def append(self, run_id: str, text: str) -> None:
        if run_id not in self.files:
            self.files[run_id] = LineAppender(self.folder.record(run_id))
        self.files[run_id].append(text)

    def append_model_errors(self, run_id: str, text: str) -> None:
        append_text(self.folder.model_errors(run_id), text)

    def close(self, run_id: str) -> None:
        appender = self.files.pop(run_id, None)
        if appender is not None:
            appender.close()

    def close_all(self) -> None:
        for run_id in list(self.files):
            self.close(run_id)

    def node_id(self) -> str:
        """The node the sink runs on (the driver's)."""
        import ray

        return str(ray.get_runtime_context().get_node_id())


def start_sink(results_dir: Path) -> Any:
    """Starts the record sink of ``results_dir`` on the driver's node (Ray initialised).

    Returns:
        The actor handle; pass it to the run tasks.
    """
    import uuid

    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = ray.get_runtime_context().get_node_id()
    actor = ray.remote(num_cpus=0, max_restarts=0)(_Sink).options(
        name=f"{SINK_NAME}-{uuid.uuid4().hex[:8]}",
        scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=here, soft=False),
    )
    return actor.remote(str(results_dir.resolve()))


class SinkWriter:
    """A run's :class:`~dsegym.experiments.record_writer.RowWriter` on a Ray worker.

    Args:
        sink: The handle :func:`start_sink` returned.
        run_id: The run whose record the rows extend.
        formatter: How rows become lines (the first batch's lines carry the run
            header); a mapping is taken as fields repeated on every row (format 1).
    """

    def __init__(self, sink: Any, run_id: str, formatter: LineFormatter | Mapping[str, Any]):
        self.sink = sink
        self.run_id = run_id
        self._format = as_formatter(formatter)

    def write_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Sends the rows and waits until the driver's node holds them."""
        import ray

        if rows:
            ray.get(self.sink.append.remote(self.run_id, self._format.lines(rows)))

    def write_model_errors(self, text: str) -> None:
        """Sends cost-model tracebacks to the run's ``model_errors.txt`` on the driver."""
        import ray

        ray.get(self.sink.append_model_errors.remote(self.run_id, text))

    def close(self) -> None:
        import ray

        ray.get(self.sink.close.remote(self.run_id))
