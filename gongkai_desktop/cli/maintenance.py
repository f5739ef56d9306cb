"""Maintenance commands: ``gui`` (also run when no command is given), ``backup``,
``restore-backup``, ``check``, ``selftest``.

``gui`` is listed first in ``gongkai --help`` and the others after the record commands,
hence two register functions.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop import paths
from gongkai_desktop.cli.common import EXIT_FAIL, EXIT_OK, InputError, open_ctx
from gongkai_desktop.domain.errors import DatabaseDamagedError


def register_gui(sub: Any) -> None:
    p = sub.add_parser("gui", help="打开图形界面（默认）")
    p.set_defaults(handler=cmd_gui)


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="立即备份数据库和附件")
    p.add_argument("--out", help="备份到这个文件夹（默认为数据目录下的 backups）")
    p.set_defaults(handler=cmd_backup)
    p = sub.add_parser("restore-backup", help="从备份恢复（先备份当前数据）")
    p.add_argument("path", nargs="?", help="备份文件夹或其中的 gongkai.db")
    p.add_argument(
        "--latest", action="store_true", help="用最近一份校验完好的备份恢复（数据库损坏时）"
    )
    p.set_defaults(handler=cmd_restore_backup)
    p = sub.add_parser("salvage", help="列出或导入损坏数据库中备份之后修改的记录")
    p.add_argument("folder", help="恢复时移出的损坏数据库文件夹（…-damaged）")
    p.add_argument("--import", dest="do_import", action="store_true", help="导入这些记录")
    p.set_defaults(handler=cmd_salvage)
    p = sub.add_parser("check", help="检查数据库完整性和记录是否符合表单")
    p.set_defaults(handler=cmd_check)
    p = sub.add_parser("selftest", help="在临时数据库上自检")
    p.add_argument("--no-gui", action="store_true", help="不检查图形界面部分")
    p.set_defaults(handler=cmd_selftest)


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from gongkai_desktop.app import run_gui
    except ImportError as exc:  # Qt's own libraries need system ones (GLib, GL)
        from gongkai_desktop.qt_platform import qt_import_problem

        problem = qt_import_problem(exc)
        if problem is None:
            raise
        from gongkai_desktop.logging_setup import setup_logging

        setup_logging()
        logging.getLogger(__name__).error("%s", problem)
        print(problem, file=sys.stderr)
        return 1

    return run_gui(Path(args.db) if args.db else None)


def cmd_backup(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.maintenance import backup as backup_service

    with open_ctx(args, auto_backup=False) as ctx:
        info = backup_service.create_backup(
            ctx.db_path, ctx.engine, "manual", Path(args.out) if args.out else None
        )
    print(f"备份完成：{info.path}（{info.records} 条记录）")
    return EXIT_OK


def _gongkai(args: argparse.Namespace) -> str:
    """The start of a command line that reaches the same database."""
    return f'gongkai --db "{Path(args.db).resolve()}"' if args.db else "gongkai"


def damaged_text(args: argparse.Namespace, exc: DatabaseDamagedError) -> str:
    """The damage message and the exact command that restores the backup it names."""
    from gongkai_desktop.services.maintenance import damage

    exc = damage.complete(exc)
    text = f"错误：{exc}"
    if exc.backup_path is not None:
        text += (
            "\n恢复时损坏的文件会原样移到备份文件夹中，之后会列出备份之后修改、仍可读出的记录。"
            f'\n恢复命令：{_gongkai(args)} restore-backup "{exc.backup_path}"'
        )
    return text


def cmd_restore_backup(args: argparse.Namespace) -> int:
    # The live database is not opened first: restoring must work even when it is
    # damaged or refused (e.g. written by a newer version).
    from gongkai_desktop.services.maintenance import backup as backup_service
    from gongkai_desktop.services.maintenance import damage
    from gongkai_desktop.services.startup import open_context

    db_path = Path(args.db or paths.default_db_path()).resolve()
    if bool(args.path) == bool(args.latest):
        raise InputError("请给出备份文件夹，或用 --latest 恢复最近一份校验完好的备份")
    if args.latest or (db_path.exists() and damage.is_damaged(db_path)):
        if args.latest:
            found = damage.newest_verified_backup(db_path)
        else:
            found = next(
                (b for b in backup_service.list_backups(db_path)
                 if b.path.resolve() == Path(args.path).resolve()),
                None,
            )  # fmt: skip
        if found is not None:
            outcome = damage.restore_from(db_path, found)
            open_context(db_path, auto_backup=False).close()
            print(f"已从 {found.path} 恢复。损坏的数据库文件已原样移到 {outcome.damaged_folder}")
            _print_salvaged(args, outcome.damaged_folder, outcome.salvaged)
            return EXIT_OK
        if args.latest:
            raise InputError("没有找到校验完好的备份，无法恢复。损坏的数据库文件没有被改动。")
    before = backup_service.restore_backup(db_path, Path(args.path))
    # reopen: a backup from an older version is upgraded here (after its own backup)
    open_context(db_path, auto_backup=False).close()
    print(f"已从 {args.path} 恢复。恢复前的数据已备份到 {before.path}")
    return EXIT_OK


def _print_salvaged(args: argparse.Namespace, folder: Path, salvaged: list[Any]) -> None:
    if not salvaged:
        print("损坏的文件中没有读出备份之后修改的记录。")
        return
    print(f"备份之后修改、仍可从损坏文件读出的记录 {len(salvaged)} 条：")
    for record in salvaged:
        print(f"  {record.title}（{record.form_id}，{record.updated_at:%Y-%m-%d %H:%M} 修改）")
    print(f'导入这些记录：{_gongkai(args)} salvage "{folder}" --import')


def cmd_salvage(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.maintenance import damage
    from gongkai_desktop.services.maintenance.salvage import import_salvaged

    folder = Path(args.folder)
    salvaged = damage.salvage_from_folder(folder)
    if not args.do_import:
        _print_salvaged(args, folder, salvaged)
        return EXIT_OK
    with open_ctx(args, auto_backup=False) as ctx:
        result = import_salvaged(ctx, salvaged)
    print(f"已导入 {len(result.added)} 条记录")
    for line in result.refused:
        print(f"未导入：{line}")
    return EXIT_OK if not result.refused else EXIT_FAIL


def cmd_check(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.maintenance.checks import check_database

    with open_ctx(args, auto_backup=False) as ctx:
        report = check_database(ctx)
    for line in report.lines:
        print(line)
    for problem in report.problems:
        print(f"问题：{problem}")
    print("检查通过" if report.ok else f"发现 {len(report.problems)} 个问题")
    return EXIT_OK if report.ok else EXIT_FAIL


def cmd_selftest(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.maintenance.checks import selftest

    for step in selftest():
        print(step)
    if not args.no_gui:
        from gongkai_desktop.app import gui_selftest

        for step in gui_selftest():
            print(step)
    print("自检通过")
    return EXIT_OK
