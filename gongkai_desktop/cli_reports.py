"""Report commands: ``gongkai report <kind>``. ``report`` is a group of sub-commands so
that later kinds (monthly, annual, disclosure) sit beside ``figures``."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from gongkai_desktop.cli import (
    EXIT_OK,
    EXTENSIONS,
    InputError,
    _open,
    _print_json,
    add_period_arguments,
    command,
    period_from_args,
)

# report kind -> handler; a later kind adds itself here and to _add_parsers
REPORT_KINDS: dict[str, Any] = {}


def _add_parsers(sub: Any) -> None:
    report = sub.add_parser("report", help="统计报表（figures：任意期间的统计数字）")
    kinds = report.add_subparsers(dest="report_kind", metavar="报表")
    p = kinds.add_parser("figures", help="任意期间的统计数字（JSON）")
    add_period_arguments(p)
    p.add_argument("--json", action="store_true", help="把统计数字以 JSON 输出到屏幕")
    p.add_argument("--out", help="把统计数字写入这个 .json 文件")


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
    from gongkai_desktop.services.report_figures import figures

    period = period_from_args(args)
    assert period is not None  # required
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".json":
        raise InputError(f"--out 应为 .json 文件，“{out.name}”不是")
    ctx = _open(args, auto_backup=False)
    try:
        result = figures(ctx, period)
    finally:
        ctx.close()
    if out is not None:
        _write_json(out, result)
    if args.json or out is None:
        _print_json(result)
    return EXIT_OK


REPORT_KINDS["figures"] = cmd_report_figures


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    kind = getattr(args, "report_kind", None)
    if kind not in REPORT_KINDS:
        raise InputError(f"请指定报表：{'、'.join(REPORT_KINDS)}")
    handler = REPORT_KINDS[kind]
    return int(handler(args))


EXTENSIONS.append(_add_parsers)
