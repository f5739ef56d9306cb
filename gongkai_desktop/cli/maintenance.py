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
from gongkai_desktop.cli.common import EXIT_FAIL, EXIT_OK, open_ctx


def register_gui(sub: Any) -> None:
    p = sub.add_parser("gui", help="打开图形界面（默认）")
    p.set_defaults(handler=cmd_gui)


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="立即备份数据库和附件")
    p.add_argument("--out", help="备份到这个文件夹（默认为数据目录下的 backups）")
    p.set_defaults(handler=cmd_backup)
    p = sub.add_parser("restore-backup", help="从备份恢复（先备份当前数据）")
    p.add_argument("path", help="备份文件夹或其中的 gongkai.db")
    p.set_defaults(handler=cmd_restore_backup)
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


def cmd_restore_backup(args: argparse.Namespace) -> int:
    # The live database is not opened first: restoring must work even when it is
    # damaged or refused (e.g. written by a newer version).
    from gongkai_desktop.services.maintenance import backup as backup_service
    from gongkai_desktop.services.startup import open_context

    db_path = Path(args.db or paths.default_db_path()).resolve()
    before = backup_service.restore_backup(db_path, Path(args.path))
    # reopen: a backup from an older version is upgraded here (after its own backup)
    open_context(db_path, auto_backup=False).close()
    print(f"已从 {args.path} 恢复。恢复前的数据已备份到 {before.path}")
    return EXIT_OK


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
