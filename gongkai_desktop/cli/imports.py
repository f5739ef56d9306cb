"""``gongkai import LEDGER FILE [--dry-run] [--skip-invalid] [--errors OUT.xlsx]``.

Prints what was read and the counts of added, duplicate and rejected rows and of new
待完善 sites. Exit code 2 when rows were rejected without ``--skip-invalid`` (nothing is
then written) or when the file is refused; ``--dry-run`` exits as the import would.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import EXIT_INPUT, EXIT_OK, open_ctx
from gongkai_desktop.services.io.untrusted_files import UntrustedFileError, check_xml_defences
from gongkai_desktop.services.ledgers.intake.importer import (
    ImportFileError,
    ImportPreview,
    commit,
    preview,
)

SHOWN = 20  # errors, duplicates and warnings printed in full; the rest are counted


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="从Excel台账（.xlsx/.xls）导入记录")
    p.add_argument("ledger", help="台账编号（见 gongkai ledgers）")
    p.add_argument("file", help="要导入的 .xlsx 或 .xls 文件")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    p.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，导入其余各行")
    p.add_argument("--errors", help="把有错误的行写入这个 .xlsx 文件（默认在原文件旁）")
    p.set_defaults(handler=cmd_import)


def _print_list(title: str, items: list[Any], total: int) -> None:
    if not total:
        return
    print(f"{title}（共{total}条）：")
    for item in items[:SHOWN]:
        print(f"  {item}")
    if total > SHOWN:
        print(f"  ……另有{total - SHOWN}条")


def _print_preview(report: ImportPreview) -> None:
    first, last = report.header_rows
    header = f"第{first}行" if first == last else f"第{first}—{last}行"
    print(f"文件：{report.path.name}（工作表“{report.sheet}”，表头在{header}）")
    print(f"台账：{report.ledger_title}（{report.ledger_id}）")
    for note in report.notes:
        print(f"说明：{note}")
    if report.already_imported:
        print(report.already_imported)
    _print_list("错误行", report.errors, len(report.errors))
    if report.error_row_count and len(report.errors) < report.error_row_count:
        print(f"  有错误的行共{report.error_row_count}行")
    _print_list("重复行（跳过）", report.duplicates, report.duplicate_count)
    _print_list("提示", report.warnings, report.warning_count)
    if report.new_sites:
        names = "、".join(str(s) for s in report.new_sites[:SHOWN])
        more = f"等{len(report.new_sites)}个" if len(report.new_sites) > SHOWN else ""
        print(f"将新建待完善监管对象：{names}{more}")


def cmd_import(args: argparse.Namespace) -> int:
    check_xml_defences()
    source = Path(args.file)
    errors_path = Path(args.errors) if args.errors else None
    with open_ctx(args) as ctx:
        try:
            report = preview(
                ctx, args.ledger, source, errors_path=errors_path if args.dry_run else None
            )
        except (UntrustedFileError, ImportFileError) as exc:
            print(f"错误：{exc}")
            print("未写入任何数据。")
            return EXIT_INPUT
        _print_preview(report)
        if args.dry_run:
            print(f"试运行（未写入）：{report.summary()}")
            if report.has_errors and errors_path is not None:
                print(f"错误行已写入：{errors_path}")
            return EXIT_INPUT if report.has_errors and not args.skip_invalid else EXIT_OK
        result = commit(ctx, report, skip_invalid=args.skip_invalid, errors_path=errors_path)
    print(
        f"新增 {result.added} 行，重复 {result.duplicates} 行，被拒绝 {result.rejected} 行，"
        f"新建待完善监管对象 {len(result.new_sites)} 个"
    )
    print(result.summary())
    if result.backup_path is not None:
        print(f"导入前已备份到：{result.backup_path}")
    if result.errors_path is not None:
        print(f"错误行已写入：{result.errors_path}（修改后可重新导入）")
    elif result.errors_problem:
        print(f"注意：{result.errors_problem}")
    if result.rejected and not result.written:
        return EXIT_INPUT
    return EXIT_OK
