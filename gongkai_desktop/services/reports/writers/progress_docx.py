"""The per-site rectification progress report (问题整改进展情况的报告) as a Word 公文:
title with the 发文机关, 主送机关 when set, one paragraph with the totals sentence, the
per-site table (header repeated on every page, rows with open tasks past their deadline
in red), then 发文机关署名 and 成文日期."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from gongkai_desktop.services.documents.official_docx import OfficialDocument
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.reports.progress import ProgressReport

TABLE_PT = 10.5  # 五号: eleven columns on a portrait page, headers wrap at most once


def build_progress_document(report: ProgressReport) -> OfficialDocument:
    doc = OfficialDocument()
    doc.set_properties(title=report.title, author=report.unit, subject="问题整改进展情况")
    doc.title(report.title)
    if report.addressee:
        doc.addressee(f"{report.addressee}：")
    else:
        doc.blank_line()
    scope = f"{report.site_type}" if report.site_type else "各监管对象"
    doc.paragraph(
        f"现将{report.period.label}{scope}生态环境问题整改进展情况报告如下："
        f"{report.sentence}各监管对象整改进展情况见下表。",
        run_in_headings=False,
    )
    doc.table(report.table(), font_size=TABLE_PT, line_pt=TABLE_PT * 1.3)
    doc.signature(report.unit, report.made_on_text)
    return doc


def write_progress_docx(report: ProgressReport, path: Path) -> None:
    doc = build_progress_document(report)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)
