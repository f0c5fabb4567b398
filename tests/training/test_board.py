"""wfbench.training.board: a trainer's class: learners and their keys, kept in the store."""

from __future__ import annotations

import pytest

from wfbench.errors import BadArgument, LearnerTaken, NotFound
from wfbench.training.board import LEARNER_KEY_PREFIX, ClassBoard
from wfbench.workbench import Workbench


def test_a_learner_gets_a_key_that_names_them_until_revoked() -> None:
    board = ClassBoard(Workbench(":memory:"))
    ada, bob = board.add_learner("ada"), board.add_learner("bob.smith")
    assert ada.startswith(LEARNER_KEY_PREFIX) and ada != bob
    assert board.learners() == ["ada", "bob.smith"]
    assert board.learner_for_key(ada) == "ada" and board.learner_for_key(bob) == "bob.smith"
    assert board.learner_for_key(LEARNER_KEY_PREFIX + "forged") is None
    assert board.learner_for_key("wfb_an_api_key") is None  # another kind of key
    board.revoke_learner("ada")
    assert board.learner_for_key(ada) is None and board.learners() == ["bob.smith"]
    again = board.add_learner("ada")  # back in the class: a new key
    assert again != ada and board.learner_for_key(again) == "ada"


def test_names_are_checked_and_unique() -> None:
    board = ClassBoard(Workbench(":memory:"))
    board.add_learner("ada")
    with pytest.raises(LearnerTaken, match="a learner named 'ada' is in the class already"):
        board.add_learner("ada")
    for bad in ("", "a b", "x" * 65, "ada;drop"):
        with pytest.raises(BadArgument, match="is not allowed; use 1 to 64 letters"):
            board.add_learner(bad)
    with pytest.raises(NotFound, match="no learner named 'nobody' in the class"):
        board.revoke_learner("nobody")


def test_the_table_has_a_row_per_learner_and_clearing_keeps_them() -> None:
    wb = Workbench(":memory:")
    board = ClassBoard(wb)
    board.add_learner("ada")
    board.add_learner("bob")
    assert list(board.table().index) == ["ada", "bob"] and board.results().empty
    board.clear()
    assert board.learners() == ["ada", "bob"]
    assert ClassBoard(wb).learners() == ["ada", "bob"]  # kept in the store, not the object
