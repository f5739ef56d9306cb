"""The per-site rectification progress report (问题整改进展情况的报告) as a Word 公文:
title with the 发文机关, 主送机关 when set, the body with the totals sentence, 附件说明,
发文机关署名 and 成文日期 on the first page; then the per-site table as the 附件 on an A4
landscape page of its own (eleven columns need the width: on a portrait page the
numbers' headers broke one character a line), its header repeated on every page and the
rows with open tasks past their deadline in red.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from gongkai_desktop.services.documents.official_docx import OfficialDocument
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.reports.progress import ProgressReport

TABLE_PT = 12.0  # 小四 on a landscape page: headers wrap at most once


def build_progress_document(report: ProgressReport) -> OfficialDocument:
    doc = OfficialDocument()
    doc.set_properties(title=report.title, author=report.unit, subject="问题整改进展情况")
    doc.title(report.title, whole_phrases=True)
    if report.addressee:
        doc.addressee(f"{report.addressee}：")
    else:
        doc.blank_line()
    scope = f"{report.site_type}" if report.site_type else "各监管对象"
    table = report.table()
    doc.paragraph(
        f"现将{report.period.label}{scope}生态环境问题整改进展情况报告如下："
        f"{report.sentence}各监管对象整改进展情况见附件。",
        run_in_headings=False,
    )
    # 附件说明: one blank line under the body (GB/T 9704 7.3.4)
    doc.blank_line()
    doc.paragraph(f"附件：{table.caption}", run_in_headings=False)
    doc.signature(report.unit, report.made_on_text)

    doc.new_section(landscape=True)
    doc.paragraph("附件", indent=False, font=doc.fonts.heading1)
    doc.title(table.caption)
    doc.table(table, font_size=TABLE_PT, caption=False, line_pt=TABLE_PT * 1.3)
    return doc


def write_progress_docx(report: ProgressReport, path: Path) -> None:
    doc = build_progress_document(report)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)
