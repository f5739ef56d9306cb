"""``gongkai county status``: the completeness grid (报送情况) of a period, and the
``--townships`` choice the county's ledger and report commands share."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai_desktop.cli.common import (
    EXIT_OK,
    InputError,
    add_period_arguments,
    open_ctx,
    period_from_args,
    print_json,
)

if TYPE_CHECKING:
    from gongkai_desktop.services.context import AppContext

TOWNSHIPS_HELP = "县级汇总：all 为全部乡镇（默认），或逗号分隔的统计用区划代码／乡镇名称"


def register(county: Any) -> None:
    """Adds ``status`` to the sub-commands of ``gongkai county``."""
    p = county.add_parser("status", help="报送情况：各乡镇已报、迟报、未报、退回（可导出 .xlsx）")
    add_period_arguments(p)
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--out", help="导出为 .xlsx 文件")
    p.add_argument("--townships", help=TOWNSHIPS_HELP)
    p.add_argument("--today", help=argparse.SUPPRESS)  # tests: the day the grid is read on
    p.set_defaults(handler=cmd_county_status)


def add_townships_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--townships", help=TOWNSHIPS_HELP)


def townships_from_args(ctx: AppContext, args: argparse.Namespace) -> tuple[str, ...] | None:
    """The townships ``--townships`` chooses (None: all); only on a county database."""
    from gongkai_desktop.services.county.scope import TownshipChoiceError, choose_townships
    from gongkai_desktop.services.settings import is_county, load_settings

    text = getattr(args, "townships", None)
    if text is None:
        return None
    if not is_county(load_settings(ctx)):
        raise InputError("--townships 只用于县级汇总的数据库（设置 → 本机用途：县级汇总）")
    try:
        return choose_townships(ctx, text)
    except TownshipChoiceError as exc:
        raise InputError(str(exc)) from None


def cmd_county_status(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.status import STATES, cell_text, completeness
    from gongkai_desktop.services.county.status_sheet import StatusExportError, write_status_xlsx

    period = period_from_args(args)
    assert period is not None  # required
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".xlsx":
        raise InputError(f"--out 应为 .xlsx 文件，“{out.name}”不是")
    today = date.fromisoformat(args.today) if args.today else None
    with open_ctx(args, auto_backup=False) as ctx:
        codes = townships_from_args(ctx, args)
        grid = completeness(ctx, period, today=today, townships=codes)
    if out is not None:
        try:
            write_status_xlsx(grid, out)
        except StatusExportError as exc:
            raise InputError(str(exc)) from exc
    if args.json:
        print_json(grid.to_json())
        return EXIT_OK
    print("\t".join(["乡镇", *(c.label for c in grid.columns), *STATES]))
    for row in grid.rows:
        totals = row.totals
        cells = [cell_text(c) for c in row.cells]
        print("\t".join([row.name, *cells, *(str(totals[s]) for s in STATES)]))
    totals = grid.totals()
    print("合计：" + "，".join(f"{s}{totals[s]}个" for s in STATES))
    if out is not None:
        print(f"已导出：{out}")
    return EXIT_OK
