"""Holiday-table commands: ``gongkai calendar list|import|template|set|remove`` over
services.work_calendar (the same as 设置 → 节假日与调休)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import EXIT_OK, InputError, open_ctx

# the actions of ``gongkai calendar``, in the order register adds them
ACTIONS = ("list", "import", "template", "set", "remove")


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1900 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"年度“{text}”应为四位数字，例如 2027")
    return int(text)


def register(sub: Any) -> None:
    calendar = sub.add_parser(
        "calendar", help="本单位节假日表（放假和调休上班日期，优先于程序自带日历）"
    )
    calendar.set_defaults(handler=cmd_calendar)
    actions = calendar.add_subparsers(dest="calendar_action", metavar="操作")
    p = actions.add_parser("list", help="列出节假日表中的日期和已录入全年的年度")
    p.add_argument("--year", type=_year, help="只列出这一年")
    p.set_defaults(handler=cmd_calendar_list)
    p = actions.add_parser(
        "import", help="导入一年的安排（.xlsx：日期 | 类型 | 说明），替换该年原有日期"
    )
    p.add_argument("file", help="节假日安排的 .xlsx 文件")
    p.set_defaults(handler=cmd_calendar_import)
    p = actions.add_parser("template", help="导出某年的节假日安排模板（.xlsx），填好后再导入")
    p.add_argument("--year", required=True, type=_year, help="年度，例如 2027")
    p.add_argument("--out", required=True, help="输出的 .xlsx 文件")
    p.set_defaults(handler=cmd_calendar_template)
    p = actions.add_parser("set", help="把某一天设为休息或上班")
    p.add_argument("date", help="日期 YYYY-MM-DD")
    p.add_argument("kind", help="休息 或 上班")
    p.add_argument("--note", default="", help="说明，例如 春节、国庆节调休上班")
    p.set_defaults(handler=cmd_calendar_set)
    p = actions.add_parser("remove", help="从节假日表中删除某一天")
    p.add_argument("date", help="日期 YYYY-MM-DD")
    p.set_defaults(handler=cmd_calendar_remove)


def _date(text: str) -> date:
    from gongkai_desktop.services.records.calendar import cell_date

    day = cell_date(text)
    if day is None:
        raise InputError(f"日期“{text}”无法识别，请写成 2027-01-01")
    return day


def cmd_calendar_list(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.records import calendar as service

    with open_ctx(args) as ctx:
        entries = service.calendar_entries(ctx, args.year)
        years = service.calendar_years(ctx)
    for entry in entries:
        weekday = "一二三四五六日"[entry.day.weekday()]
        line = f"{entry.day.isoformat()}\t周{weekday}\t{entry.kind}"
        print(f"{line}\t{entry.note}" if entry.note else line)
    entered = [y for y in years if args.year is None or y.year == args.year]
    if entered:
        print("已录入全年安排：" + "、".join(f"{y.year}年（{y.days}天）" for y in entered))
    if not entries and not entered:
        print("节假日表中没有日期（按程序自带日历计算）")
    return EXIT_OK


def cmd_calendar_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.io.untrusted_files import UntrustedFileError
    from gongkai_desktop.services.records import calendar as service

    path = Path(args.file)
    with open_ctx(args) as ctx:
        try:
            result = service.import_year(ctx, path)
        except (service.CalendarError, UntrustedFileError) as exc:
            raise InputError(str(exc)) from None
    print(result.message)
    return EXIT_OK


def cmd_calendar_template(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.records import calendar as service

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"--out 应为 .xlsx 文件，“{out.name}”不是")
    if not out.parent.is_dir():
        raise InputError(f"文件夹“{out.parent}”不存在")
    count = service.export_template(out, args.year)
    print(f"已生成：{out}（{args.year}年，预填{count}天）")
    return EXIT_OK


def cmd_calendar_set(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.records import calendar as service

    day = _date(args.date)
    workday = service.parse_kind(args.kind)
    if workday is None:
        raise InputError(f"类型“{args.kind}”无法识别，应为“休息”或“上班”")
    with open_ctx(args) as ctx:
        try:
            entry = service.save_day(ctx, day, workday, args.note)
        except service.CalendarError as exc:
            raise InputError(str(exc)) from None
    print(f"已设置：{entry.day.isoformat()} {entry.kind}")
    return EXIT_OK


def cmd_calendar_remove(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.records import calendar as service

    day = _date(args.date)
    with open_ctx(args) as ctx:
        try:
            service.delete_day(ctx, day)
        except service.CalendarError as exc:
            raise InputError(str(exc)) from None
    print(f"已删除：{day.isoformat()}")
    return EXIT_OK


def cmd_calendar(args: argparse.Namespace) -> int:
    """``gongkai calendar`` without an action (each action binds its own handler)."""
    raise InputError(f"请指定操作：{'、'.join(ACTIONS)}")
