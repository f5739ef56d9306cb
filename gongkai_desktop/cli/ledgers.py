"""Ledger commands (台账): ``ledgers``, ``export``, ``export-all`` (``import`` is in
cli.imports)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gongkai_desktop import paths
from gongkai_desktop.cli.common import (
    EXIT_OK,
    InputError,
    add_period_arguments,
    open_ctx,
    period_from_args,
)
from gongkai_desktop.cli.county_status import add_townships_argument, townships_from_args
from gongkai_desktop.domain.errors import GongkaiError


def register(sub: Any) -> None:
    p = sub.add_parser("ledgers", help="列出全部台账（编号和名称）")
    p.set_defaults(handler=cmd_ledgers)
    p = sub.add_parser("export", help="导出一个台账（.xlsx）")
    p.add_argument("ledger", help="台账编号（见 gongkai ledgers）")
    add_period_arguments(p)
    p.add_argument("--out", required=True, help="导出的 .xlsx 文件")
    add_townships_argument(p)
    p.set_defaults(handler=cmd_export)
    p = sub.add_parser("export-all", help="把本期全部台账导出到一个文件夹（如U盘）")
    add_period_arguments(p)
    p.add_argument("--out", required=True, help="目标文件夹（不存在时自动建立）")
    p.add_argument("--photos", action="store_true", help="同时导出照片（每条记录按序号一个文件夹）")
    add_townships_argument(p)
    p.set_defaults(handler=cmd_export_all)


def cmd_ledgers(args: argparse.Namespace) -> int:
    from gongkai_desktop.forms.loader import load_registry

    registry = load_registry(paths.forms_dir(), cache_dir=paths.cache_dir())
    for ledger in registry.ledgers.values():
        print(f"{ledger.id}\t{ledger.title}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.ledgers.export import LedgerExporter, LedgerExportError

    period = period_from_args(args)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"--out 应为 .xlsx 文件，“{out.name}”不是")
    from gongkai_desktop.services.county.scope import scoped

    with open_ctx(args) as ctx:
        exporter = LedgerExporter(scoped(ctx, townships_from_args(ctx, args)))
        try:
            ledger_id = ctx.registry.ledger(args.ledger).id
        except GongkaiError as exc:
            raise InputError(str(exc)) from None
        try:
            result = exporter.export(ledger_id, period, out)
        except LedgerExportError as exc:
            raise InputError(str(exc)) from exc
    print(f"已导出“{result.title}”：{result.rows} 条记录 → {result.path}")
    return EXIT_OK


def cmd_export_all(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.ledgers.export import LedgerExporter, LedgerExportError

    period = period_from_args(args)
    assert period is not None  # required
    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out 应为文件夹：“{folder}”是一个文件")
    from gongkai_desktop.services.county.scope import scoped

    with open_ctx(args) as ctx:
        exporter = LedgerExporter(scoped(ctx, townships_from_args(ctx, args)))
        try:
            results = exporter.export_all(period, folder, photos=args.photos)
        except LedgerExportError as exc:
            raise InputError(str(exc)) from exc
    for result in results:
        photos = f"，照片 {result.photos} 张" if args.photos else ""
        print(f"{result.path.name}\t{result.rows} 条记录{photos}")
        for note in result.notes:
            print(f"  注意：{note}")
    print(f"共导出 {len(results)} 个台账到 {folder}")
    return EXIT_OK
