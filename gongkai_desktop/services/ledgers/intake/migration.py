"""Whole-folder migration (导入旧台账): every workbook under a folder, each sheet
recognised as one of our ledgers by its header, one combined preview, then every file
imported in one transaction after one backup.

A sheet that matches no ledger (or two equally) is listed with the reason, never
guessed. Files are remembered by content hash per ledger and rows by natural key, so a
second run over the same folder adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.hashing import file_sha256
from gongkai_desktop.services.io.untrusted_files import UntrustedFileError
from gongkai_desktop.services.ledgers.intake import importer
from gongkai_desktop.services.ledgers.intake.importer import (
    ImportFileError,
    ImportPreview,
    ImportRejected,
    default_errors_path,
)
from gongkai_desktop.services.ledgers.intake.layout import HEADER_SCAN_ROWS
from gongkai_desktop.services.ledgers.intake.mapping import MappingProfile
from gongkai_desktop.services.ledgers.intake.recognise import recognise_sheet
from gongkai_desktop.services.ledgers.intake.rows import ImportCancelled
from gongkai_desktop.services.ledgers.intake.values import ValueQuestion
from gongkai_desktop.services.maintenance.backup import create_backup

SUFFIXES = (".xlsx", ".xlsm", ".xls")

FolderProgress = Callable[[str], bool]  # what is being read → False to cancel


@dataclass(frozen=True)
class SheetFinding:
    path: Path
    sheet: str
    ledger_id: str | None
    ledger_title: str
    reason: str = ""  # why no ledger was chosen

    def __str__(self) -> str:
        where = f"{self.path.name}“{self.sheet}”"
        if self.ledger_id is None:
            return f"{where}：{self.reason}"
        return f"{where} → {self.ledger_title}"


@dataclass
class FolderQuestion:
    """One spelling of one ledger's column, over every file of the folder."""

    ledger_id: str
    ledger_title: str
    question: ValueQuestion
    count: int
    files: list[str]


@dataclass
class FolderPlan:
    folder: Path
    files: list[Path] = field(default_factory=list)
    findings: list[SheetFinding] = field(default_factory=list)
    previews: list[ImportPreview] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)  # files not read, why
    decisions: dict[str, MappingProfile] = field(default_factory=dict)

    @property
    def unrecognised(self) -> list[SheetFinding]:
        return [f for f in self.findings if f.ledger_id is None]

    @property
    def to_import(self) -> list[ImportPreview]:
        return [p for p in self.previews if not p.already_imported]

    @property
    def add_count(self) -> int:
        return sum(p.add_count for p in self.to_import)

    @property
    def error_row_count(self) -> int:
        return sum(p.error_row_count for p in self.to_import)

    @property
    def has_errors(self) -> bool:
        return self.error_row_count > 0

    def questions(self) -> list[FolderQuestion]:
        """Each spelling once per ledger and column, counted over all files."""
        merged: dict[tuple[str, str, str], FolderQuestion] = {}
        for report in self.to_import:
            for q in report.questions:
                key = (report.ledger_id, q.field, q.key)
                found = merged.get(key)
                if found is None:
                    merged[key] = FolderQuestion(
                        report.ledger_id, report.ledger_title, q, q.count, [report.path.name]
                    )
                else:
                    found.count += q.count
                    if report.path.name not in found.files:
                        found.files.append(report.path.name)
        return sorted(
            merged.values(),
            key=lambda f: (not f.question.blocking, f.ledger_id, f.question.column, -f.count),
        )

    def summary(self) -> str:
        new_sites = sum(len(p.new_sites) for p in self.to_import)
        done = len(self.previews) - len(self.to_import)
        parts = [
            f"共 {len(self.files)} 个文件，识别出 {len(self.previews)} 份台账",
            f"可导入 {self.add_count} 行",
            f"重复 {sum(p.duplicate_count for p in self.to_import)} 行（将跳过）",
            f"有错误 {self.error_row_count} 行",
            f"新建待完善监管对象 {new_sites} 个",
        ]
        changed = sum(p.changed_count for p in self.to_import)
        if changed:
            # a folder import never rewrites stored records: one file at a time can
            parts.insert(3, f"内容不同 {changed} 行（将跳过，可逐个文件导入时选择更新）")
        if done:
            parts.append(f"{done} 份已导入过（不再导入）")
        if self.unrecognised:
            parts.append(f"未识别的工作表 {len(self.unrecognised)} 个")
        if self.refused:
            parts.append(f"无法读取的文件 {len(self.refused)} 个")
        return "，".join(parts)


@dataclass(frozen=True)
class FolderResult:
    written: bool
    added: int
    duplicates: int
    rejected: int
    files: int
    new_sites: tuple[str, ...] = ()
    backup_path: Path | None = None
    errors_paths: tuple[Path, ...] = ()
    message: str = ""
    changed_skipped: int = 0  # 内容不同 rows left as stored

    def summary(self) -> str:
        if not self.written:
            return self.message or "未导入任何记录（有错误行，已全部撤销）"
        changed = f"内容不同 {self.changed_skipped} 行（已跳过）；" if self.changed_skipped else ""
        return (
            f"已从 {self.files} 份台账导入 {self.added} 行；{changed}"
            f"重复 {self.duplicates} 行（已跳过）；"
            f"被拒绝 {self.rejected} 行；新建待完善监管对象 {len(self.new_sites)} 个"
        )


