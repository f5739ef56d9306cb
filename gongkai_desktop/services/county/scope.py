"""County mode: the township outputs over all townships or a chosen set.

A county ledger or figure is the township's own output run on the county database read
through ``AppContext.for_townships`` (only the chosen townships' records), so the county
figures are, by construction, what the townships' own figures add up to; the by-township
table is the same figures once per township."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from gongkai_desktop.data.models import Township
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.periods import Period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.reports.figures import figures, township_figures

ALL = "all"


class TownshipChoiceError(GongkaiError):
    """A township named that the county does not have; Chinese message."""


def township_rows(ctx: AppContext) -> list[tuple[str, str]]:
    """(code, name) of every township, by code."""
    with ctx.reading() as session:
        rows = session.execute(select(Township.code, Township.name).order_by(Township.code))
        return [(code, name) for code, name in rows]


def choose_townships(ctx: AppContext, text: str | None) -> tuple[str, ...] | None:
    """The townships ``--townships`` names: ``all`` (or nothing) is every one (None); else
    codes or names separated by commas (，、 too), each of which must be known."""
    if text is None or text.strip().lower() in ("", ALL, "全部"):
        return None
    known = township_rows(ctx)
    by_name = {name: code for code, name in known}
    codes = {code for code, _name in known}
    chosen: list[str] = []
    unknown: list[str] = []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        word = part.strip()
        if not word:
            continue
        code = word if word in codes else by_name.get(word)
        if code is None:
            unknown.append(word)
        elif code not in chosen:
            chosen.append(code)
    if unknown:
        raise TownshipChoiceError(
            f"没有这些乡镇：{'、'.join(unknown)}（应为乡镇管理中的统计用区划代码或名称，或 all）"
        )
    if not chosen:
        raise TownshipChoiceError("没有选择乡镇（--townships all 为全部乡镇）")
    return tuple(chosen)


def scoped(ctx: AppContext, codes: Sequence[str] | None) -> AppContext:
    """``ctx`` read over the townships ``codes`` (None: every record, as it is)."""
    return ctx if codes is None else ctx.for_townships(codes)


def figures_by_township(
    ctx: AppContext, period: Period, codes: Sequence[str] | None = None
) -> dict[str, Any]:
    """The figures of ``period`` over the chosen townships (every one when None), with
    ``by_township``: each township's own figures, by code."""
    total = figures(scoped(ctx, codes), period)
    total["by_township"] = [
        {"code": t["code"], "name": t["name"], "figures": t["figures"][0]}
        for t in township_figures(ctx, [period], codes)
    ]
    return total
