"""wfbench.gc_pause: the collector off while modules load, back as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from wfbench.gc_pause import paused


def test_collection_is_off_in_the_block_and_back_on_after() -> None:
    was_on = gc.isenabled()
    gc.enable()
    try:
        with paused():
            assert not gc.isenabled()
        assert gc.isenabled()
    finally:
        gc.enable() if was_on else gc.disable()


def test_a_caller_who_turned_it_off_keeps_it_off_even_when_the_block_raises() -> None:
    was_on = gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(ValueError), paused():
            raise ValueError("boom")
        assert not gc.isenabled()
    finally:
        gc.enable() if was_on else gc.disable()
