"""设置 commands: ``gongkai settings show [--json]`` and ``gongkai settings set KEY VALUE``
over services.settings (the same audited store as the 设置 page). Every item declared in
``SETTINGS`` can be shown and set, by its key or by its Chinese label."""

from __future__ import annotations

import argparse
from typing import Any

from gongkai_desktop.cli.common import EXIT_OK, InputError, open_ctx, print_json


def register(sub: Any) -> None:
    settings = sub.add_parser("settings", help="本单位设置（单位名称、填表人、主送机关等）")
    settings.set_defaults(handler=cmd_settings_show, json=False)
    actions = settings.add_subparsers(dest="settings_action", metavar="操作")
    p = actions.add_parser("show", help="列出全部设置项及其当前值")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（键为设置项编号）")
    p.set_defaults(handler=cmd_settings_show)
    p = actions.add_parser("set", help="修改一个设置项（值为空字符串时清空）")
    p.add_argument("key", help="设置项编号或名称，例如 unit_name 或 单位名称")
    p.add_argument("value", help="新的值")
    p.set_defaults(handler=cmd_settings_set)
    from gongkai_desktop.cli.county import register_settings

    register_settings(actions)


def cmd_settings_show(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.settings import SETTINGS, load_settings

    with open_ctx(args, auto_backup=False) as ctx:
        values = load_settings(ctx)
    if args.json:
        print_json(values)
        return EXIT_OK
    for spec in SETTINGS:
        print(f"{spec.key}\t{spec.label}\t{values[spec.key]}")
    return EXIT_OK


def cmd_settings_set(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.settings import SETTINGS, save_settings

    wanted = args.key.strip()
    spec = next((s for s in SETTINGS if wanted in (s.key, s.label)), None)
    if spec is None:
        known = "、".join(f"{s.key}（{s.label}）" for s in SETTINGS)
        raise InputError(f"没有设置项“{wanted}”。可设置的项目：{known}")
    with open_ctx(args) as ctx:
        values = save_settings(ctx, {spec.key: args.value})
    value = values[spec.key]
    print(f"已设置：{spec.label}（{spec.key}）= {value}" if value else f"已清空：{spec.label}")
    return EXIT_OK
