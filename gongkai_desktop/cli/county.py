"""县级汇总 commands (``gongkai county …``) and the township's ``gongkai receipt import``
and ``gongkai settings import-key``: the same services as the county pages and 设置."""

from __future__ import annotations

import argparse
from datetime import UTC
from pathlib import Path
from typing import Any

from gongkai_desktop.cli import county_status
from gongkai_desktop.cli.common import EXIT_FAIL, EXIT_OK, InputError, open_ctx, print_json


def register(sub: Any) -> None:
    county = sub.add_parser("county", help="县级汇总：乡镇与密钥、接收报送包、冲突、退回、回执")
    actions = county.add_subparsers(dest="county_action", metavar="操作", required=True)

    p = actions.add_parser("township", help="乡镇管理：添加、列出、写出密钥文件")
    towns = p.add_subparsers(dest="township_action", metavar="操作", required=True)
    q = towns.add_parser("add", help="添加乡镇（已有时更新名称和联系人，密钥不变）")
    q.add_argument("code", help="乡镇的12位统计用区划代码")
    q.add_argument("name", help="乡镇名称")
    q.add_argument("--contact", default="", help="联系人")
    q.add_argument("--phone", default="", help="联系电话")
    q.set_defaults(handler=cmd_township_add)
    q = towns.add_parser("list", help="列出全部乡镇")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(handler=cmd_township_list)
    q = towns.add_parser("key", help="写出乡镇的报送密钥文件（.gkkey），交乡镇在“设置”中导入")
    q.add_argument("code", help="乡镇的统计用区划代码")
    q.add_argument("--out", required=True, help="密钥文件，例如 龙河镇.gkkey")
    q.set_defaults(handler=cmd_township_key)

    p = actions.add_parser("receive", help="接收报送包（可一次多个），并在包旁写出回执")
    p.add_argument("packages", nargs="+", help=".gkpkg 文件")
    p.add_argument("--receipts", help="回执写到这个文件夹（默认与报送包同一文件夹）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出每个报送包的接收结果")
    p.set_defaults(handler=cmd_receive)

    p = actions.add_parser("conflicts", help="列出待处理的冲突（县级和乡镇都改过的记录）")
    p.add_argument("--all", action="store_true", help="包括已处理的")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=cmd_conflicts)
    p = actions.add_parser("resolve", help="处理一个冲突：逐个字段选择采用县级值或乡镇值")
    p.add_argument("conflict", type=int, help="冲突编号（gongkai county conflicts）")
    p.add_argument(
        "--take",
        action="append",
        default=[],
        metavar="字段=township|county",
        help="每个不一致的字段一项；township 采用乡镇报送值，county 保留县级值",
    )
    p.add_argument("--all-township", action="store_true", help="全部采用乡镇报送值")
    p.add_argument("--all-county", action="store_true", help="全部保留县级值")
    p.set_defaults(handler=cmd_resolve)

    p = actions.add_parser(
        "return", help="退回修改：给一条接收的记录写退回意见，随下一份回执发给乡镇"
    )
    p.add_argument("record_id", help="记录编号")
    p.add_argument("--note", required=True, help="退回意见，例如 第3条巡查记录缺少照片")
    p.set_defaults(handler=cmd_return)
    p = actions.add_parser("receipt", help="重新写出一个已接收报送包的回执（含此后写的退回意见）")
    p.add_argument("package", help="报送包的 SHA-256（可只写前8位）或 .gkpkg 文件")
    p.add_argument("--out", required=True, help="回执写到这个文件夹")
    p.set_defaults(handler=cmd_receipt)
    county_status.register(actions)  # 报送情况

    p = sub.add_parser("receipt", help="乡镇：导入县级回执（.gkrcpt）")
    receipt = p.add_subparsers(dest="receipt_action", metavar="操作", required=True)
    q = receipt.add_parser("import", help="导入回执：报送标记为已接收，退回的记录列入工作台")
    q.add_argument("file", help=".gkrcpt 文件")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(handler=cmd_receipt_import)


def register_settings(actions: Any) -> None:
    """``gongkai settings import-key FILE`` (added to the settings command's actions)."""
    p = actions.add_parser("import-key", help="导入县级签发的报送密钥文件（.gkkey）")
    p.add_argument("file", help=".gkkey 文件")
    p.set_defaults(handler=cmd_import_key)


