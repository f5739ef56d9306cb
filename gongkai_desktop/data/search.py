"""The text a record is found by in the list's search box."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "file":  # generated attachment names are noise
                yield from _strings(item)


def search_text_of(data: dict[str, Any], extra: Iterable[str] = ()) -> str:
    """Lower-cased concatenation of every text in the record (and e.g. its site's name)."""
    parts = [*_strings(data), *extra]
    return "\n".join(p for p in parts if p).lower()
