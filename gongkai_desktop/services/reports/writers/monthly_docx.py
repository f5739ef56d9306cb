"""月度工作小结 as a Word file: the same content as the PDF (``render.monthly_pdf``) —
unit, title, 统计期间, the paragraph, the five tables with captions and notes, overdue
tasks in red and bold, the 填表人／审核人 line and 制表日期 — on A4 with the official
margins and page numbers, in smaller sizes (小四 text, 五号 tables) so a month fits on
one or two pages. Every word comes from ``MonthlySummary``; this module only lays it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from docx.enum.text import WD_PARAGRAPH_ALIGNMENT

from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.services.documents.official_docx import OfficialDocument
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.reports.monthly import MonthlySummary

# point sizes, as in the PDF: 小二 title, 四号 unit, 小四 text, 五号 tables
TITLE_PT = 18.0
UNIT_PT = 14.0
TEXT_PT = 12.0
TABLE_PT = 10.5
TEXT_LINE_PT = 20.0  # exact line pitch of the text (1.5 lines of 小四 would be 2 pages)


def build_monthly_document(summary: MonthlySummary) -> OfficialDocument:
    doc = OfficialDocument(body_size=TEXT_PT, line_pitch=TEXT_LINE_PT)
    doc.set_properties(title=summary.title, author=summary.unit, subject=summary.period.label)
    center = WD_PARAGRAPH_ALIGNMENT.CENTER
    if summary.unit:
        doc.paragraph(summary.unit, indent=False, align=center, size=UNIT_PT, line_pt=24)
    doc.title(summary.title, size=TITLE_PT)
    period = summary.period
    span = f"{format_cn_date(period.start)}至{format_cn_date(period.end)}"
    doc.paragraph(f"（统计期间：{span}）", indent=False, align=center, size=TABLE_PT, line_pt=22)
    for text in summary.paragraphs:
        doc.paragraph(text, run_in_headings=False)
    for table in summary.tables:
        doc.table(
            table,
            font_size=TABLE_PT,
            caption_size=TEXT_PT,
            caption_align=WD_PARAGRAPH_ALIGNMENT.LEFT,
        )
    doc.blank_line()
    doc.left_right(summary.signature.line(), f"制表日期：{summary.made_on_text}", size=TABLE_PT)
    return doc


def write_monthly_docx(summary: MonthlySummary, path: Path) -> None:
    """Write the summary to ``path`` (a .docx); an existing file is replaced only once
    the new one is complete."""
    doc = build_monthly_document(summary)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)