def workbooks_in(folder: Path) -> list[Path]:
    """Every workbook under the folder, in a stable order; Excel's lock files (~$…) and
    hidden files are left out."""
    found = [
        p
        for p in Path(folder).rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not p.name.startswith(("~$", "."))
        and not p.stem.endswith("_导入错误行")
    ]
    return sorted(found, key=lambda p: str(p.relative_to(folder)))


def _survey(ctx: AppContext, path: Path) -> list[SheetFinding]:
    _checked, source = importer.open_checked(path)
    try:
        findings = []
        for sheet in source.sheet_names:
            rows = list(source.rows(sheet, limit=HEADER_SCAN_ROWS))
            if not rows:
                continue
            found = recognise_sheet(ctx.registry, sheet, rows, context_texts=(path.stem,))
            ledger_id = found.ledger_id
            title = ctx.registry.ledger(ledger_id).title if ledger_id else ""
            findings.append(SheetFinding(path, sheet, ledger_id, title, found.reason))
        return findings
    finally:
        source.close()


def plan_folder(
    ctx: AppContext,
    folder: Path,
    decisions: Mapping[str, MappingProfile] | None = None,
    progress: FolderProgress | None = None,
) -> FolderPlan:
    """Read every workbook under ``folder`` and preview what would be imported."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFileError(f"文件夹“{folder}”不存在")
    plan = FolderPlan(folder, workbooks_in(folder), decisions=dict(decisions or {}))
    for path in plan.files:
        if progress is not None and not progress(path.name):
            raise ImportCancelled()
        try:
            findings = _survey(ctx, path)
        except (UntrustedFileError, ImportFileError, OSError) as exc:
            plan.refused.append((path, str(exc)))
            continue
        if not findings:
            plan.refused.append((path, "没有内容"))
            continue
        plan.findings += findings
        by_ledger: dict[str, list[str]] = {}
        for finding in findings:
            if finding.ledger_id is not None:
                by_ledger.setdefault(finding.ledger_id, []).append(finding.sheet)
        for ledger_id, sheets in by_ledger.items():
            try:
                report = importer.preview(
                    ctx, ledger_id, path, decisions=plan.decisions.get(ledger_id), sheets=sheets
                )
            except (UntrustedFileError, ImportFileError) as exc:
                plan.refused.append((path, str(exc)))
                continue
            plan.previews.append(report)
    return plan


def import_folder(
    ctx: AppContext,
    plan: FolderPlan,
    skip_invalid: bool = False,
    progress: FolderProgress | None = None,
) -> FolderResult:
    """Import every previewed file of the plan: one backup, one transaction. With a
    rejected row anywhere (and ``skip_invalid`` off) nothing is written and each file's
    rejected rows go to an error workbook beside it."""
    # registers first: the patrol ledgers of the folder then find their sites by name
    reports = sorted(plan.to_import, key=lambda r: ctx.registry.ledger(r.ledger_id).form != "site")
    if not reports:
        return FolderResult(False, 0, 0, 0, 0, message="没有需要导入的台账")
    backup = create_backup(ctx.db_path, ctx.engine, "import").path
    books: list[importer.ErrorBook] = []
    sources = []
    try:
        written: list[importer.Written] = []
        try:
            with ctx.transaction() as session:
                for report in reports:
                    if progress is not None and not progress(report.path.name):
                        raise ImportCancelled()
                    if file_sha256(report.path) != report.sha256:
                        raise ImportFileError(
                            f"“{report.path.name}”在预览之后被修改过，请重新预览后再导入。"
                        )
                    checked, source = importer.open_checked(report.path)
                    sources.append(source)
                    written.append(
                        importer.import_in(
                            ctx,
                            session,
                            report,
                            checked,
                            source,
                            books,
                            default_errors_path(report.path),
                            True,  # rows are counted per file; rejection is judged below
                            None,
                            plan.decisions.get(report.ledger_id),
                        )
                    )
                rejected = sum(w.fresh.error_row_count for w in written)
                if rejected and not skip_invalid:
                    raise ImportRejected("有错误的行，已全部撤销")
        except ImportRejected:
            saved = tuple(p for p, _ in (importer.save_errors(b) for b in books) if p)
            return FolderResult(
                False,
                0,
                0,
                sum(w.fresh.error_row_count for w in written),
                len(reports),
                backup_path=backup,
                errors_paths=saved,
            )
        saved = tuple(p for p, _ in (importer.save_errors(b) for b in books) if p)
        return FolderResult(
            True,
            added=sum(w.added for w in written),
            duplicates=sum(w.fresh.duplicate_count for w in written),
            rejected=sum(w.fresh.error_row_count for w in written),
            changed_skipped=sum(w.changed_skipped for w in written),
            files=len(written),
            new_sites=tuple(name for w in written for name in w.sites),
            backup_path=backup,
            errors_paths=saved,
        )
    finally:
        for book in books:
            book.discard()
        for source in sources:
            source.close()
