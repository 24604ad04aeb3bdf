"""The serving processes' collector settings: startup's heap frozen, a larger young generation, and
both put back."""

from __future__ import annotations

import gc

from innkeeper_kit.garbage_collector import YOUNG_COLLECTION_THRESHOLD, freeze_startup_heap


def test_startup_heap_is_frozen_and_the_settings_come_back() -> None:
    before = gc.get_threshold()
    kept = [[index] for index in range(1000)]  # containers startup would keep
    restore = freeze_startup_heap()
    try:
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, before[1], before[2])
        assert all(found is not kept for found in gc.get_objects())  # no collection walks it now
    finally:
        restore()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_settings_come_back_when_the_last_holder_is_done() -> None:
    before = gc.get_threshold()
    first, second = freeze_startup_heap(), freeze_startup_heap()
    first()
    first()  # twice: counted once
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD  # the second still holds them
    assert gc.get_freeze_count() > 0
    second()
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)
