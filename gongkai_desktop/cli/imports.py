"""``gongkai import``, ``gongkai migrate`` and ``gongkai mapping``.

``import LEDGER FILE [--dry-run] [--skip-invalid] [--update-changed] [--errors OUT.xlsx]
[--column 表头=字段] [--mapping FILE.yaml] [--mapping-out FILE.yaml]`` prints what was read,
the spellings of choice columns that are not labels (each once, with its count and the
suggested reading), problems grouped by column, the 内容不同 rows (natural key in the
database, other cells differ: skipped unless ``--update-changed``) and the counts of added,
updated, duplicate and rejected rows. Exit
code 2 when rows were rejected without ``--skip-invalid`` (nothing is then written) or when
the file is refused; ``--dry-run`` exits as the import would.

``migrate DIR [--dry-run] [--skip-invalid] [--mapping FILE.yaml ...]`` does the same for
every workbook under a folder, in one transaction. ``mapping show|export|import`` reads and
writes a ledger's saved mapping profile.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai_desktop.cli.common import EXIT_INPUT, EXIT_OK, InputError, open_ctx

if TYPE_CHECKING:
    from gongkai_desktop.services.context import AppContext
    from gongkai_desktop.services.ledgers.intake.importer import ImportPreview
    from gongkai_desktop.services.ledgers.intake.mapping import MappingProfile
    from gongkai_desktop.services.ledgers.intake.migration import FolderPlan

SHOWN = 20  # errors, duplicates and warnings printed in full; the rest are counted


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="从Excel台账（.xlsx/.xls）导入记录")
    p.add_argument("ledger", help="台账编号（见 gongkai ledgers）")
    p.add_argument("file", help="要导入的 .xlsx 或 .xls 文件")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    p.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，导入其余各行")
    p.add_argument(
        "--update-changed",
        action="store_true",
        help="数据库中已有、但内容不同的行：用表格中的内容更新记录（默认跳过）",
    )
    p.add_argument("--errors", help="把有错误的行写入这个 .xlsx 文件（默认在原文件旁）")
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="表头=字段",
        help="把表格中未识别的列指定为台账的列（字段名或列名），可重复",
    )
    p.add_argument("--mapping", help="按这个对照表（.yaml）读取选项的写法和列")
    p.add_argument(
        "--mapping-out", help="把对照表（已保存的、建议的和待指定的写法）写入这个 .yaml 文件"
    )
    p.set_defaults(handler=cmd_import)

    m = sub.add_parser("migrate", help="导入一个文件夹中的全部旧台账（识别每个工作表属于哪个台账）")
    m.add_argument("folder", help="存放旧台账的文件夹（含子文件夹）")
    m.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    m.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，导入其余各行")
    m.add_argument(
        "--mapping", action="append", default=[], help="某个台账的对照表（.yaml），可重复"
    )
    m.set_defaults(handler=cmd_migrate)

    mp = sub.add_parser("mapping", help="查看、导出或导入台账的写法对照表")
    msub = mp.add_subparsers(dest="mapping_command", metavar="操作", required=True)
    show = msub.add_parser("show", help="列出一个台账已保存的对照")
    show.add_argument("ledger", help="台账编号")
    show.set_defaults(handler=cmd_mapping_show)
    export = msub.add_parser("export", help="把一个台账已保存的对照写入 .yaml 文件")
    export.add_argument("ledger", help="台账编号")
    export.add_argument("out", help="输出的 .yaml 文件")
    export.set_defaults(handler=cmd_mapping_export)
    load = msub.add_parser("import", help="把 .yaml 对照表保存为台账的对照（记入操作日志）")
    load.add_argument("ledger", help="台账编号")
    load.add_argument("file", help=".yaml 对照表")
    load.set_defaults(handler=cmd_mapping_import)


def _print_list(title: str, items: Sequence[Any], total: int) -> None:
    if not total:
        return
    print(f"{title}（共{total}条）：")
    for item in items[:SHOWN]:
        print(f"  {item}")
    if total > SHOWN:
        print(f"  ……另有{total - SHOWN}条")


def _print_questions(report: ImportPreview) -> None:
    suggested = [q for q in report.questions if not q.blocking]
    blocking = report.blocking
    if blocking:
        print(f"不认识的写法（共{len(blocking)}种，请用 --mapping 对照表指定或跳过）：")
        for q in blocking[:SHOWN]:
            print(f"  {q}")
    if suggested:
        print(f"按建议读取的写法（共{len(suggested)}种，导入后保存为对照）：")
        for q in suggested[:SHOWN]:
            print(f"  {q}")


def _print_preview(report: ImportPreview) -> None:
    first, last = report.header_rows
    header = f"第{first}行" if first == last else f"第{first}—{last}行"
    sheets = "、".join(f"“{s}”" for s in report.sheets)
    print(f"文件：{report.path.name}（工作表{sheets}，表头在{header}）")
    print(f"台账：{report.ledger_title}（{report.ledger_id}）")
    for note in report.notes:
        print(f"说明：{note}")
    if report.already_imported:
        print(report.already_imported)
    _print_questions(report)
    if report.groups:
        print("问题汇总：")
        for group in report.groups:
            print(f"  {group}")
    _print_list("错误行", report.errors, len(report.errors))
    if report.error_row_count and len(report.errors) < report.error_row_count:
        print(f"  有错误的行共{report.error_row_count}行")
    _print_list(
        "内容不同的行（默认跳过，--update-changed 更新）", report.changed, report.changed_count
    )
    _print_list("重复行（跳过）", report.duplicates, report.duplicate_count)
    _print_list("提示", report.warnings, report.warning_count)
    if report.new_sites:
        names = "、".join(str(s) for s in report.new_sites[:SHOWN])
        more = f"等{len(report.new_sites)}个" if len(report.new_sites) > SHOWN else ""
        print(f"将新建待完善监管对象：{names}{more}")


def _decisions(ctx: AppContext, args: argparse.Namespace) -> MappingProfile:
    from gongkai_desktop.services.ledgers.intake.mapping import MappingProfile, read_profile_file

    ledger = ctx.registry.ledger(args.ledger)
    profile = MappingProfile(ledger.id)
    if args.mapping:
        profile, _pending = read_profile_file(Path(args.mapping), ledger, ctx.registry)
    for item in args.column:
        header, sep, target = item.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise InputError(f"--column 应写作 表头=字段，而不是“{item}”")
        column = next((c for c in ledger.columns if target.strip() in (c.field, c.label)), None)
        if column is None:
            raise InputError(f"--column：“{target}”不是台账“{ledger.title}”的列")
        profile.columns[header.strip()] = column.field
    return profile


def _write_mapping_out(ctx: AppContext, report: ImportPreview, out: Path) -> None:
    from gongkai_desktop.services.ledgers.intake.mapping import (
        load_profile,
        profile_to_yaml,
        write_profile_file,
    )

    ledger = ctx.registry.ledger(report.ledger_id)
    with ctx.transaction() as session:
        profile = load_profile(session, ledger.id).merged(report.decisions)
    pending = {}
    for q in report.questions:
        decision = q.suggested()
        if decision is None:
            pending[(q.field, q.key)] = q.text
        else:
            profile.decide(q.field, q.text, decision)
    write_profile_file(out, profile_to_yaml(profile, ledger, pending))
    print(f"对照表已写入：{out}（填好后用 --mapping 再次导入）")


def cmd_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.io.untrusted_files import UntrustedFileError, check_xml_defences
    from gongkai_desktop.services.ledgers.intake.importer import ImportFileError, commit, preview
    from gongkai_desktop.services.ledgers.intake.mapping import MappingFileError

    check_xml_defences()
    source = Path(args.file)
    errors_path = Path(args.errors) if args.errors else None
    with open_ctx(args) as ctx:
        try:
            decisions = _decisions(ctx, args)
            report = preview(
                ctx,
                args.ledger,
                source,
                errors_path=errors_path if args.dry_run else None,
                decisions=decisions,
            )
        except (UntrustedFileError, ImportFileError, MappingFileError) as exc:
            print(f"错误：{exc}")
            print("未写入任何数据。")
            return EXIT_INPUT
        _print_preview(report)
        if args.mapping_out:
            _write_mapping_out(ctx, report, Path(args.mapping_out))
        if args.dry_run:
            print(f"试运行（未写入）：{report.summary()}")
            if report.has_errors and errors_path is not None:
                print(f"错误行已写入：{errors_path}")
            return EXIT_INPUT if report.has_errors and not args.skip_invalid else EXIT_OK
        result = commit(
            ctx,
            report,
            skip_invalid=args.skip_invalid,
            errors_path=errors_path,
            update_changed=args.update_changed,
        )
    if not result.already_imported:
        changed = (
            f"；内容不同：更新 {result.updated} 行，跳过 {result.changed_skipped} 行"
            if result.updated or result.changed_skipped
            else ""
        )
        print(
            f"新增 {result.added} 行，重复 {result.duplicates} 行，被拒绝 {result.rejected} 行，"
            f"新建待完善监管对象 {len(result.new_sites)} 个{changed}"
        )
    print(result.summary())
    if result.backup_path is not None:
        print(f"导入前已备份到：{result.backup_path}")
    if result.errors_path is not None:
        print(f"错误行已写入：{result.errors_path}（修改后可重新导入）")
    elif result.errors_problem:
        print(f"注意：{result.errors_problem}")
    if result.rejected and not result.written:
        return EXIT_INPUT
    return EXIT_OK


def _print_plan(plan: FolderPlan) -> None:
    print(f"文件夹：{plan.folder}")
    for report in plan.previews:
        sheets = "、".join(f"“{s}”" for s in report.sheets)
        state = "已导入过，跳过" if report.already_imported else report.summary()
        print(
            f"  {report.path.relative_to(plan.folder)} 工作表{sheets} → {report.ledger_title}：{state}"
        )
    if plan.unrecognised:
        print("未识别的工作表（不导入）：")
        for finding in plan.unrecognised:
            print(f"  {finding.path.relative_to(plan.folder)}“{finding.sheet}”：{finding.reason}")
    for path, reason in plan.refused:
        print(f"无法读取：{path.relative_to(plan.folder)}：{reason}")
    questions = plan.questions()
    if questions:
        print("选项的写法（每种一行）：")
        for fq in questions[: SHOWN * 2]:
            files = "、".join(fq.files[:3]) + ("等" if len(fq.files) > 3 else "")
            q = fq.question
            decision = q.suggested()
            reading = (
                f"按“{decision.shown()}”导入"
                if decision is not None
                else "不认识，请用 --mapping 对照表指定"
            )
            print(f"  {fq.ledger_title}·{q.label}：“{q.text}”×{fq.count}（{files}）：{reading}")
    for report in plan.to_import:
        for group in report.groups:
            print(f"  {report.path.name}：{group}")
    print(plan.summary())


def cmd_migrate(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.io.untrusted_files import check_xml_defences
    from gongkai_desktop.services.ledgers.intake.importer import ImportFileError
    from gongkai_desktop.services.ledgers.intake.mapping import (
        MappingFileError,
        ledger_of_file,
        read_profile_file,
    )
    from gongkai_desktop.services.ledgers.intake.migration import import_folder, plan_folder

    check_xml_defences()
    with open_ctx(args) as ctx:
        decisions: dict[str, MappingProfile] = {}
        try:
            for name in args.mapping:
                ledger_id = ledger_of_file(Path(name))
                if ledger_id not in ctx.registry.ledgers:
                    raise MappingFileError(f"对照表“{Path(name).name}”没有写明所属台账（ledger:）")
                ledger = ctx.registry.ledger(ledger_id)
                decisions[ledger.id], _ = read_profile_file(Path(name), ledger, ctx.registry)
            plan = plan_folder(ctx, Path(args.folder), decisions)
        except (ImportFileError, MappingFileError, OSError) as exc:
            print(f"错误：{exc}")
            print("未写入任何数据。")
            return EXIT_INPUT
        _print_plan(plan)
        if args.dry_run:
            print("试运行（未写入）。")
            return EXIT_INPUT if plan.has_errors and not args.skip_invalid else EXIT_OK
        result = import_folder(ctx, plan, skip_invalid=args.skip_invalid)
    print(result.summary())
    if result.backup_path is not None:
        print(f"导入前已备份到：{result.backup_path}")
    for path in result.errors_paths:
        print(f"错误行已写入：{path}（修改后可重新导入）")
    if result.rejected and not result.written:
        return EXIT_INPUT
    return EXIT_OK


def cmd_mapping_show(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.ledgers.intake.mapping import load_profile

    with open_ctx(args) as ctx:
        ledger = ctx.registry.ledger(args.ledger)
        with ctx.transaction() as session:
            profile = load_profile(session, ledger.id)
    form_labels = {c.field: c.label for c in ledger.columns}
    if not profile:
        print(f"台账“{ledger.title}”还没有保存的对照。")
        return EXIT_OK
    for header, field_key in profile.columns.items():
        print(f"列：{header} → {form_labels.get(field_key, field_key)}")
    for (field_key, source), decision in sorted(profile.values.items()):
        text = profile.texts.get((field_key, source), source)
        print(f"{form_labels.get(field_key, field_key)}：{text} → {decision.shown()}")
    return EXIT_OK


def cmd_mapping_export(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.io.file_output import ExportError
    from gongkai_desktop.services.ledgers.intake.mapping import (
        load_profile,
        profile_to_yaml,
        write_profile_file,
    )

    with open_ctx(args) as ctx:
        ledger = ctx.registry.ledger(args.ledger)
        with ctx.transaction() as session:
            profile = load_profile(session, ledger.id)
    try:
        write_profile_file(Path(args.out), profile_to_yaml(profile, ledger))
    except ExportError as exc:
        print(f"错误：{exc}")
        return EXIT_INPUT
    print(f"已导出 {len(profile.values) + len(profile.columns)} 条对照到：{args.out}")
    return EXIT_OK


def cmd_mapping_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.services.ledgers.intake.mapping import (
        MappingFileError,
        read_profile_file,
        save_profile,
    )

    with open_ctx(args) as ctx:
        ledger = ctx.registry.ledger(args.ledger)
        try:
            profile, pending = read_profile_file(Path(args.file), ledger, ctx.registry)
        except MappingFileError as exc:
            print(f"错误：{exc}")
            print("未写入任何数据。")
            return EXIT_INPUT
        with ctx.transaction() as session:
            changed = save_profile(session, profile, ctx.identity(session))
    print(
        f"已保存 {changed} 条新的或改变的对照（共 {len(profile.values) + len(profile.columns)} 条）"
    )
    if pending:
        print(f"另有 {len(pending)} 种写法没有指定选项，未保存")
    return EXIT_OK
