"""``gongkai check`` and ``gongkai selftest``: is this installation and database sound?"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from gongkai_desktop.data import migrate, repository
from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.untrusted_files import check_xml_defences
from gongkai_desktop.services.maintenance import damage
from gongkai_desktop.services.maintenance.tamper import verify_audit_chain, verify_record_checksums
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_damage(ctx: AppContext) -> None:
    """``PRAGMA integrity_check`` first: a damaged file raises DatabaseDamagedError
    (naming the newest verified backup) instead of a list of SQLite's own findings."""
    damage.integrity_check(ctx.db_path)


def check_database(ctx: AppContext) -> CheckReport:
    check_damage(ctx)
    report = CheckReport()
    report.lines.append(f"数据库：{ctx.db_path}")
    report.lines.append(
        f"表单 {len(ctx.registry.forms)} 个，台账 {len(ctx.registry.ledgers)} 个，均已通过校验"
    )
    current, head = migrate.current_revision(ctx.engine), migrate.head_revision()
    report.lines.append(f"数据库结构版本：{current}（最新 {head}）")
    if current != head:
        report.problems.append("数据库结构不是最新版本")
    service = RecordService(ctx)
    with ctx.reading() as session:
        live = repository.counts_by_form(session)
        deleted = repository.counts_by_form(session, deleted=True)
        for form in ctx.registry:
            report.lines.append(
                f"{form.title}：{live.get(form.id, 0)} 条（回收站 {deleted.get(form.id, 0)} 条）"
            )
        for form_id in sorted(set(live) - set(ctx.registry.forms)):
            report.problems.append(f"数据库中有 {live[form_id]} 条记录属于未定义的表单“{form_id}”")
        # Records must still satisfy their form files (these may have been edited).
        stmt = select(Record).where(Record.deleted.is_(False))
        rows = session.scalars(stmt).yield_per(1000)
        for row, row_form, err in service.rule_problems(session, rows):
            report.problems.append(f"{row_form.title}“{row.title}”（{row.id}）：{err}")
    # tamper evidence (migration 0009): the audit chain, its triggers, record checksums
    tampered = verify_audit_chain(ctx) + verify_record_checksums(ctx)
    report.problems += tampered
    if not tampered:
        report.lines.append("修改记录防篡改校验与记录校验值：未发现改动")
    return report


def selftest() -> list[str]:
    """Open a temporary database, load every form and ledger, save and read a record."""
    steps: list[str] = []
    check_xml_defences()  # a bundle without defusedxml must fail here, not on a user's file
    with tempfile.TemporaryDirectory(prefix="gongkai-selftest-") as tmp:
        ctx = open_context(Path(tmp) / "selftest.db", auto_backup=False)
        try:
            steps.append(
                f"表单 {len(ctx.registry.forms)} 个、台账 {len(ctx.registry.ledgers)} 个加载成功"
            )
            steps.append(f"数据库结构升级到 {migrate.current_revision(ctx.engine)}")
            service = RecordService(ctx)
            made = service.create(
                "site",
                {
                    "site_type": "饮用水水源地",
                    "name": "自检水源地",
                    "village": "自检村",
                    "patrol_times": 2,
                },
            )
            back = service.get(made.id)
            if back.values != made.values or back.title != "自检水源地":
                raise GongkaiError("自检失败：读回的记录与保存的不一致")
            if not service.history(made.id):
                raise GongkaiError("自检失败：没有写入修改记录")
            steps.append("保存并读回记录成功")
            steps.append(_selftest_files(ctx, Path(tmp), made.id))
            steps.append(_selftest_report(ctx, Path(tmp)))
        finally:
            ctx.close()
    steps.append("Excel 文件安全解析（defusedxml）已启用")
    return steps


def _selftest_files(ctx: AppContext, tmp: Path, site_id: str) -> str:
    """The bundled file libraries work: a photo through Pillow, a ledger through
    openpyxl, and that ledger read back."""
    import openpyxl
    from PIL import Image

    from gongkai_desktop.domain.periods import parse_period
    from gongkai_desktop.services.ledgers.export import LedgerExporter
    from gongkai_desktop.services.records.attachments import attach_photo

    picture = tmp / "自检照片.png"
    Image.new("RGB", (32, 24), (40, 120, 80)).save(picture)
    photo = attach_photo(ctx, picture, "自检")
    service = RecordService(ctx)
    service.create(
        "inspection",
        {
            "inspection_type": "饮用水水源地巡查",
            "site": site_id,
            "inspectors": "自检员",
            "photos": [photo],
        },
    )
    out = tmp / "自检台账.xlsx"
    today = date.today()
    LedgerExporter(ctx).export("water_source_patrol", parse_period(f"{today:%Y-%m}"), out)
    book = openpyxl.load_workbook(out, read_only=True)
    try:  # a read-only workbook keeps its file open until closed
        sheet = book.active  # None only for a workbook without sheets: then no record
        rows = sheet.iter_rows(values_only=True) if sheet is not None else ()
        texts = [c for row in rows for c in row if c]
    finally:
        book.close()
    if "自检水源地" not in texts:
        raise GongkaiError("自检失败：导出的台账中没有自检记录")
    return "照片附件与台账导出、读回成功"


def _selftest_report(ctx: AppContext, tmp: Path) -> str:
    """An annual report in the official format, written and read back (python-docx and
    its bundled template)."""
    import docx

    from gongkai_desktop.services.reports.annual import annual_report
    from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx

    out = tmp / "自检年度报告.docx"
    write_annual_docx(annual_report(ctx, date.today().year), out)
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    if "一、工作开展情况" not in text:
        raise GongkaiError("自检失败：生成的年度报告中没有“一、工作开展情况”")
    return "年度报告 Word 文件生成并读回成功"