def cmd_township_add(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.townships import add_township

    with open_ctx(args) as ctx:
        town = add_township(ctx, args.code, args.name, args.contact, args.phone)
    print(f"已登记：{town.name}（{town.code}）")
    return EXIT_OK


def cmd_township_list(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.townships import list_townships

    with open_ctx(args, auto_backup=False) as ctx:
        towns = list_townships(ctx)
    if args.json:
        print_json([{"code": t.code, "name": t.name, "contact": t.contact, "phone": t.phone}
                    for t in towns])  # fmt: skip
        return EXIT_OK
    for t in towns:
        print(f"{t.code}\t{t.name}\t{t.contact}\t{t.phone}")
    return EXIT_OK


def cmd_township_key(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.townships import write_township_key

    out = Path(args.out)
    with open_ctx(args, auto_backup=False) as ctx:
        info = write_township_key(ctx, args.code.strip(), out)
    print(f"已写出{info.township_name}（{info.township_code}）的报送密钥：{out}")
    print("请妥善保管：持有该文件即可以该乡镇名义报送。")
    return EXIT_OK


def _result_json(r: Any) -> dict[str, Any]:
    return {
        "file": str(r.path),
        "error": r.error,
        "package_sha256": r.package_sha256,
        "township_code": r.township_code,
        "township_name": r.township_name,
        "period": r.period,
        "records": r.records,
        "added": r.added,
        "replaced": r.replaced,
        "unchanged": r.unchanged,
        "conflicts": r.conflicts,
        "already_received": r.already_received,
        "receipt": str(r.receipt_path) if r.receipt_path else None,
        "receipt_error": r.receipt_error,
        "history_problem": r.history_problem,
    }


def cmd_receive(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.receive import receive_packages

    receipts = Path(args.receipts) if args.receipts else None
    with open_ctx(args) as ctx:
        results = receive_packages(ctx, [Path(p) for p in args.packages], receipts)
    if args.json:
        print_json([_result_json(r) for r in results])
    else:
        for r in results:
            if r.error:
                print(f"拒收  {r.path.name}：{r.error}")
                continue
            head = "已接收过" if r.already_received else "已接收"
            print(
                f"{head}  {r.township_name} {r.period}：{r.records}条记录，新增{r.added}、"
                f"更新{r.replaced}、未变{r.unchanged}、冲突{r.conflicts}"
            )
            if r.receipt_path:
                print(f"      回执：{r.receipt_path}")
            if r.receipt_error:
                print(f"      回执未写出：{r.receipt_error}")
            if r.history_problem:
                print(f"      {r.history_problem}")
    return EXIT_FAIL if any(r.error or r.receipt_error for r in results) else EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.receive import list_conflicts

    with open_ctx(args, auto_backup=False) as ctx:
        conflicts = list_conflicts(ctx, include_resolved=args.all)
    if args.json:
        print_json(
            [
                {
                    "id": c.id,
                    "township_code": c.township_code,
                    "township_name": c.township_name,
                    "record_id": c.record_id,
                    "form_id": c.form_id,
                    "title": c.title,
                    "fields": [
                        {
                            "field": f.field,
                            "label": f.label,
                            "county": f.county,
                            "township": f.township,
                        }
                        for f in c.fields
                    ],
                }
                for c in conflicts
            ]
        )
        return EXIT_OK
    if not conflicts:
        print("没有待处理的冲突。")
    for c in conflicts:
        print(f"冲突 {c.id}：{c.township_name} {c.title}（记录 {c.record_id}）")
        for f in c.fields:
            print(f"  {f.label}（{f.field}）：县级 {f.county!r}  乡镇 {f.township!r}")
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.county.receive import list_conflicts, resolve_conflict

    with open_ctx(args) as ctx:
        known = {c.id: c for c in list_conflicts(ctx)}
        conflict = known.get(args.conflict)
        if conflict is None:
            raise InputError(f"没有待处理的冲突 {args.conflict}（gongkai county conflicts 可查）")
        choices: dict[str, str] = {}
        if args.all_township or args.all_county:
            side = "township" if args.all_township else "county"
            choices = {f.field: side for f in conflict.fields}
        for item in args.take:
            key, _, side = item.partition("=")
            if side not in ("township", "county"):
                raise InputError(f"“{item}”应写作 字段=township 或 字段=county")
            choices[key.strip()] = side
        resolve_conflict(ctx, args.conflict, choices)
    print(f"冲突 {args.conflict} 已处理。")
    return EXIT_OK


def cmd_return(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.submission.receipts import add_return_note

    with open_ctx(args) as ctx:
        add_return_note(ctx, args.record_id, args.note)
    print("已记下退回意见，将随该乡镇的下一份回执发出（也可用 gongkai county receipt 立即写出）。")
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from gongkai_desktop.data.models import ReceivedPackage
    from gongkai_desktop.services.io.hashing import file_sha256
    from gongkai_desktop.services.submission.receipts import write_receipt

    wanted = args.package.strip()
    if Path(wanted).is_file():
        wanted = file_sha256(Path(wanted))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open_ctx(args) as ctx:
        with ctx.transaction() as session:
            matches = session.scalars(
                select(ReceivedPackage.package_sha256).where(
                    ReceivedPackage.package_sha256.startswith(wanted.lower())
                )
            ).all()
        if len(matches) != 1:
            raise InputError(f"找不到唯一的已接收报送包“{args.package}”。")
        path = write_receipt(ctx, matches[0], out)
    print(f"回执：{path}")
    return EXIT_OK


def cmd_receipt_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.submission.receipts import import_receipt

    with open_ctx(args) as ctx:
        view = import_receipt(ctx, Path(args.file))
    if args.json:
        print_json(
            {
                "period": view.period,
                "records": view.records,
                "accepted": view.accepted,
                "conflicts": view.conflicts,
                "returns": [
                    {"record_id": r.record_id, "title": r.title, "note": r.note}
                    for r in view.returns
                ],
            }
        )
        return EXIT_OK
    local = view.received_at.replace(tzinfo=UTC).astimezone()
    print(f"{view.period} 的报送包已于 {local:%Y-%m-%d %H:%M} 被县级接收：{view.accepted}条记录。")
    if view.conflicts:
        print(f"其中{view.conflicts}条与县级修改冲突，由县级核对处理。")
    for r in view.returns:
        print(f"退回修改：{r.title}（{r.record_id}）：{r.note}")
    return EXIT_OK


def cmd_import_key(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.submission.keys import import_key_file

    with open_ctx(args) as ctx:
        info = import_key_file(ctx, Path(args.file))
    print(f"已导入报送密钥：{info.describe()}")
    return EXIT_OK
