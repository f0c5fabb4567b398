"""wfbench.batch.inputs: a batch's rows from a DataFrame or a list of dicts."""

from __future__ import annotations

import pandas as pd
import pytest

from wfbench.batch.inputs import normalise_inputs
from wfbench.errors import UsageError


def test_a_frames_missing_cells_are_absent_fields_and_whole_numbers_stay_whole() -> None:
    frame = pd.DataFrame({"n": [1, None], "who": ["ada", None]}, index=["r1", "r2"])
    labels, rows = normalise_inputs(frame)
    assert labels == ["r1", "r2"]
    assert rows == [{"n": 1, "who": "ada"}, {}]
    assert type(rows[0]["n"]) is int


def test_a_list_of_dicts_is_labelled_by_position() -> None:
    assert normalise_inputs([{"a": 1}, {2: "b"}]) == ([0, 1], [{"a": 1}, {"2": "b"}])


def test_bad_inputs_are_refused_naming_every_bad_row() -> None:
    with pytest.raises(UsageError, match=r"row\(s\) 1, 3 are not"):
        normalise_inputs([{}, 5, {}, "x"])
    with pytest.raises(UsageError, match="DataFrame or a list of dicts"):
        normalise_inputs({"a": 1})
    with pytest.raises(UsageError, match="got 0"):
        normalise_inputs(pd.DataFrame({0: [1]}))
