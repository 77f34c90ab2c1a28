"""Once started, the start-up heap is frozen, so full garbage collections skip it, and
young objects are collected less often, so a burst of requests runs without pauses."""

from __future__ import annotations

import gc

from bot.runners import YOUNG_COLLECTION_EVERY, tune_garbage_collector


def test_start_up_objects_leave_the_collectors_reach_and_young_ones_wait_longer() -> None:
    threshold = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 10_000  # imports alone leave this many
        assert gc.get_count()[2] == 0
        assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
