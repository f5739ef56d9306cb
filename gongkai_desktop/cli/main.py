"""Command line over the same services as the GUI: the parser and the exit codes.

Each line of work's module adds its sub-commands in ``register(subparsers)`` and binds
each one's handler with ``parser.set_defaults(handler=...)``; the conventions they share
are in cli.common. No command opens the GUI.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gongkai_desktop import APP_NAME, __version__, paths
from gongkai_desktop.cli import (
    calendar,
    county,
    imports,
    ledgers,
    maintenance,
    notices,
    records,
    reports,
    settings,
    submit,
)
from gongkai_desktop.cli.common import EXIT_FAIL, EXIT_INPUT, Handler, InputError
from gongkai_desktop.domain.errors import (
    DatabaseDamagedError,
    FormDefinitionError,
    GongkaiError,
    PeriodError,
    RecordNotFoundError,
    UnknownFormError,
    ValidationError,
)
from gongkai_desktop.logging_setup import setup_logging

log = logging.getLogger(__name__)

# in the order of ``gongkai --help``
REGISTER: tuple[Callable[[Any], None], ...] = (
    maintenance.register_gui,
    records.register,
    maintenance.register,
    ledgers.register,
    imports.register,
    reports.register,
    calendar.register,
    notices.register,
    settings.register,
    submit.register,
    county.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongkai", description=f"{APP_NAME}（{__version__}）")
    parser.add_argument("--db", help="数据库文件（默认在用户数据目录；也可用环境变量 GONGKAI_DB）")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for register in REGISTER:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    name = args.command or "gui"
    handler: Handler = getattr(args, "handler", maintenance.cmd_gui)
    if not hasattr(args, "db"):
        args.db = None
    setup_logging()
    try:
        return handler(args)
    except (ValidationError, UnknownFormError, InputError, PeriodError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except RecordNotFoundError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except FormDefinitionError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAIL
    except DatabaseDamagedError as exc:
        print(maintenance.damaged_text(args, exc), file=sys.stderr)
        return EXIT_FAIL
    except GongkaiError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAIL
    except Exception as exc:
        from gongkai_desktop.services.maintenance.damage import is_damage_error

        if is_damage_error(exc) and not isinstance(exc, GongkaiError):
            db = Path(args.db or paths.default_db_path()).resolve()
            damaged = DatabaseDamagedError(db, f"{type(exc).__name__}: {exc}")
            print(maintenance.damaged_text(args, damaged), file=sys.stderr)
            return EXIT_FAIL
        log.exception("unexpected error in command %s", name)
        print(f"发生意外错误：{exc}。详细信息已写入日志 {paths.logs_dir()}", file=sys.stderr)
        return EXIT_FAIL
