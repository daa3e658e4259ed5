import math

import numpy as np
import optuna
import pytest
from gymnasium import spaces

from dsegym.costmodels import Categorical, DesignSpace, Integer, Ordinal, Real
from dsegym.errors import DesignError

SPACE = DesignSpace(
    [
        Categorical("dataflow", ("ws", "os", "is")),
        Ordinal.powers_of_two("rows", 4, 64),
        Integer("banks", 2, 16, step=2),
        Real("clock_ghz", 0.5, 2.0),
        Real("bandwidth", 1.0, 1000.0, log=True),
    ]
)
FINITE = DesignSpace(list(SPACE.parameters)[:3])


def test_sizes_and_values():
    assert SPACE["rows"].values == (4, 8, 16, 32, 64)
    assert SPACE["banks"].n_values == 8
    assert FINITE.size == 3 * 5 * 8
    assert math.isinf(SPACE.size)
    assert FINITE.is_finite and not SPACE.is_finite
    np.testing.assert_array_equal(FINITE.nvec, [3, 5, 8])


def test_samples_are_members_and_deterministic(rng):
    designs = SPACE.sample_many(rng, 200)
    assert all(SPACE.contains(d) for d in designs)
    again = SPACE.sample_many(np.random.default_rng(1234), 200)
    assert designs == again
    logs = np.log([d["bandwidth"] for d in designs])
    # Log-uniform: the median of log(bandwidth) sits near the middle of the log range.
    assert abs(np.median(logs) - np.log(1000.0) / 2) < 0.6


def test_encode_decode_round_trip(rng):
    for d in SPACE.sample_many(rng, 50):
        assert SPACE.decode(SPACE.encode(d)) == d
        back = SPACE.from_unit(SPACE.to_unit(d))
        assert {k: v for k, v in back.items() if k not in ("clock_ghz", "bandwidth")} == {
            k: v for k, v in d.items() if k not in ("clock_ghz", "bandwidth")
        }
        assert back["bandwidth"] == pytest.approx(d["bandwidth"])


def test_decode_clips_out_of_range_indices():
    d = FINITE.decode([-3, 99, 3.4])
    assert d == {"dataflow": "ws", "rows": 64, "banks": 8}


def test_violations_name_the_parameter_and_allowed_values():
    problems = SPACE.violations(
        {"dataflow": "xx", "rows": 5, "banks": 3, "clock_ghz": 9.0, "extra": 1}
    )
    text = "; ".join(problems)
    assert "missing parameter(s): bandwidth" in text
    assert "unknown parameter(s): extra" in text
    assert "dataflow='xx' is not one of 'ws', 'os', 'is'" in text
    assert "rows=5 is not one of 4, 8, 16, 32, 64" in text
    assert "banks=3 is not an integer from 2 to 16 in steps of 2" in text
    assert "clock_ghz=9.0" in text
    with pytest.raises(DesignError):
        SPACE.validate({"dataflow": "xx"})


def test_enumerate_is_complete_and_unique():
    designs = list(FINITE.enumerate())
    assert len(designs) == FINITE.size
    assert len({FINITE.key(d) for d in designs}) == len(designs)
    with pytest.raises(ValueError):
        list(SPACE.enumerate())


def test_library_bridges():
    dists = SPACE.to_optuna_distributions()
    assert isinstance(dists["dataflow"], optuna.distributions.CategoricalDistribution)
    assert isinstance(dists["banks"], optuna.distributions.IntDistribution)
    assert dists["banks"].step == 2
    assert dists["bandwidth"].log
    assert isinstance(FINITE.to_gymnasium(), spaces.MultiDiscrete)
    box = SPACE.to_gymnasium()
    assert isinstance(box, spaces.Box) and box.shape == (5,)


