"""Command line over the same services as the GUI.

Conventions shared by every command (later issues add ledgers/export/import/report):
``--period YYYY-MM | YYYY-Qn | YYYY`` or ``--from/--to`` ISO dates (both inclusive);
``--json`` prints JSON to stdout; ``--out FILE`` writes a file whose format follows its
extension. Invalid input or an unknown form exits with code 2 and a Chinese message.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gongkai_desktop import APP_NAME, __version__, paths
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.domain.errors import (
    FormDefinitionError,
    GongkaiError,
    PeriodError,
    RecordNotFoundError,
    UnknownFormError,
    ValidationError,
)
from gongkai_desktop.domain.periods import Period, parse_iso_date, parse_period, period_between
from gongkai_desktop.logging_setup import setup_logging
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance import backup as backup_service
from gongkai_desktop.services.maintenance.checks import check_database, selftest
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2
log = logging.getLogger(__name__)


class InputError(GongkaiError):
    """Bad command-line input (exit code 2)."""


Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


def add_period_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """The shared period options: --period, or --from/--to."""
    parser.add_argument("--period", help="期间：2024-05、2024-Q2 或 2024")
    parser.add_argument("--from", dest="date_from", help="起始日期 YYYY-MM-DD（含）")
    parser.add_argument("--to", dest="date_to", help="截止日期 YYYY-MM-DD（含）")
    parser.set_defaults(period_required=required)


def period_from_args(args: argparse.Namespace) -> Period | None:
    if args.period and (args.date_from or args.date_to):
        raise InputError("--period 与 --from/--to 只能用其一")
    if args.period:
        return parse_period(args.period)
    if args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            raise InputError("--from 与 --to 必须同时给出")
        return period_between(
            parse_iso_date(args.date_from, "起始日期"), parse_iso_date(args.date_to, "截止日期")
        )
    if getattr(args, "period_required", False):
        raise InputError("请用 --period 或 --from/--to 指定期间")
    return None


def _open(args: argparse.Namespace, auto_backup: bool = True) -> AppContext:
    return open_context(Path(args.db) if args.db else None, auto_backup=auto_backup)


def _json_arg(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--json 不是有效的 JSON：{exc.msg}（第{exc.colno}个字符）") from None
    if not isinstance(value, dict):
        raise InputError('--json 应为一个对象，例如 \'{"name": "龙河水库"}\'')
    return value


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


# ---- commands -------------------------------------------------------------------------
@command("gui")
def cmd_gui(args: argparse.Namespace) -> int:
    from gongkai_desktop.app import run_gui

    return run_gui(Path(args.db) if args.db else None)


@command("forms")
def cmd_forms(args: argparse.Namespace) -> int:
    from gongkai_desktop.forms.loader import load_registry

    registry = load_registry(paths.forms_dir())
    for form in registry:
        print(f"{form.id}\t{form.title}\t{len(form.fields)}个字段")
    return EXIT_OK


@command("add")
def cmd_add(args: argparse.Namespace) -> int:
    ctx = _open(args)
    try:
        view = RecordService(ctx).create(args.form, _json_arg(args.json))
    finally:
        ctx.close()
    print(view.id)
    return EXIT_OK


def _check_form(service: RecordService, form_id: str, record_id: str) -> None:
    current = service.get(record_id)
    if current.form_id != service.registry.form(form_id).id:
        raise InputError(f"记录 {record_id} 不属于表单“{form_id}”")


@command("update")
def cmd_update(args: argparse.Namespace) -> int:
    ctx = _open(args)
    try:
        service = RecordService(ctx)
        _check_form(service, args.form, args.id)
        service.update(args.id, _json_arg(args.json))
    finally:
        ctx.close()
    print(args.id)
    return EXIT_OK


def _bin_command(action: str, done: str) -> Handler:
    """delete / restore: the same checks, then RecordService.delete or .restore."""

    def handler(args: argparse.Namespace) -> int:
        ctx = _open(args)
        try:
            service = RecordService(ctx)
            _check_form(service, args.form, args.id)
            getattr(service, action)(args.id)
        finally:
            ctx.close()
        print(f"{done}：{args.id}")
        return EXIT_OK

    return handler


cmd_delete = command("delete")(_bin_command("delete", "已移入回收站"))
cmd_restore = command("restore")(_bin_command("restore", "已从回收站恢复"))


@command("list")
def cmd_list(args: argparse.Namespace) -> int:
    ctx = _open(args)
    try:
        service = RecordService(ctx)
        form = ctx.registry.form(args.form)
        query = RecordQuery(
            form_id=form.id, deleted=args.deleted, sort_key="created_at", descending=False
        )
        after: str | None = None
        while batch := service.views(query, 500, after):
            after = batch[-1].id
            for view in batch:
                if args.json:
                    _print_json(service.export_values(view))
                else:
                    date_text = view.record_date.isoformat() if view.record_date else ""
                    print(f"{view.id}\t{view.title}\t{date_text}".rstrip())
    finally:
        ctx.close()
    return EXIT_OK


@command("backup")
def cmd_backup(args: argparse.Namespace) -> int:
    ctx = _open(args, auto_backup=False)
    try:
        info = backup_service.create_backup(
            ctx.db_path, ctx.engine, "manual", Path(args.out) if args.out else None
        )
    finally:
        ctx.close()
    print(f"备份完成：{info.path}（{info.records} 条记录）")
    return EXIT_OK


@command("restore-backup")
def cmd_restore_backup(args: argparse.Namespace) -> int:
    # The live database is not opened first: restoring must work even when it is
    # damaged or refused (e.g. written by a newer version).
    db_path = Path(args.db or paths.default_db_path()).resolve()
    before = backup_service.restore_backup(db_path, Path(args.path))
    # reopen: a backup from an older version is upgraded here (after its own backup)
    open_context(db_path, auto_backup=False).close()
    print(f"已从 {args.path} 恢复。恢复前的数据已备份到 {before.path}")
    return EXIT_OK


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    ctx = _open(args, auto_backup=False)
    try:
        report = check_database(ctx)
    finally:
        ctx.close()
    for line in report.lines:
        print(line)
    for problem in report.problems:
        print(f"问题：{problem}")
    print("检查通过" if report.ok else f"发现 {len(report.problems)} 个问题")
    return EXIT_OK if report.ok else EXIT_FAIL


@command("selftest")
def cmd_selftest(args: argparse.Namespace) -> int:
    for step in selftest():
        print(step)
    if not args.no_gui:
        from gongkai_desktop.app import gui_selftest

        for step in gui_selftest():
            print(step)
    print("自检通过")
    return EXIT_OK


# Modules of later features that add sub-commands (through EXTENSIONS and @command).
COMMAND_MODULES = (
    "gongkai_desktop.cli_ledgers",
    "gongkai_desktop.cli_import",
    "gongkai_desktop.cli_reports",
    "gongkai_desktop.cli_calendar",
    "gongkai_desktop.cli_notices",
)


def _load_command_modules() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name)


def build_parser() -> argparse.ArgumentParser:
    _load_command_modules()
    parser = argparse.ArgumentParser(prog="gongkai", description=f"{APP_NAME}（{__version__}）")
    parser.add_argument("--db", help="数据库文件（默认在用户数据目录；也可用环境变量 GONGKAI_DB）")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.add_parser("gui", help="打开图形界面（默认）")
    sub.add_parser("forms", help="列出全部表单")
    p = sub.add_parser("add", help="新建记录，输出新记录编号")
    p.add_argument("form")
    p.add_argument("--json", required=True, help="字段值，JSON 对象")
    p = sub.add_parser("update", help="修改记录的部分字段")
    p.add_argument("form")
    p.add_argument("id")
    p.add_argument("--json", required=True)
    for name, text in (("delete", "把记录移入回收站"), ("restore", "从回收站恢复记录")):
        p = sub.add_parser(name, help=text)
        p.add_argument("form")
        p.add_argument("id")
    p = sub.add_parser("list", help="列出表单的记录")
    p.add_argument("form")
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    p.add_argument("--deleted", action="store_true", help="只列出回收站中的记录")
    p = sub.add_parser("backup", help="立即备份数据库和附件")
    p.add_argument("--out", help="备份到这个文件夹（默认为数据目录下的 backups）")
    p = sub.add_parser("restore-backup", help="从备份恢复（先备份当前数据）")
    p.add_argument("path", help="备份文件夹或其中的 gongkai.db")
    sub.add_parser("check", help="检查数据库完整性和记录是否符合表单")
    p = sub.add_parser("selftest", help="在临时数据库上自检")
    p.add_argument("--no-gui", action="store_true", help="不检查图形界面部分")
    for extend in EXTENSIONS:
        extend(sub)
    return parser


# Later issues register extra sub-commands here: fn(subparsers) adds parsers,
# and @command(name) registers their handlers.
EXTENSIONS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    name = args.command or "gui"
    if not hasattr(args, "db"):
        args.db = None
    setup_logging()
    try:
        return COMMANDS[name](args)
    except (ValidationError, UnknownFormError, InputError, PeriodError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except RecordNotFoundError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except FormDefinitionError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAIL
    except GongkaiError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAIL
    except Exception as exc:
        log.exception("unexpected error in command %s", name)
        print(f"发生意外错误：{exc}。详细信息已写入日志 {paths.logs_dir()}", file=sys.stderr)
        return EXIT_FAIL
