"""``gongkai notice KIND REQUEST_ID --out FILE.docx``: a 依申请公开 notice (补正告知书,
延期答复告知书, 答复书, 送达回证) over services.disclosure_notices, the same as the
record editor's 生成文书."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import EXIT_OK, InputError, open_ctx, print_json
from gongkai_desktop.services.disclosure.notice_kinds import NOTICE_KINDS

_KIND_HELP = "、".join(f"{k.name}（{k.id}）" for k in NOTICE_KINDS)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "notice", help="依申请公开文书：补正告知书、延期答复告知书、答复书、送达回证"
    )
    p.add_argument("kind", help=f"文书种类：{_KIND_HELP}")
    p.add_argument("request_id", help="依申请公开记录的编号（gongkai list disclosure_request）")
    p.add_argument("--out", required=True, help="输出的 .docx 文件")
    p.add_argument(
        "--variant",
        type=int,
        default=0,
        help="办理结果有两种答复时选第几种：予以公开 0=提供 1=已主动公开；"
        "本机关不掌握 0=信息不存在 1=不属于本机关负责公开",
    )
    p.add_argument("--delivered", help="送达回证所送达的文书（默认为最近的一份）")
    p.add_argument("--json", action="store_true", help="同时把文书内容以 JSON 输出到屏幕")
    p.set_defaults(handler=cmd_notice)


def cmd_notice(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.disclosure import notices

    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise InputError(f"--out 应为 .docx 文件，“{out.name}”不是")
    if not out.parent.is_dir():
        raise InputError(f"文件夹“{out.parent}”不存在")
    kind = notices.notice_kind(args.kind)
    with open_ctx(args) as ctx:
        notice = notices.notice_content(
            ctx, args.request_id, kind, variant=args.variant, delivered=args.delivered
        )
    notices.write_notice_docx(notice, out)
    if args.json:
        print_json(notices.notice_values(notice))
    else:
        cited = f"（依据：条例{notice.article}）" if notice.article else ""
        numbered = f"，文号{notice.number}" if notice.number else ""
        print(f"已生成{kind.name}{cited}：{out}{numbered}")
    return EXIT_OK
