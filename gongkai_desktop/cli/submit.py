"""月末报送 commands: ``gongkai submit --period P --out DIR [--reason 检查项=理由 ...]`` writes
the month's folder onto the stick and reads it back (services.submission.close);
``gongkai submissions [--json]`` lists the packages written and the records sent back
(services.submission.status)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gongkai_desktop.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    InputError,
    open_ctx,
    print_json,
)
from gongkai_desktop.domain.periods import parse_period


def register(sub: Any) -> None:
    p = sub.add_parser(
        "submit",
        help="月末报送：检查后把本月全部台账、月度小结和报送包写入文件夹（如U盘）并校验",
    )
    p.add_argument("--period", required=True, help="报送的月份，例如 2026-11")
    p.add_argument("--out", required=True, help="写入的文件夹（如U盘），其中建立“单位_期间_报送”")
    p.add_argument(
        "--reason",
        action="append",
        default=[],
        metavar="检查项=理由",
        help="未通过的检查项的说明（检查项写编号或名称），每项一个 --reason",
    )
    p.set_defaults(handler=cmd_submit)
    p = sub.add_parser("submissions", help="已生成的报送包（是否已接收）和县级退回待改的记录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=cmd_submissions)


def _reasons(given: list[str]) -> dict[str, str]:
    from gongkai_desktop.services.submission.close import CHECK_TITLES

    by_name = {**{k: k for k in CHECK_TITLES}, **{t: k for k, t in CHECK_TITLES.items()}}
    reasons: dict[str, str] = {}
    for text in given:
        name, sep, reason = text.partition("=")
        key = by_name.get(name.strip())
        if not sep or not reason.strip():
            raise InputError(
                f"--reason “{text}”应写作 检查项=理由，例如 tasks_overdue=已报县局延期"
            )
        if key is None:
            known = "、".join(f"{k}（{t}）" for k, t in CHECK_TITLES.items())
            raise InputError(f"没有检查项“{name.strip()}”。检查项：{known}")
        reasons[key] = reason.strip()
    return reasons


def cmd_submit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gongkai_desktop.render.monthly_pdf import monthly_pdf_bytes
    from gongkai_desktop.services.submission.close import (
        CloseError,
        close_checks,
        require_month,
        run_close,
        unexplained,
    )

    period = parse_period(args.period)
    try:
        require_month(period)
    except CloseError as exc:
        raise InputError(str(exc)) from None
    reasons = _reasons(args.reason)
    out = Path(args.out)
    with open_ctx(args) as ctx:
        checks = close_checks(ctx, period)
        print(f"报送前检查（{period.label}）：")
        for check in checks:
            if check.passed:
                print(f"  [通过] {check.title}：无")
                continue
            print(f"  [未通过] {check.title}（{check.key}）：{len(check.items)}项")
            for item in check.items:
                print(f"      - {item.text}")
            if reasons.get(check.key):
                print(f"      说明：{reasons[check.key]}")
        missing = unexplained(checks, reasons)
        if missing:
            names = "；".join(f"{c.title}（{c.key}）" for c in missing)
            raise InputError(
                f"以下检查未通过，须说明理由后才能报送：{names}。"
                "请用 --reason 检查项=理由 逐项说明，或先处理后再报送。"
            )
        result = run_close(ctx, period, out, reasons, monthly_pdf=monthly_pdf_bytes)
    print(f"报送文件夹：{result.folder}")
    for file in result.files:
        mark = "已校验" if file.verified else "校验未通过"
        print(f"  {mark}  {file.name}（{_size(file.size)}）")
    if not result.verified:
        names = "、".join(f.name for f in result.failed)
        print(
            f"错误：{names} 写入U盘后读回的内容与生成的不一致，U盘可能有故障。"
            "报送文件夹未保留，请换一个U盘重新报送。",
            file=sys.stderr,
        )
        return EXIT_FAIL
    print(f"共 {len(result.files)} 个文件，报送包含 {result.record_count} 条记录，均已校验。")
    print("可以拔出U盘。")
    return EXIT_OK


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def cmd_submissions(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.submission.status import open_returns, submissions

    with open_ctx(args, auto_backup=False) as ctx:
        sent = submissions(ctx)
        returned = open_returns(ctx)
    if args.json:
        print_json(
            {"submissions": [s.json() for s in sent], "returned": [r.json() for r in returned]}
        )
        return EXIT_OK
    print("报送记录：" if sent else "报送记录：尚未生成报送包")
    for row in sent:
        print(
            f"  {row.period_label}\t生成于 {row.created_at:%Y-%m-%d %H:%M}\t"
            f"{row.record_count} 条记录\t{row.state_text}"
        )
    print("县级退回的记录：" if returned else "县级退回的记录：无")
    for back in returned:
        print(
            f"  {back.state}\t{back.record_title or back.record_id}\t"
            f"退回于 {back.returned_at:%Y-%m-%d}\t{back.note}"
        )
    return EXIT_OK
