"""What every command shares: exit codes, the input error, the period options, JSON in
and out, and opening the database.

Conventions shared by every command: ``--period YYYY-MM | YYYY-Qn | YYYY`` or
``--from/--to`` ISO dates (both inclusive); ``--json`` prints JSON to stdout; ``--out FILE``
writes a file whose format follows its extension. Invalid input or an unknown form exits
with code 2 and a Chinese message.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.periods import Period, parse_iso_date, parse_period, period_between

if TYPE_CHECKING:
    from gongkai_desktop.services.context import AppContext

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2

# what a sub-command binds with ``parser.set_defaults(handler=...)``
Handler = Callable[[argparse.Namespace], int]


class InputError(GongkaiError):
    """Bad command-line input (exit code 2)."""


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


@contextmanager
def open_ctx(args: argparse.Namespace, auto_backup: bool = True) -> Iterator[AppContext]:
    """``with open_ctx(args) as ctx:`` — the database of ``--db`` (or the default one),
    opened as the GUI opens it and closed when the block ends."""
    from gongkai_desktop.services.maintenance.damage import STRAY_WAL_NOTE
    from gongkai_desktop.services.startup import open_context

    with open_context(Path(args.db) if args.db else None, auto_backup=auto_backup) as ctx:
        for note in ctx.opened_notes:
            if note.startswith(STRAY_WAL_NOTE):  # the clerk must know a file was moved
                print(note, file=sys.stderr)
        yield ctx


def json_arg(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--json 不是有效的 JSON：{exc.msg}（第{exc.colno}个字符）") from None
    if not isinstance(value, dict):
        raise InputError('--json 应为一个对象，例如 \'{"name": "龙河水库"}\'')
    return value


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
