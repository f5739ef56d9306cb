"""Report commands: ``gongkai report <kind>``. ``report`` is a group of sub-commands so
that later kinds (monthly, annual, disclosure) sit beside ``figures``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    InputError,
    add_period_arguments,
    open_ctx,
    period_from_args,
    print_json,
)
from gongkai_desktop.cli.county_status import add_townships_argument, townships_from_args
from gongkai_desktop.domain.periods import parse_iso_date

# the kinds of ``gongkai report``, in the order register adds them
REPORT_KINDS = ("figures", "monthly", "annual", "activity", "disclosure", "progress")


def register(sub: Any) -> None:
    report = sub.add_parser(
        "report",
        help="统计报表：figures 统计数字、monthly 月度小结、annual 年度报告、activity 活动开展情况、disclosure 政府信息公开工作年度报告、progress 问题整改进展",
    )
    report.set_defaults(handler=cmd_report)
    kinds = report.add_subparsers(dest="report_kind", metavar="报表")
    p = kinds.add_parser("figures", help="任意期间的统计数字（JSON）")
    add_period_arguments(p)
    p.add_argument("--json", action="store_true", help="把统计数字以 JSON 输出到屏幕")
    p.add_argument("--out", help="把统计数字写入这个 .json 文件")
    p.add_argument(
        "--by-township", action="store_true", help="县级汇总：另附各乡镇的统计数字（by_township）"
    )
    add_townships_argument(p)
    p.set_defaults(handler=cmd_report_figures)
    p = kinds.add_parser("monthly", help="月度工作小结（.pdf、.xlsx 或 .docx）")
    add_period_arguments(p)
    p.add_argument("--out", required=True, help="输出文件：.pdf、.xlsx 或 .docx")
    _add_date_argument(p)
    p.set_defaults(handler=cmd_report_monthly)
    p = kinds.add_parser("annual", help="年度生态环境保护工作情况报告（.docx 或 .xlsx）")
    p.add_argument("--year", required=True, type=_year, help="年度，例如 2024")
    p.add_argument("--out", required=True, help="输出文件：.docx 或 .xlsx")
    _add_date_argument(p)
    p.set_defaults(handler=cmd_report_annual)
    _add_activity_parser(kinds)
    _add_disclosure_parser(kinds)
    _add_progress_parser(kinds)


def _add_date_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--date",
        dest="made_on",
        type=_date,
        help="成文日期 YYYY-MM-DD，默认为期间的最后一个工作日",
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”应写作 2024-01-05") from None


def _warn(warnings: list[str]) -> None:
    """Settings the document cannot do without, said on stderr before it is written."""
    for warning in warnings:
        print(f"注意：{warning}", file=sys.stderr)


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"年度“{text}”应为四位数字，例如 2024")
    return int(text)


def _out_path(text: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(text)
    if out.suffix.lower() not in suffixes:
        raise InputError(f"--out 应为 {'、'.join(suffixes)} 文件，“{out.name}”不是")
    if not out.parent.is_dir():
        raise InputError(f"文件夹“{out.parent}”不存在")
    return out


def _write_json(path: Path, obj: Any) -> None:
    """Write beside the target, fsync, then rename: a failed write leaves the old file."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(obj, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def cmd_report_figures(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.scope import figures_by_township, scoped
    from gongkai_desktop.services.reports.figures import figures
    from gongkai_desktop.services.settings import is_county, load_settings

    period = period_from_args(args)
    assert period is not None  # required
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".json":
        raise InputError(f"--out 应为 .json 文件，“{out.name}”不是")
    with open_ctx(args, auto_backup=False) as ctx:
        codes = townships_from_args(ctx, args)
        if args.by_township:
            if not is_county(load_settings(ctx)):
                raise InputError(
                    "--by-township 只用于县级汇总的数据库（设置 → 本机用途：县级汇总）"
                )
            result = figures_by_township(ctx, period, codes)
        else:
            result = figures(scoped(ctx, codes), period)
    if out is not None:
        _write_json(out, result)
    if args.json or out is None:
        print_json(result)
    return EXIT_OK


