"""月末报送 end to end: a month closed onto a folder standing in for the USB stick, every file
read back independently (openpyxl, python-docx, pypdf, zipfile, hashlib), the clerk's
reasons in 报送说明.txt and the audit log, refusals, cancel and a failed read-back.
The PDF is rendered through QtGui, hence these tests live beside the other printed ones."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.render.monthly_pdf import monthly_pdf_bytes
from gongkai_desktop.services.ledgers.export import ExportCancelled
from gongkai_desktop.services.submission import close as close_module
from gongkai_desktop.services.submission.close import CloseError, run_close

from ..unit.close_helpers import CLOSE_DAY, TOWNSHIP_CODE, UNIT, build_close_world, issue_key

NOVEMBER = parse_period("2026-11")
FOLDER = f"{UNIT}_2026年11月_报送"
REASONS = {
    "rule_errors": "表单修改前录入的记录，已核实无误",
    "incomplete_sites": "新发现对象，下月核实",
    "tasks_overdue": "已报县局同意延期",
    "requests_overdue": "申请人已撤回，待补录",
    "patrols_missing": "汛期道路中断",
}


@pytest.fixture
def township(ctx, tmp_path):  # type: ignore[no-untyped-def]
    """The close world with the key the county issued for it."""
    world = build_close_world(ctx)
    issue_key(ctx, tmp_path)
    return world


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _close(ctx, stick, reasons=REASONS, **kw):  # type: ignore[no-untyped-def]
    return run_close(
        ctx, NOVEMBER, stick, reasons, monthly_pdf=monthly_pdf_bytes, today=CLOSE_DAY, **kw
    )


def test_close_writes_every_file_and_verifies_it(qapp, ctx, township, stick) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[int, int, str]] = []
    result = _close(ctx, stick, progress=lambda d, t, w: seen.append((d, t, w)))
    assert result.verified
    folder = stick / FOLDER
    assert result.folder == folder
    on_stick = sorted(p.name for p in folder.iterdir())
    assert sorted(f.name for f in result.files) == on_stick
    assert [p.name for p in stick.iterdir()] == [FOLDER]  # no hidden folder left
    # every ledger of the forms' ledger files, named 单位_台账名_期间.xlsx
    ledgers = sorted(p for p in folder.glob("*.xlsx"))
    assert len(ledgers) == len(ctx.registry.ledgers)
    patrol_book = folder / f"{UNIT}_饮用水水源地巡查台账_2026年11月.xlsx"
    assert patrol_book in ledgers
    sheet = openpyxl.load_workbook(patrol_book).active
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "金竹沟水源地" in texts
    # the monthly summary, as .docx and .pdf
    base = f"{UNIT}_2026年11月生态环境保护工作小结"
    paragraphs = [p.text for p in docx.Document(str(folder / f"{base}.docx")).paragraphs]
    assert "2026年11月生态环境保护工作小结" in paragraphs
    pdf_text = "".join(page.extract_text() for page in PdfReader(folder / f"{base}.pdf").pages)
    assert "生态环境保护工作小结" in pdf_text
    # the package: a zip whose manifest names this township and month
    (package,) = folder.glob("*.gkpkg")
    assert package.name == f"{UNIT}_2026年11月_报送包.gkpkg"
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["township_code"] == TOWNSHIP_CODE and manifest["period"]["key"] == "2026-11"
    assert result.package_sha256 == _sha(package)
    # each file's recorded hash is the hash of what lies on the stick
    for file in result.files:
        assert file.verified and file.path == folder / file.name
        assert file.sha256 == _sha(file.path) and file.size == file.path.stat().st_size
    # the notes, with every reason
    notes = (folder / "报送说明.txt").read_text(encoding="utf-8-sig")
    for reason in REASONS.values():
        assert f"说明：{reason}" in notes
    assert "1. 本月记录不符合表单规则：1项" in notes
    # the progress bar only moves forward and ends full
    done = [d for d, _t, _w in seen]
    assert done == sorted(done) and seen[-1][:2] == (1000, 1000)


def test_reasons_go_into_the_audit_log_and_the_package_is_a_submission(
    qapp, ctx, township, stick, db_path
) -> None:  # type: ignore[no-untyped-def]
    result = _close(ctx, stick)
    conn = sqlite3.connect(db_path)
    try:
        audit = conn.execute(
            "SELECT field, new_value FROM audit_log WHERE record_id = 'submission'"
            " AND action = '报送说明' ORDER BY id"
        ).fetchall()
        submitted = conn.execute("SELECT package_sha256, period FROM submissions").fetchall()
    finally:
        conn.close()
    assert [field for field, _v in audit] == list(REASONS)
    first = json.loads(audit[0][1])
    assert first == {
        "period": "2026年11月",
        "check": "本月记录不符合表单规则",
        "items": 1,
        "reason": REASONS["rule_errors"],
        "package_sha256": result.package_sha256,
    }
    assert submitted == [(result.package_sha256, "2026-11")]


def test_a_failing_check_without_reason_is_refused_and_nothing_written(
    qapp, ctx, township, stick
) -> None:  # type: ignore[no-untyped-def]
    partial = {k: v for k, v in REASONS.items() if k != "tasks_overdue"}
    with pytest.raises(CloseError, match="整改任务逾期未办结"):
        _close(ctx, stick, reasons=partial)
    assert list(stick.iterdir()) == []


def test_cancel_leaves_no_file_under_a_final_name(qapp, ctx, township, stick, db_path) -> None:  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 12  # somewhere among the ledgers

    with pytest.raises(ExportCancelled):
        _close(ctx, stick, cancelled=cancelled)
    assert list(stick.iterdir()) == []
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone() == (0,)
    finally:
        conn.close()


def test_a_file_that_reads_back_wrong_is_not_verified_and_not_kept(
    qapp, ctx, township, stick, db_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # a record the county returned, since changed: the package would carry (clear) it
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO returned_records (record_id, package_sha256, note, version_returned,"
            " returned_at, cleared_by) VALUES (?, ?, '缺少照片', 0, '2026-11-06 01:00:00', NULL)",
            (township.patrol, "a" * 64),
        )
    conn.close()
    real = close_module.file_sha256

    def flaky_stick(path: Path, from_device: bool = False) -> str:
        # the stick returns other bytes for the docx once it has been written there
        if path.suffix == ".docx" and stick in path.parents:
            return "0" * 64
        return real(path, from_device)

    monkeypatch.setattr(close_module, "file_sha256", flaky_stick)
    result = _close(ctx, stick)
    assert not result.verified
    assert [f.name for f in result.failed] == [f"{UNIT}_2026年11月生态环境保护工作小结.docx"]
    assert list(stick.iterdir()) == []
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone() == (0,)
        assert conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = '报送说明'"
        ).fetchone() == (0,)
        # still to be carried by the next package
        assert conn.execute("SELECT cleared_by FROM returned_records").fetchall() == [(None,)]
    finally:
        conn.close()


def test_a_verified_close_clears_the_returned_record_it_carries(
    qapp, ctx, township, stick, db_path
) -> None:  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO returned_records (record_id, package_sha256, note, version_returned,"
            " returned_at, cleared_by) VALUES (?, ?, '缺少照片', 0, '2026-11-06 01:00:00', NULL)",
            (township.patrol, "a" * 64),
        )
    conn.close()
    result = _close(ctx, stick)
    conn = sqlite3.connect(db_path)
    try:
        cleared = conn.execute("SELECT cleared_by FROM returned_records").fetchall()
    finally:
        conn.close()
    assert cleared == [(result.package_sha256,)]


def test_closing_the_month_again_replaces_the_folder(qapp, ctx, township, stick) -> None:  # type: ignore[no-untyped-def]
    first = _close(ctx, stick)
    (stick / FOLDER / "手工放入.txt").write_text("旧文件", encoding="utf-8")
    second = _close(ctx, stick)
    assert second.verified and second.package_sha256 != first.package_sha256
    assert [p.name for p in stick.iterdir()] == [FOLDER]
    assert not (stick / FOLDER / "手工放入.txt").exists()
    (package,) = (stick / FOLDER).glob("*.gkpkg")
    assert _sha(package) == second.package_sha256


def test_cli_submit_refuses_then_writes(qapp, ctx, township, stick, run) -> None:  # type: ignore[no-untyped-def]
    ctx.close()
    code, out, err = run("submit", "--period", "2026-11", "--out", str(stick))
    assert code == 2
    assert "[未通过] 整改任务逾期未办结（tasks_overdue）：1项" in out
    assert "须说明理由" in err and "本月巡查未达要求（patrols_missing）" in err
    assert list(stick.iterdir()) == []
    reasons = [f"--reason={key}={text}" for key, text in REASONS.items()]
    reasons[0] = f"--reason=本月记录不符合表单规则={REASONS['rule_errors']}"  # by title too
    code, out, err = run("submit", "--period", "2026-11", "--out", str(stick), *reasons)
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[-1] == "可以拔出U盘。"
    names = sorted(p.name for p in (stick / FOLDER).iterdir())
    checked = [line for line in lines if line.startswith("  已校验  ")]
    assert sorted(line.split("  ")[2].rsplit("（", 1)[0] for line in checked) == names


def test_cli_submit_input_errors(qapp, ctx, stick, run) -> None:  # type: ignore[no-untyped-def]
    ctx.close()
    code, _out, err = run("submit", "--period", "2026-Q4", "--out", str(stick))
    assert code == 2 and "按月" in err
    code, _out, err = run(
        "submit", "--period", "2026-11", "--out", str(stick), "--reason", "nosuch=x"
    )
    assert code == 2 and "没有检查项“nosuch”" in err
