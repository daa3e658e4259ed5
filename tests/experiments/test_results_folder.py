"""The results folder (issue 26) and what dsegym may touch in it (issue 21, items 2 and 6).

Only files listed in the folder's marker are replaced or removed; a folder that is not
dsegym's is refused with one message; a damaged record is refused (or a blank line
skipped) with its file and line, never a traceback; stale tables are never used.
"""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dsegym
from dsegym.cli import main
from dsegym.errors import ConfigError
from dsegym.experiments.results_folder import (
    MARKER_NAME,
    ResultsFolder,
    RunStatus,
    StopReason,
)
from dsegym.experiments.storage import read_records

BASE = {
    "name": "t",
    "budget": 5,
    "seeds": [0, 1],
    "problems": ["zdt1"],
    "agents": ["random"],
}


def _cli(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return exc.value.code, " ".join(out.err.split())


def _config(tmp_path, out, **changes):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**BASE, **changes, "output_dir": str(out)}))
    return str(path)


@pytest.fixture
def finished(tmp_path, capsys):
    out = tmp_path / "out"
    assert _cli(["run", _config(tmp_path, out), "--quiet"], capsys)[0] == 0
    return out


def test_overwrite_refuses_a_folder_that_is_not_dsegyms(tmp_path, capsys):
    # The reproduction: --overwrite deleted the user's plots/fig.png.
    out = tmp_path / "p"
    (out / "plots").mkdir(parents=True)
    (out / "plots" / "fig.png").write_text("x")
    code, err = _cli(["run", _config(tmp_path, out), "--overwrite", "--quiet"], capsys)
    assert code == 2 and "is not a dsegym results folder" in err and "plots" in err
    assert (out / "plots" / "fig.png").read_text() == "x"
    code, err = _cli(["validate", _config(tmp_path, out)], capsys)
    assert code == 2 and "is not a dsegym results folder" in err


def test_without_overwrite_the_users_files_are_never_replaced(tmp_path, capsys):
    # A folder with no runs/ had its config.yaml and report.html silently overwritten.
    out = tmp_path / "p"
    out.mkdir()
    (out / "config.yaml").write_text("mine")
    (out / "report.html").write_text("mine too")
    code, err = _cli(["run", _config(tmp_path, out), "--quiet"], capsys)
    assert code == 2 and "config.yaml" in err and "report.html" in err
    assert (out / "config.yaml").read_text() == "mine"
    assert (out / "report.html").read_text() == "mine too"
    assert not (out / MARKER_NAME).exists()


def test_a_folder_with_unrelated_files_is_used_and_they_are_left_alone(tmp_path, capsys):
    out = tmp_path / "p"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert _cli(["run", _config(tmp_path, out), "--quiet", "--no-report"], capsys)[0] == 0
    assert _cli(["run", _config(tmp_path, out), "--overwrite", "--quiet"], capsys)[0] == 0
    assert (out / "notes.txt").read_text() == "mine"


def test_overwrite_removes_only_what_dsegym_wrote(finished, tmp_path, capsys):
    (finished / "plots" / "fig.png").write_text("x")  # the user's, in dsegym's folder
    (finished / "runs" / "notes.txt").write_text("y")
    written = ResultsFolder(finished).owned()
    assert "config.yaml" in written and any(p.startswith("runs/") for p in written)
    assert any(p.startswith("plots/") for p in written) and "report.html" in written
    code, _ = _cli(["run", _config(tmp_path, finished), "--overwrite", "--quiet"], capsys)
    assert code == 0
    assert (finished / "plots" / "fig.png").read_text() == "x"
    assert (finished / "runs" / "notes.txt").read_text() == "y"
    # removed, then written again by the new run
    assert ResultsFolder(finished).owned() == written


def test_a_users_file_where_dsegym_would_write_is_refused(finished, capsys):
    folder = ResultsFolder(finished)
    run_id = folder.plan()[0]["run_id"]
    front = folder.front(run_id)
    front.unlink()
    marker = json.loads(folder.marker.read_text())
    marker["written"].remove(f"fronts/{run_id}.csv")
    folder.marker.write_text(json.dumps(marker))
    front.write_text("the user's own table")
    code, err = _cli(["report", str(finished)], capsys)
    assert code == 2 and "was not written by dsegym" in err and run_id in err
    assert front.read_text() == "the user's own table"


