"""月末报送 (month-end close): the checks before a month is handed upward, then every file
of it written onto the USB stick and read back.

``close_checks`` lists what the county would ask about (records that break their form's
rules, 待完善 sites, overdue rectification tasks and 依申请公开 replies, patrols missing in
the month); each is reused from where the 工作台, the reports and ``gongkai check`` compute
it. A failing check is passed only with the clerk's reason, which goes into the folder as
报送说明.txt and into the audit log.

``run_close`` makes every file first on the local disk (the ledgers, the 月度工作小结 as
.docx and .pdf, 报送说明.txt), hashing each; then copies them into a hidden folder on the
stick (each through a temporary name, fsynced and renamed), builds the 报送包 there, and
reads every file back from the stick (the page cache dropped where the system allows, so
the bytes come from the device) to compare its SHA-256. Only when all match is the hidden
folder renamed to ``单位_期间_报送``: a cancel or a failure leaves no file under a final
name. The PDF needs QtGui, so the caller hands in the function that renders it
(``render.monthly_pdf.monthly_pdf_bytes``), as ``gongkai report monthly`` does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import delete, select, update

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import AuditEntry, Record, ReturnedRecord, Submission
from gongkai_desktop.domain.periods import Period, format_cn_date
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.file_output import (
    ExportError,
    fsync_folder,
    write_atomically,
    write_bytes_atomically,
)
from gongkai_desktop.services.io.hashing import file_sha256
from gongkai_desktop.services.ledgers.export import (
    Cancelled,
    ExportCancelled,
    LedgerExporter,
    Progress,
    safe_file_name,
)
from gongkai_desktop.services.ledgers.intake.sites import NEW_SITE_STATUS
from gongkai_desktop.services.records import sql as record_sql
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.dashboard import SITE_FORM, DashboardService
from gongkai_desktop.services.reports.figures import sites_by_month
from gongkai_desktop.services.reports.monthly import MonthlySummary, monthly_summary
from gongkai_desktop.services.reports.writers.monthly_docx import write_monthly_docx
from gongkai_desktop.services.settings import load_settings

log = logging.getLogger(__name__)

CHECK_RULES = "rule_errors"
CHECK_SITES = "incomplete_sites"
CHECK_TASKS = "tasks_overdue"
CHECK_REQUESTS = "requests_overdue"
CHECK_PATROLS = "patrols_missing"
CHECK_TITLES: dict[str, str] = {
    CHECK_RULES: "本月记录不符合表单规则",
    CHECK_SITES: "监管对象信息待完善",
    CHECK_TASKS: "整改任务逾期未办结",
    CHECK_REQUESTS: "依申请公开逾期未答复",
    CHECK_PATROLS: "本月巡查未达要求",
}
NOTES_FILE = "报送说明.txt"
# the audit log's pseudo-record of 月末报送 (like 设置's "settings")
AUDIT_RECORD_ID = "submission"
AUDIT_FORM_ID = "submission"
AUDIT_ACTION = "报送说明"
MonthlyPdf = Callable[[MonthlySummary], bytes]
_CHUNK = 1 << 20


class CloseError(ExportError):
    """月末报送 could not be done; the message says why, in Chinese."""


@dataclass(frozen=True)
class CheckItem:
    text: str
    record_id: str = ""  # the record to open ("" when the item is not one record)


@dataclass(frozen=True)
class CloseCheck:
    key: str
    title: str
    items: tuple[CheckItem, ...]

    @property
    def passed(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class ClosedFile:
    name: str
    path: Path  # under the final folder
    size: int
    sha256: str  # of the bytes made
    verified: bool  # read back from the stick with the same SHA-256


@dataclass(frozen=True)
class CloseResult:
    period: Period
    folder: Path  # 单位_期间_报送 (only there when ``verified``)
    files: tuple[ClosedFile, ...]
    package_sha256: str
    record_count: int
    reasons: dict[str, str]  # check key -> the clerk's reason, for the checks that failed
    notes: tuple[str, ...] = ()  # e.g. photos whose files are missing from the package

    @property
    def verified(self) -> bool:
        return bool(self.files) and all(f.verified for f in self.files)

    @property
    def failed(self) -> tuple[ClosedFile, ...]:
        return tuple(f for f in self.files if not f.verified)


# ---- the checks ------------------------------------------------------------------------
def require_month(period: Period) -> None:
    from gongkai_desktop.services.submission.package import PackageError, period_key

    try:
        monthly = re.fullmatch(r"\d{4}-\d{2}", period_key(period)) is not None
    except PackageError:
        monthly = False
    if not monthly:
        raise CloseError(
            f"月末报送按月进行，期间“{period.label}”不是一个月；请写作 2026-11 这样的月份"
        )


def close_blockers(ctx: AppContext) -> list[str]:
    """What stops the 报送包 being made at all (no 统计用区划代码; no 报送密钥, or one issued
    to another township), to say before anything is written. ``build_package`` refuses
    the same when it gets there; this says it early (the dialog, before a folder is
    chosen, and ``run_close`` before the ledgers are written)."""
    from gongkai_desktop.services.submission.keys import SubmissionKeyError, current_key

    code = load_settings(ctx)["township_code"]
    problems = []
    if not code:
        problems.append("请先在“设置”中填写本乡镇的统计用区划代码。")
    try:
        key = current_key(ctx)
    except SubmissionKeyError as exc:
        return [*problems, str(exc)]
    if key is None:
        problems.append("尚未导入报送密钥：请在“设置 → 报送密钥”中导入县级签发的密钥文件。")
    elif code and key.township_code != code:
        problems.append(
            f"已导入的报送密钥属于 {key.township_code}，与本单位的统计用区划代码 {code} 不符。"
        )
    return problems


def close_checks(ctx: AppContext, period: Period, today: date | None = None) -> list[CloseCheck]:
    """The checklist of 月末报送 for ``period``, as of ``today`` (overdue tasks and
    requests are those overdue on the day the month is closed)."""
    today = today or date.today()
    board = DashboardService(ctx).overview(today)
    service = RecordService(ctx)
    with ctx.transaction() as session:
        rows = session.scalars(
            select(Record)
            .where(
                Record.deleted.is_(False),
                Record.record_date >= period.start,
                Record.record_date <= period.end,
            )
            .order_by(Record.record_date, Record.id)
        )
        broken = [
            CheckItem(f"{form.title}“{row.title}”（{row.record_date}）：{err}", row.id)
            for row, form, err in service.rule_problems(session, rows)
        ]
        sites = [
            CheckItem(_site_text(title, data), row_id)
            for row_id, title, data in session.execute(
                select(Record.id, Record.title, Record.data)
                .where(record_sql.live(Record, SITE_FORM), Record.status == NEW_SITE_STATUS)
                .order_by(Record.title, Record.id)
            )
        ]
        patrols = [
            CheckItem(
                f"{row['site']}（{row['site_type']}）{_month_text(row)}"
                f"应巡查{row['required']}次，已巡查{row['done']}次，缺{row['missing']}次",
                row["site_id"],
            )
            for row in sites_by_month(ctx, session, period)
            if row["missing"]
        ]
    tasks = [
        CheckItem(
            f"{t.number or '（无编号）'} {_short(t.description)}"
            f"{'（' + (t.site_name or t.village) + '）' if (t.site_name or t.village) else ''}："
            f"现行时限{format_cn_date(t.deadline)}，已逾期{t.days_overdue}天",
            t.id,
        )
        for t in board.overdue
    ]
    requests = [
        CheckItem(
            f"{r.number or '（无编号）'} {r.applicant}：收到{format_cn_date(r.received)}，"
            f"法定答复期限{format_cn_date(r.deadline)}",
            r.id,
        )
        for r in board.disclosure.replies_overdue
    ]
    found = {
        CHECK_RULES: broken,
        CHECK_SITES: sites,
        CHECK_TASKS: tasks,
        CHECK_REQUESTS: requests,
        CHECK_PATROLS: patrols,
    }
    return [CloseCheck(key, CHECK_TITLES[key], tuple(found[key])) for key in CHECK_TITLES]


def _site_text(title: str, data: Any) -> str:
    kind = data.get("site_type") if isinstance(data, dict) else None
    return f"{title}（{kind}）" if kind else title


def _month_text(row: Mapping[str, Any]) -> str:
    month = str(row["month"])
    text = f"{int(month[:4])}年{int(month[5:7])}月"
    return text + "所在季度" if row.get("quarterly") else text


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unexplained(checks: Sequence[CloseCheck], reasons: Mapping[str, str]) -> list[CloseCheck]:
    """The failing checks without a reason (an empty or blank reason is none)."""
    return [c for c in checks if not c.passed and not reasons.get(c.key, "").strip()]


def unknown_reasons(reasons: Mapping[str, str]) -> list[str]:
    return [key for key in reasons if key not in CHECK_TITLES]


def notes_text(
    unit: str,
    period: Period,
    checks: Sequence[CloseCheck],
    reasons: Mapping[str, str],
    made_at: datetime,
) -> str:
    """报送说明.txt: the checklist as it stood, with the reason for each check passed
    although it found something."""
    lines = [
        f"{unit}{period.label}月末报送说明",
        f"生成时间：{made_at:%Y-%m-%d %H:%M}",
        "",
        "报送前检查：",
    ]
    for number, check in enumerate(checks, 1):
        if check.passed:
            lines.append(f"{number}. {check.title}：无")
            continue
        lines.append(f"{number}. {check.title}：{len(check.items)}项")
        lines.extend(f"   - {item.text}" for item in check.items)
        lines.append(f"   说明：{reasons.get(check.key, '').strip()}")
    return "\r\n".join(lines) + "\r\n"  # CRLF: read in Windows Notepad


# ---- the close -------------------------------------------------------------------------
def close_folder_name(unit: str, period: Period) -> str:
    return safe_file_name("_".join(p for p in (unit.strip(), period.label, "报送") if p))


class _Stages:
    """Maps each step's own (done, total) onto one bar of ``_TOTAL`` units."""

    TOTAL = 1000

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def step(self, start: int, span: int) -> Progress:
        def report(done: int, total: int, what: str) -> None:
            if self.progress is not None:
                part = min(done, total) * span // total if total > 0 else span
                self.progress(start + part, self.TOTAL, what)

        return report

    def at(self, units: int, what: str) -> None:
        if self.progress is not None:
            self.progress(units, self.TOTAL, what)