def test_neighbours_move_one_parameter():
    d = {"dataflow": "os", "rows": 4, "banks": 16}
    moves = FINITE.neighbours(d)
    assert ("dataflow", "ws") in moves and ("dataflow", "is") in moves
    assert ("rows", 8) in moves and all(m != ("rows", 2) for m in moves)
    assert ("banks", 14) in moves


def test_bad_parameter_definitions_are_rejected():
    with pytest.raises(ValueError):
        Integer("x", 0, 5, step=2)
    with pytest.raises(ValueError):
        Real("x", 0.0, 1.0, log=True)
    with pytest.raises(ValueError):
        Ordinal("x", (4, 2))
    with pytest.raises(ValueError):
        DesignSpace([Integer("x", 0, 1), Integer("x", 0, 2)])


def test_actions_are_the_gymnasium_spaces_elements(rng):
    for space in (FINITE, SPACE):
        gym_space = space.to_gymnasium()
        for d in space.sample_many(rng, 20):
            action = space.to_action(d)
            assert gym_space.contains(action)
            back = space.from_action(action)
            assert space.contains(back)
            if space.is_finite:
                assert back == d
    assert FINITE.to_action({"dataflow": "is", "rows": 16, "banks": 2}).tolist() == [2, 2, 0]


def test_lattice_puts_discrete_values_on_evenly_spaced_points_ends_included():
    assert FINITE.from_lattice([0.0, 0.0, 0.0]) == {"dataflow": "ws", "rows": 4, "banks": 2}
    assert FINITE.from_lattice([1.0, 1.0, 1.0]) == {"dataflow": "is", "rows": 64, "banks": 16}
    # rows has 5 values at 0, 0.25, 0.5, 0.75, 1: 0.6 is nearest the middle one.
    assert FINITE.from_lattice([0.5, 0.6, 2.0])["rows"] == 16
    d = SPACE.from_lattice([0.5, 0.5, 0.5, 0.5, 0.5])
    assert d["clock_ghz"] == pytest.approx(1.25)
    assert d["bandwidth"] == pytest.approx(math.sqrt(1000.0))


def test_grid_takes_every_discrete_value_and_spaced_reals():
    values = SPACE.grid_values(real_levels=3)
    assert values[0] == ["ws", "os", "is"]
    assert values[2] == list(range(2, 17, 2))
    assert values[3] == pytest.approx([0.5, 1.25, 2.0])
    assert values[4] == pytest.approx([1.0, math.sqrt(1000.0), 1000.0])  # log-spaced
    assert all(type(v) is float for v in values[3] + values[4])
    grid = list(SPACE.grid(real_levels=3))
    assert len(grid) == 3 * 5 * 8 * 3 * 3 and all(SPACE.contains(d) for d in grid)
    assert list(FINITE.grid(real_levels=3)) == list(FINITE.enumerate())


def test_every_parameter_type_implements_the_protocol():
    from dsegym.costmodels.space import DiscreteParameter, Parameter

    for p in SPACE:
        assert isinstance(p, Parameter)
        assert p.discrete == isinstance(p, DiscreteParameter)
    kinds = {p.name: p.pymoo_kind for p in SPACE}
    assert kinds == {
        "dataflow": "choice",
        "rows": "integer",
        "banks": "integer",
        "clock_ghz": "real",
        "bandwidth": "real",
    }
    assert FINITE["banks"].index_of(6) == 2 and FINITE["banks"].value_at(2) == 6
    assert not FINITE["banks"].contains(True) and not FINITE["dataflow"].contains(["ws"])


def test_description_is_keyword_only_and_does_not_change_equality():
    described = Integer("n", 1, 4, description="number of lanes")
    assert described.description == "number of lanes"
    assert described == Integer("n", 1, 4)
    assert Ordinal.powers_of_two("b", 2, 8, description="bytes").description == "bytes"
    assert Real("x", 0.0, 1.0, description="fraction").description == "fraction"
    assert Categorical("c", ("a", "b"), description="kind").description == "kind"