def test_a_folder_written_before_the_marker_still_resumes_and_reports(finished, tmp_path, capsys):
    (finished / MARKER_NAME).unlink()  # as dsegym wrote folders before this change
    (finished / "plots" / "fig.png").write_text("x")
    assert _cli(["run", _config(tmp_path, finished), "--resume", "--quiet"], capsys)[0] == 0
    owned = ResultsFolder(finished).owned()
    assert "plots/fig.png" not in owned and "fingerprint.json" in owned
    assert _cli(["run", _config(tmp_path, finished), "--overwrite", "--quiet"], capsys)[0] == 0
    assert (finished / "plots" / "fig.png").read_text() == "x"


def test_run_status_is_an_enum_read_from_the_run_files(finished):
    folder = ResultsFolder(finished)
    run_id = folder.plan()[0]["run_id"]
    state = folder.run_state(run_id)
    assert state.status is RunStatus.FINISHED and state.stop_reason is StopReason.BUDGET
    assert state.evaluations == BASE["budget"]
    folder.done(run_id).unlink()
    assert folder.run_state(run_id).status is RunStatus.INTERRUPTED
    folder.error(run_id).write_text("ValueError: boom\nmore")
    state = folder.run_state(run_id)
    assert state.status is RunStatus.ERROR and state.error == "ValueError: boom"
    assert RunStatus.of(StopReason.PROPOSAL_LIMIT) is RunStatus.PROPOSAL_LIMIT
    runs = dsegym.load(finished).runs
    assert set(runs["stop_reason"].dropna()) == {"budget"}


# ---------------------------------------------------------------- damaged records
def _record(folder):
    return folder.record(folder.plan()[0]["run_id"])


def test_a_blank_line_is_skipped_by_every_reader(finished, capsys):
    record = _record(ResultsFolder(finished))
    lines = record.read_text().splitlines(keepends=True)
    record.write_text("".join(lines[:2]) + "\n   \n" + "".join(lines[2:]))
    assert _cli(["report", str(finished)], capsys)[0] == 0
    assert _cli(["export", "optuna", str(finished)], capsys)[0] == 0
    assert len(dsegym.load(finished).evaluations) == 10


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda line: line[:30] + "\n", "line 3"),
        (lambda line: "[1, 2]\n", "expected a JSON object"),
        (lambda line: line.replace('"feasible":true', '"feasible":1'), "line 3"),
        (lambda line: line.replace('"F":[', '"F":["x",'), "expected a number"),
        (lambda line: '{"design": {}}\n', "is missing"),
    ],
)
def test_a_corrupt_line_is_refused_with_its_file_and_line(finished, capsys, damage, why):
    record = _record(ResultsFolder(finished))
    lines = record.read_text().splitlines(keepends=True)
    lines[2] = damage(lines[2])
    record.write_text("".join(lines))
    for argv in (["report", str(finished)], ["export", "optuna", str(finished)]):
        code, err = _cli(argv, capsys)
        assert code == 2 and record.name in err and "line 3" in err and why in err, err
    with pytest.raises(ConfigError, match="line 3"):
        dsegym.load(finished)


def test_a_deleted_record_never_leaves_stale_tables_in_use(finished, capsys):
    assert len(dsegym.load(finished).evaluations) == 10
    record = _record(ResultsFolder(finished))
    record.unlink()
    with pytest.raises(ConfigError, match="is missing, but .* counts 5"):
        dsegym.load(finished)
    code, err = _cli(["report", str(finished)], capsys)
    assert code == 2 and "is missing" in err
    code, err = _cli(["export", "optuna", str(finished)], capsys)
    assert code == 2 and "is missing" in err


def test_a_changed_record_makes_load_recompute_the_tables(finished):
    folder = ResultsFolder(finished)
    assert folder.tables_current()
    record = _record(folder)
    folder.done(record.name.removesuffix(".jsonl")).unlink()  # now an interrupted run
    lines = record.read_text().splitlines(keepends=True)
    record.write_text("".join(lines[:4]))  # the run header and 3 of its 5 rows
    assert not folder.tables_current()
    assert len(dsegym.load(finished).evaluations) == 8
    assert folder.tables_current()


