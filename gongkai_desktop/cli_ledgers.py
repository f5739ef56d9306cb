"""Ledger commands (台账): ``ledgers``, ``export``, ``export-all``, ``import``."""

from __future__ import annotations

import argparse
from typing import Any

from gongkai_desktop import paths
from gongkai_desktop.cli import EXIT_OK, EXTENSIONS, command
from gongkai_desktop.forms.loader import load_registry


def _add_parsers(sub: Any) -> None:
    sub.add_parser("ledgers", help="列出全部台账（编号和名称）")


@command("ledgers")
def cmd_ledgers(args: argparse.Namespace) -> int:
    registry = load_registry(paths.forms_dir())
    for ledger in registry.ledgers.values():
        print(f"{ledger.id}\t{ledger.title}")
    return EXIT_OK


EXTENSIONS.append(_add_parsers)
