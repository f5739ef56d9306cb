"""The Python heap of the running window (no Qt here)."""

from __future__ import annotations

import gc


def settle_after_start() -> None:
    """Collect once, then move what start-up made (modules, classes, the forms, the open
    database's objects) out of the cyclic collector's reach.

    Python's full collections walk every tracked object. With a 100,000-row list loaded
    each took 0.2-0.4 s of the GUI thread while scrolling, and the start-up heap was a
    large part of what they walked. Collecting first means no garbage is frozen."""
    gc.collect()
    gc.freeze()