def test_a_torn_last_line_still_resumes_exactly(finished, tmp_path, capsys):
    from .helpers import records

    before = records(finished)
    folder = ResultsFolder(finished)
    record = _record(folder)
    folder.done(record.name.removesuffix(".jsonl")).unlink()
    lines = record.read_text().splitlines(keepends=True)
    record.write_text("".join(lines[:3]) + lines[3][:25])
    assert _cli(["report", str(finished)], capsys)[0] == 0  # the torn line is dropped
    assert _cli(["run", _config(tmp_path, finished), "--resume", "--quiet"], capsys)[0] == 0
    assert records(finished) == before


# ------------------------------------------------------------- property: random damage
@pytest.fixture(scope="module")
def good_lines(tmp_path_factory):
    from dsegym.experiments.config import parse_config
    from dsegym.experiments.launch import run_experiment

    out = tmp_path_factory.mktemp("good")
    run_experiment(parse_config({**BASE, "seeds": [0]}), results_dir=out, show_progress=False)
    return _record(ResultsFolder(out)).read_text().splitlines(keepends=True)


LINE_KINDS = st.one_of(
    st.just(("good", None)),
    st.just(("blank", None)),
    st.tuples(st.just("cut"), st.integers(1, 200)),  # a good line cut short, then newline
    st.tuples(st.just("noise"), st.text(alphabet=st.characters(blacklist_characters="\n"))),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=st.lists(LINE_KINDS, max_size=8), torn=st.integers(0, 80))
def test_random_record_files_never_crash_a_reader(tmp_path_factory, good_lines, kinds, torn):
    from dsegym.experiments.analysis import analyse, load_evaluations
    from dsegym.experiments.storage import RecordError

    out = tmp_path_factory.mktemp("damaged")
    folder = ResultsFolder(out)
    folder.runs_dir.mkdir()
    header, rows = good_lines[0], good_lines[1:]  # the run header stays the first line
    text, valid, bad_line = [header], 0, None
    for i, (kind, arg) in enumerate(kinds):
        good = rows[i % len(rows)]
        if kind == "good":
            text.append(good)
            valid += 1
        elif kind == "blank":
            text.append("\n")
        else:
            line = good[:arg] if kind == "cut" else arg
            text.append(line + "\n")
            try:
                row = json.loads(line)
                ok = line == good[:-1]
            except ValueError:
                ok = not line.strip()  # a line of whitespace is a blank line
                row = None
            if ok:
                valid += row is not None
            elif bad_line is None:
                bad_line = i + 2
    record = folder.record(json.loads(good_lines[0])["run_id"])
    record.write_text("".join(text) + good_lines[0][:torn])  # maybe a torn last line
    try:
        frame = load_evaluations(out)
        tables = analyse(out) if len(frame) else None
    except RecordError as exc:
        assert record.name in str(exc) and "line" in str(exc)
        return
    except ConfigError as exc:  # nothing recorded at all
        assert valid == 0 and "no recorded evaluations" in str(exc), exc
        return
    assert bad_line is None and len(frame) == valid
    if tables is not None:
        assert len(tables["runs"]) == 1


def test_front_files_carry_the_designs_and_records_their_labels(finished):
    import pandas as pd

    folder = ResultsFolder(finished)
    run_id = folder.plan()[0]["run_id"]
    front = pd.read_csv(folder.front(run_id))
    assert {"eval_index", "design.x1", "objective.f1", "objective.f2", "metric.f1"} <= set(
        front.columns
    )
    rows = read_records(folder.record(run_id))
    assert all(r["constraints"] == [] for r in rows)  # zdt1 has none; labels recorded
    by_index = {r["eval_index"]: r for r in rows if not r["cached"]}
    for _, point in front.iterrows():
        record = by_index[int(point["eval_index"])]
        assert point["design.x1"] == pytest.approx(record["design"]["x1"])
        assert [point["objective.f1"], point["objective.f2"]] == pytest.approx(record["F"])