def _check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelled()


def _copy_into(source: Path, target: Path, cancelled: Cancelled | None) -> None:
    def write(handle: BinaryIO) -> None:
        with open(source, "rb") as src:
            while chunk := src.read(_CHUNK):
                _check_cancel(cancelled)
                handle.write(chunk)

    write_atomically(target, write, CloseError)


def run_close(
    ctx: AppContext,
    period: Period,
    out_dir: Path | str,
    reasons: Mapping[str, str],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    monthly_pdf: MonthlyPdf,
    summary: MonthlySummary | None = None,
    today: date | None = None,
) -> CloseResult:
    """Close ``period``: write its folder into ``out_dir`` (the stick) and verify it.

    ``reasons``: check key -> the clerk's reason; every failing check needs one.
    ``summary``: the 月度工作小结 already made (the window renders its PDF on the GUI
    thread and hands both in); made here when None."""
    from gongkai_desktop.services.submission.package import build_package

    require_month(period)
    out_dir = Path(out_dir)
    reasons = {k: v.strip() for k, v in reasons.items() if v.strip()}
    unknown = unknown_reasons(reasons)
    if unknown:
        raise CloseError(f"没有名为{'、'.join(unknown)}的检查项；检查项为{'、'.join(CHECK_TITLES)}")
    blockers = close_blockers(ctx)
    if blockers:
        raise CloseError("无法报送：" + "".join(blockers))
    checks = close_checks(ctx, period, today)
    missing = unexplained(checks, reasons)
    if missing:
        raise CloseError(
            "以下检查未通过，须填写说明后才能报送："
            + "；".join(f"{c.title}（{c.key}，{len(c.items)}项）" for c in missing)
        )
    reasons = {c.key: reasons[c.key] for c in checks if not c.passed}
    if not out_dir.is_dir():
        raise CloseError(f"目标文件夹“{out_dir}”不存在（U盘是否已插好？），没有写入任何文件。")
    unit = load_settings(ctx)["unit_name"]
    final = out_dir / close_folder_name(unit, period)
    stages = _Stages(progress)
    made_at = datetime.now()
    try:
        staging = Path(tempfile.mkdtemp(prefix=".~报送中-", dir=out_dir))
    except OSError as exc:
        raise CloseError(
            f"无法在“{out_dir}”中建立文件夹（{exc.strerror or exc}），U盘是否只读或已满？"
        ) from exc
    package_sha = ""
    try:
        with tempfile.TemporaryDirectory(prefix="gongkai-close-") as work_name:
            work = Path(work_name)
            # 1. every file but the package, on the local disk
            stages.at(0, "正在导出台账")
            LedgerExporter(ctx, today=today).export_all(
                period, work, progress=stages.step(0, 300), cancelled=cancelled
            )
            _check_cancel(cancelled)
            stages.at(300, "正在生成月度工作小结")
            summary = summary or monthly_summary(ctx, period)
            base = safe_file_name("_".join(p for p in (unit.strip(), summary.title) if p))
            write_monthly_docx(summary, work / f"{base}.docx")
            pdf = monthly_pdf(summary)
            write_bytes_atomically(work / f"{base}.pdf", pdf, CloseError)
            text = notes_text(unit, period, checks, reasons, made_at)
            (work / NOTES_FILE).write_bytes(text.encode("utf-8-sig"))
            made = sorted(work.iterdir(), key=lambda p: p.name)
            hashes = {p.name: file_sha256(p, from_device=True) for p in made}
            # 2. onto the stick, under temporary names inside the hidden folder
            copy = stages.step(350, 150)
            for index, source in enumerate(made):
                _check_cancel(cancelled)
                copy(index, len(made), f"正在写入U盘：{source.name}")
                _copy_into(source, staging / source.name, cancelled)
        _check_cancel(cancelled)
        # 3. the package, written and verified there by its builder
        stages.at(500, "正在生成报送包")
        built = build_package(
            ctx, period, staging, progress=stages.step(500, 400), cancelled=cancelled
        )
        package_sha = built.sha256
        hashes[built.path.name] = built.sha256
        # 4. read everything back from the stick
        files = []
        names = sorted(hashes)
        verify = stages.step(900, 100)
        for index, name in enumerate(names):
            verify(index, len(names), f"正在校验：{name}")
            path = staging / name
            files.append(
                ClosedFile(
                    name,
                    final / name,
                    path.stat().st_size,
                    hashes[name],
                    file_sha256(path, from_device=True) == hashes[name],
                )
            )
        notes = tuple(f"照片文件缺失，未装入报送包：{name}" for name in built.missing_attachments)
        result = CloseResult(
            period, final, tuple(files), built.sha256, built.record_count, reasons, notes
        )
        if not result.verified:
            raise _Unverified(result)
        _put_in_place(staging, final)
    except _Unverified as bad:
        _discard(ctx, staging, package_sha)
        log.error("close of %s: files failed verification: %s", period.label, bad.result.failed)
        return bad.result
    except BaseException:
        _discard(ctx, staging, package_sha)
        raise
    _audit_reasons(ctx, period, checks, reasons, result.package_sha256)
    stages.at(stages.TOTAL, "已全部校验")
    log.info("close of %s written to %s (%d files)", period.label, final, len(result.files))
    return result


