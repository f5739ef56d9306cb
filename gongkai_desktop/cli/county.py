"""County mode commands: ``gongkai county <sub-command>``."""

from __future__ import annotations

from typing import Any

from gongkai_desktop.cli import county_status


def register(sub: Any) -> None:
    county = sub.add_parser("county", help="县级汇总：报送情况等")
    commands = county.add_subparsers(dest="county_command", metavar="子命令")
    county_status.register(commands)
