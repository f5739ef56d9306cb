"""settle_after_start: garbage made before it is collected, the rest is frozen."""

from __future__ import annotations

import gc
import weakref

from gongkai_desktop.heap import settle_after_start


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_garbage_is_collected_before_the_heap_is_frozen() -> None:
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a cycle only the cyclic collector frees
    gone = weakref.ref(a)
    kept = _Node()
    del a, b
    try:
        settle_after_start()
        assert gone() is None  # collected, not frozen with the rest
        assert gc.get_freeze_count() > 0
        assert all(o is not kept for o in gc.get_objects())  # frozen: out of its reach
    finally:
        gc.unfreeze()