def cmd_report_monthly(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.reports.issuing import document_warnings
    from gongkai_desktop.services.reports.monthly import monthly_summary

    period = period_from_args(args)
    assert period is not None  # required
    out = _out_path(args.out, (".pdf", ".xlsx", ".docx"))
    with open_ctx(args, auto_backup=False) as ctx:
        _warn(document_warnings(ctx, addressee=False))
        summary = monthly_summary(ctx, period, today=args.made_on)
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        from gongkai_desktop.render.monthly_pdf import write_monthly_pdf

        write_monthly_pdf(summary, out)
    elif suffix == ".xlsx":
        from gongkai_desktop.services.reports.writers.report_xlsx import write_monthly_xlsx

        write_monthly_xlsx(summary, out)
    else:
        from gongkai_desktop.services.reports.writers.monthly_docx import write_monthly_docx

        write_monthly_docx(summary, out)
    print(f"已生成：{out}")
    return EXIT_OK


def cmd_report_annual(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.reports.annual import annual_report
    from gongkai_desktop.services.reports.issuing import document_warnings

    out = _out_path(args.out, (".docx", ".xlsx"))
    with open_ctx(args, auto_backup=False) as ctx:
        # 主送机关 belongs to the 公文 (.docx); the .xlsx has no addressee line
        _warn(document_warnings(ctx, addressee=out.suffix.lower() == ".docx"))
        report = annual_report(ctx, args.year, today=args.made_on)
    if out.suffix.lower() == ".docx":
        from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx

        write_annual_docx(report, out)
    else:
        from gongkai_desktop.services.reports.writers.report_xlsx import write_annual_xlsx

        write_annual_xlsx(report, out)
    print(f"已生成：{out}")
    return EXIT_OK


def _add_activity_parser(kinds: Any) -> None:
    p = kinds.add_parser("activity", help="一次宣传活动或主题日的开展情况（.docx，附活动图片）")
    p.add_argument("--events", help="活动编号，逗号分隔（gongkai list outreach_event --json 可查）")
    add_period_arguments(p, required=False)
    p.add_argument("--type", dest="event_type", help="按期间选择时只取这一活动类型")
    p.add_argument("--search", help="按期间选择时只取含这些字词的活动")
    p.add_argument("--title", help="标题，默认按所选活动生成")
    p.add_argument("--description-file", help="工作成效文字（UTF-8 文本文件），默认按活动情况起草")
    p.add_argument("--theme", help="活动主题一节的文字，默认按活动名称和类型起草")
    p.add_argument("--date", help="成文日期 YYYY-MM-DD，默认为最后一场活动的日期")
    p.add_argument("--out", required=True, help="输出文件：.docx")
    p.set_defaults(handler=cmd_report_activity)


def _activity_event_ids(args: argparse.Namespace, ctx: Any) -> list[str]:
    from gongkai_desktop.services.reports.activity import activity_events

    period = period_from_args(args)
    if args.events is not None:
        if period is not None or args.event_type or args.search:
            raise InputError("--events 与 --period/--from/--to/--type/--search 只能用其一")
        ids = [i.strip() for i in args.events.split(",") if i.strip()]
        if not ids:
            raise InputError("--events 应为逗号分隔的活动编号")
        return ids
    if period is None:
        raise InputError("请用 --events 指定活动，或用 --period 或 --from/--to 指定期间")
    chosen = activity_events(ctx, period, args.event_type, args.search)
    if not chosen:
        raise InputError(f"{period.label}没有符合条件的宣传活动")
    return [c.id for c in chosen]


def _read_description(text: str | None) -> str | None:
    if not text:
        return None
    path = Path(text)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取工作成效文件“{path}”（{exc.strerror or exc}）") from None
    for encoding in ("utf-8-sig", "gb18030"):  # Notepad on a Chinese Windows may save GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"工作成效文件“{path.name}”不是 UTF-8 或 GBK 文本")


def cmd_report_activity(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.reports.activity import activity_summary
    from gongkai_desktop.services.reports.writers.activity_docx import write_activity_docx

    out = _out_path(args.out, (".docx",))
    description = _read_description(args.description_file)
    made_on = parse_iso_date(args.date, "成文日期") if args.date else None
    with open_ctx(args, auto_backup=False) as ctx:
        ids = _activity_event_ids(args, ctx)
        summary = activity_summary(
            ctx, ids, title=args.title, description=description, made_on=made_on, theme=args.theme
        )
    for warning in summary.warnings:  # before the file is written
        print(f"警告：{warning}", file=sys.stderr)
    write_activity_docx(summary, out)
    for missing in summary.missing_photos:
        print(f"照片文件缺失，未放入：{missing}", file=sys.stderr)
    print(f"已生成：{out}（活动{summary.figures['events']}场，照片{len(summary.photos)}张）")
    return EXIT_OK


def _add_disclosure_parser(kinds: Any) -> None:
    p = kinds.add_parser(
        "disclosure", help="政府信息公开工作年度报告（.xlsx 表格、.docx 全文或 .json）"
    )
    p.add_argument("--year", required=True, type=_year, help="年度，例如 2024")
    p.add_argument("--out", help="输出文件：.xlsx、.docx 或 .json")
    p.add_argument("--json", action="store_true", help="把报告的表格和文字以 JSON 输出到屏幕")
    p.add_argument("--strict", action="store_true", help="数据不符合勾稽关系时以退出码 1 结束")
    p.add_argument("--title", help="标题，默认为“发文机关+年度+政府信息公开工作年度报告”")
    p.add_argument("--signer", help="署名，默认为设置中的发文机关（未填时为单位名称）")
    p.add_argument("--date", help="成文日期 YYYY-MM-DD，默认为该年度最后一个工作日")
    p.set_defaults(handler=cmd_report_disclosure)


def cmd_report_disclosure(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.disclosure.report import (
        check,
        disclosure_report,
        export_warnings,
    )

    out = _out_path(args.out, (".xlsx", ".docx", ".json")) if args.out else None
    if out is None and not args.json:
        raise InputError("请用 --out 指定输出文件（.xlsx、.docx 或 .json），或用 --json 输出到屏幕")
    made_on = parse_iso_date(args.date, "成文日期") if args.date else None
    with open_ctx(args, auto_backup=False) as ctx:
        report = disclosure_report(ctx, args.year, made_on, title=args.title, signer=args.signer)
    for warning in export_warnings(report):  # before the file is written
        print(f"警告：{warning}", file=sys.stderr)
    problems = check(report)
    if out is not None:
        suffix = out.suffix.lower()
        if suffix == ".json":
            _write_json(out, report.json())
        elif suffix == ".xlsx":
            from gongkai_desktop.services.disclosure.report_xlsx import write_disclosure_xlsx

            write_disclosure_xlsx(report, out)
        else:
            from gongkai_desktop.services.disclosure.report_docx import write_disclosure_docx

            write_disclosure_docx(report, out)
    if args.json:
        print_json(report.json())
    elif out is not None:
        print(f"已生成：{out}")
    for problem in problems:
        print(f"警告：{problem}", file=sys.stderr)
    return EXIT_FAIL if problems and args.strict else EXIT_OK


def _add_progress_parser(kinds: Any) -> None:
    p = kinds.add_parser(
        "progress", help="各监管对象问题整改进展情况（.docx 公文、.xlsx 表格或 JSON）"
    )
    add_period_arguments(p)
    p.add_argument("--site-type", dest="site_type", help="只统计这一类监管对象，例如 饮用水水源地")
    p.add_argument("--out", help="输出文件：.docx 或 .xlsx")
    p.add_argument("--json", action="store_true", help="把各对象的整改进展以 JSON 输出到屏幕")
    p.set_defaults(handler=cmd_report_progress)


def cmd_report_progress(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.reports.progress import progress_report

    period = period_from_args(args)
    assert period is not None  # required
    out = _out_path(args.out, (".docx", ".xlsx")) if args.out else None
    if out is None and not args.json:
        raise InputError("请用 --out 指定输出文件（.docx 或 .xlsx），或用 --json 输出到屏幕")
    site_type = (args.site_type or "").strip()
    with open_ctx(args, auto_backup=False) as ctx:
        if site_type:
            site_form = ctx.registry.form("site")
            known = site_form.field("site_type").choices
            if site_type not in known:
                raise InputError(f"没有监管对象类型“{site_type}”，可选：{'、'.join(known)}")
        report = progress_report(ctx, period, site_type)
    if out is not None:
        if out.suffix.lower() == ".docx":
            from gongkai_desktop.services.reports.writers.progress_docx import write_progress_docx

            write_progress_docx(report, out)
        else:
            from gongkai_desktop.services.reports.writers.progress_xlsx import write_progress_xlsx

            write_progress_xlsx(report, out)
    if args.json:
        print_json(report.json())
    elif out is not None:
        print(f"已生成：{out}（{report.sentence}）")
    for note in report.notes:
        print(f"警告：{note}", file=sys.stderr)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """``gongkai report`` without a kind (each kind binds its own handler)."""
    raise InputError(f"请指定报表：{'、'.join(REPORT_KINDS)}")
