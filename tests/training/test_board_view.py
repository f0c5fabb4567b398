"""wfbench.training.board_view: learners × exercises as a table, HTML and a live widget."""

from __future__ import annotations

import time

import pandas as pd
from solutions import HIDDEN, LOOKUP

from wfbench.training import CheckPost, ClassBoard
from wfbench.training.board_view import learners_by_exercise, to_html
from wfbench.workbench import Workbench

COLUMNS = [
    "seq",
    "attempt",
    "learner",
    "exercise",
    "title",
    "passed",
    "cases_passed",
    "cases_total",
    "posted_at",
]


def results(*rows: tuple[str, str, bool, int, int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (i, f"a{i}", learner, exercise, exercise, passed, done, total, pd.Timestamp(at))
            for i, (learner, exercise, passed, done, total, at) in enumerate(rows, 1)
        ],
        columns=COLUMNS,
    )


def test_the_last_attempt_wins_and_revoked_learners_stay() -> None:
    frame = learners_by_exercise(
        ["ada", "bo"],
        results(
            ("ada", "1_lookup", False, 1, 2, "2026-01-05 10:00:01"),
            ("ada", "1_lookup", True, 2, 2, "2026-01-05 10:00:02"),
            ("cy", "2_suspend", False, 0, 3, "2026-01-05 10:00:03"),
        ),
    )
    assert list(frame.columns) == ["1_lookup", "2_suspend"]
    assert list(frame.index) == ["ada", "bo", "cy"]
    assert frame.loc["ada", "1_lookup"] == "✔ 2/2 10:00:02"
    assert frame.loc["bo", "1_lookup"] == "—"
    assert frame.loc["cy", "2_suspend"] == "✖ 0/3 10:00:03"


def test_every_exercise_the_board_keeps_has_its_column_before_any_result() -> None:
    frame = learners_by_exercise(
        ["ada"],
        results(("ada", "2_suspend", True, 3, 3, "2026-01-05 10:00:00")),
        ["1_lookup", "2_suspend", "3_pilot"],
    )
    assert list(frame.columns) == ["1_lookup", "2_suspend", "3_pilot"]
    assert list(frame.loc["ada"]) == ["—", "✔ 3/3 10:00:00", "—"]


def test_the_html_escapes_names_and_colours_outcomes() -> None:
    frame = learners_by_exercise(
        ["<b>"], results(("<b>", "<script>x</script>", True, 1, 1, "2026-01-05 10:00:00"))
    )
    page = to_html(frame)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;" in page
    assert "#d9ead3" in page


def test_board_widget_redraws_on_results_and_polls(wb: Workbench) -> None:
    board = ClassBoard(wb)
    board.add_learner("ada")
    pushed = board.widget()
    polled = board.widget(poll=0.05)
    board.add_exercises(HIDDEN)
    board.check("ada", CheckPost(attempt="a1", exercise="1_lookup", definition=LOOKUP))
    assert "✔ 2/2" in pushed.value  # redrawn by the check recorded in this process
    # A result written by another process: no listener here hears it; polling sees it.
    wb.sql(
        "INSERT INTO class_results (seq, attempt, learner, exercise, title, passed, "
        "cases_passed, cases_total, posted_at) VALUES "
        "(2, 'a2', 'ada', '1_lookup', '', false, 1, 2, now()::TIMESTAMP)"
    )
    assert "✖ 1/2" not in pushed.value
    deadline = time.monotonic() + 60  # a bound for failure only: it ends when seen
    while "✖ 1/2" not in polled.value and time.monotonic() < deadline:
        time.sleep(0.05)
    board.stop_polling()
    assert "✖ 1/2" in polled.value
    assert list(board.results()["attempt"]) == ["a1", "a2"]
