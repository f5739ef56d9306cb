"""Record commands: ``forms``, ``add``, ``update``, ``delete``, ``restore``, ``list`` —
the same RecordService as the GUI's record pages."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from gongkai_desktop import paths
from gongkai_desktop.cli.common import (
    EXIT_OK,
    Handler,
    InputError,
    json_arg,
    open_ctx,
    print_json,
)

if TYPE_CHECKING:
    from gongkai_desktop.services.records.service import RecordService


def register(sub: Any) -> None:
    p = sub.add_parser("forms", help="列出全部表单")
    p.set_defaults(handler=cmd_forms)
    p = sub.add_parser("add", help="新建记录，输出新记录编号")
    p.add_argument("form")
    p.add_argument("--json", required=True, help="字段值，JSON 对象")
    p.set_defaults(handler=cmd_add)
    p = sub.add_parser("update", help="修改记录的部分字段")
    p.add_argument("form")
    p.add_argument("id")
    p.add_argument("--json", required=True)
    p.set_defaults(handler=cmd_update)
    for name, text, handler in (
        ("delete", "把记录移入回收站", cmd_delete),
        ("restore", "从回收站恢复记录", cmd_restore),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("form")
        p.add_argument("id")
        p.set_defaults(handler=handler)
    p = sub.add_parser("list", help="列出表单的记录")
    p.add_argument("form")
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    p.add_argument("--deleted", action="store_true", help="只列出回收站中的记录")
    p.set_defaults(handler=cmd_list)


def cmd_forms(args: argparse.Namespace) -> int:
    from gongkai_desktop.forms.loader import load_registry

    registry = load_registry(paths.forms_dir(), cache_dir=paths.cache_dir())
    for form in registry:
        print(f"{form.id}\t{form.title}\t{len(form.fields)}个字段")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.records.service import RecordService

    with open_ctx(args) as ctx:
        view = RecordService(ctx).create(args.form, json_arg(args.json))
    print(view.id)
    return EXIT_OK


def _check_form(service: RecordService, form_id: str, record_id: str) -> None:
    current = service.get(record_id)
    if current.form_id != service.registry.form(form_id).id:
        raise InputError(f"记录 {record_id} 不属于表单“{form_id}”")


def cmd_update(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.records.service import RecordService

    with open_ctx(args) as ctx:
        service = RecordService(ctx)
        _check_form(service, args.form, args.id)
        service.update(args.id, json_arg(args.json))
    print(args.id)
    return EXIT_OK


def _bin_command(action: str, done: str) -> Handler:
    """delete / restore: the same checks, then RecordService.delete or .restore."""

    def handler(args: argparse.Namespace) -> int:
        from gongkai_desktop.services.records.service import RecordService

        with open_ctx(args) as ctx:
            service = RecordService(ctx)
            _check_form(service, args.form, args.id)
            getattr(service, action)(args.id)
        print(f"{done}：{args.id}")
        return EXIT_OK

    return handler


cmd_delete = _bin_command("delete", "已移入回收站")
cmd_restore = _bin_command("restore", "已从回收站恢复")


def cmd_list(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.records.service import RecordQuery, RecordService

    with open_ctx(args) as ctx:
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
                    print_json(service.export_values(view))
                else:
                    date_text = view.record_date.isoformat() if view.record_date else ""
                    print(f"{view.id}\t{view.title}\t{date_text}".rstrip())
    return EXIT_OK