class _Unverified(Exception):
    def __init__(self, result: CloseResult) -> None:
        super().__init__("unverified")
        self.result = result


def _put_in_place(staging: Path, final: Path) -> None:
    """Rename the verified folder to its final name; an earlier close of the same month
    is replaced (the new package supersedes it), and only once the new one is in place."""
    old: Path | None = None
    try:
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=".~已替换-", dir=final.parent))
            os.replace(final, old / final.name)
        os.replace(staging, final)
    except OSError as exc:
        if old is not None and not final.exists():
            with contextlib.suppress(OSError):
                os.replace(old / final.name, final)
        raise CloseError(
            f"无法把报送文件夹命名为“{final.name}”（{exc.strerror or exc}），"
            "该文件夹可能正在资源管理器或其他程序中打开。"
        ) from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    fsync_folder(final.parent)


def _discard(ctx: AppContext, staging: Path, package_sha: str) -> None:
    """Nothing of an unfinished close stays: the hidden folder goes, and so does the
    Submission row of a package that never reached its final name."""
    shutil.rmtree(staging, ignore_errors=True)
    if package_sha:
        with ctx.transaction() as session:
            session.execute(delete(Submission).where(Submission.package_sha256 == package_sha))
            # returned records it would have carried are still to be carried
            session.execute(
                update(ReturnedRecord)
                .where(ReturnedRecord.cleared_by == package_sha)
                .values(cleared_by=None)
            )


def _audit_reasons(
    ctx: AppContext,
    period: Period,
    checks: Sequence[CloseCheck],
    reasons: Mapping[str, str],
    package_sha256: str,
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with ctx.transaction() as session:
        user, filler = ctx.identity(session)
        repository.add_audit(
            session,
            [
                AuditEntry(
                    at=now,
                    os_user=user,
                    filler=filler,
                    record_id=AUDIT_RECORD_ID,
                    form_id=AUDIT_FORM_ID,
                    action=AUDIT_ACTION,
                    field=check.key,
                    old_value=None,
                    new_value=json.dumps(
                        {
                            "period": period.label,
                            "check": check.title,
                            "items": len(check.items),
                            "reason": reasons[check.key],
                            "package_sha256": package_sha256,
                        },
                        ensure_ascii=False,
                    ),
                )
                for check in checks
                if check.key in reasons
            ],
        )
