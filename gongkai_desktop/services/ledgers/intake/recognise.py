"""Which of our ledgers a sheet of an old workbook is, by its header (and, between ledgers
with the same columns, by its title): for whole-folder migration.

A ledger is a candidate when enough of its columns are found: at least three, and either
40% of the ledger's columns or three quarters of the sheet's own headers. The patrol
ledgers share their common columns, so a candidate the title names (rows above the
header, the sheet's name, the file's name: the ledger's title or its inspection type)
wins when it fits at least 80% as many columns as the best one; otherwise the one with
most columns found. A sheet no ledger fits, or two fit equally, gets no
ledger and a reason: it is listed for the clerk, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gongkai_desktop.forms.spec import FormRegistry, LedgerSpec
from gongkai_desktop.services.io.cell_text import is_blank, normalise
from gongkai_desktop.services.ledgers.intake.cells import cell_text
from gongkai_desktop.services.ledgers.intake.layout import HeaderMatcher, Layout, find_layout

MIN_COLUMNS = 3
LEDGER_SHARE = 0.4
SHEET_SHARE = 0.75


@dataclass(frozen=True)
class Recognition:
    ledger_id: str | None
    layout: Layout | None
    score: int  # ledger columns found
    candidates: tuple[tuple[str, int], ...]  # (ledger id, columns found), best first
    reason: str = ""  # why no ledger was chosen
    titles: tuple[str, ...] = ()


_MATCHERS: dict[int, tuple[FormRegistry, dict[str, HeaderMatcher]]] = {}


def _matchers(registry: FormRegistry) -> dict[str, HeaderMatcher]:
    """One matcher per ledger, built once per registry (a folder has many sheets)."""
    cached = _MATCHERS.get(id(registry))
    if cached is None or cached[0] is not registry:
        built = {
            ledger.id: HeaderMatcher(ledger, registry.form(ledger.form), registry)
            for ledger in registry.ledgers.values()
        }
        cached = _MATCHERS[id(registry)] = (registry, built)
    return cached[1]


def _names(ledger: LedgerSpec, registry: FormRegistry) -> list[str]:
    """What a title calls this ledger: its title without 台账/记录, its filter values."""
    names = [ledger.title]
    for suffix in ("记录台账", "登记台账", "台账", "记录"):
        if ledger.title.endswith(suffix):
            names.append(ledger.title[: -len(suffix)])
    form = registry.form(ledger.form)
    for key, allowed in ledger.filter.items():
        spec = form.field(key) if form.has_field(key) else None
        for value in allowed:
            names.append(str(value))
            if spec is not None:
                names += [s for s, label in spec.choice_synonyms.items() if label == value]
    return [normalise(n) for n in names if len(normalise(n)) >= 4]


def _titles(rows: Sequence[tuple[int, tuple[Any, ...]]], header_first: int) -> tuple[str, ...]:
    return tuple(
        cell_text(value).strip()
        for number, values in rows
        if number < header_first
        for value in values
        if not is_blank(value)
    )


def recognise_sheet(
    registry: FormRegistry,
    sheet_name: str,
    rows: Sequence[tuple[int, tuple[Any, ...]]],
    context_texts: Sequence[str] = (),
) -> Recognition:
    """The ledger a sheet holds, from its first rows ((row number, cells) pairs)."""
    found: list[tuple[tuple[int, int, float], str, Layout, tuple[str, ...]]] = []
    for ledger_id, matcher in _matchers(registry).items():
        layout = find_layout(matcher, sheet_name, list(rows))
        if layout is None:
            continue
        matched = layout.score
        headers = [c for c in layout.columns if c.header and c.kind != "serial"]
        ledger = registry.ledger(ledger_id)
        share_ledger = matched / max(len(ledger.columns), 1)
        share_sheet = matched / max(len(headers), 1)
        if matched < MIN_COLUMNS or (share_ledger < LEDGER_SHARE and share_sheet < SHEET_SHARE):
            continue
        titles = _titles(rows, layout.header_first)
        texts = [normalise(t) for t in (*titles, sheet_name, *context_texts) if t]
        named = int(any(name in text for name in _names(ledger, registry) for text in texts))
        found.append(((matched, named, share_ledger), ledger_id, layout, titles))
    if not found:
        return Recognition(None, None, 0, (), "未找到任何台账的表头")
    found.sort(key=lambda f: f[0], reverse=True)
    candidates = tuple((ledger_id, rank[0]) for rank, ledger_id, _, _ in found)
    most = found[0][0][0]
    # a ledger the title names wins over one that fits a column or so better: the
    # patrol ledgers differ in a few columns a hand-kept sheet often leaves out
    titled = [f for f in found if f[0][1] and f[0][0] >= max(MIN_COLUMNS, most * 0.8)]
    pool = titled or found
    best_rank, best_id, best_layout, titles = pool[0]
    rivals = [f for f in pool[1:] if f[0][0] == best_rank[0]]
    if rivals:
        names = "”“".join(registry.ledger(i).title for i in (best_id, *(r[1] for r in rivals)))
        return Recognition(
            None,
            None,
            best_rank[0],
            candidates,
            f"表头与“{names}”同样吻合，请分别导入并指定台账",
            titles,
        )
    return Recognition(best_id, best_layout, best_rank[0], candidates, "", titles)
