"""The annual report (年度生态环境保护工作情况报告) as a Word file in the official format.

Title, 主送机关, body (the report's blocks), 附件说明, 发文机关署名 and 成文日期, then the
appendix on a page of its own: "附件" in 黑体 on the first line, its title centred on
the third, and the month-by-month table (portrait, 小四: ten narrow columns read well
and the page numbers stay where they are on every other page).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from gongkai_desktop.services.documents.official_docx import OfficialDocument, add_blocks
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.reports.annual import AnnualReport

APPENDIX_TABLE_PT = 10.5  # 五号: ten columns of up to six digits fit the text width
APPENDIX_ROW_MM = 8.0


def build_annual_document(report: AnnualReport) -> OfficialDocument:
    doc = OfficialDocument()
    doc.set_properties(title=report.title, author=report.unit, subject=f"{report.year}年度报告")
    doc.title(report.title)
    if report.addressee:
        doc.addressee(f"{report.addressee}：")
    else:
        doc.blank_line()
    add_blocks(doc, report.blocks)
    appendix = report.appendix
    # 附件说明: one blank line under the body, indented two characters (GB/T 9704 7.3.4)
    doc.blank_line()
    doc.paragraph(f"附件：{appendix.caption}", run_in_headings=False)
    doc.signature(report.signature_unit, report.made_on_text)

    doc.page_break()
    doc.paragraph("附件", indent=False, font=doc.fonts.heading1)
    doc.blank_line()
    doc.title(appendix.caption)
    doc.blank_line()
    widths = (5, *([4] * (len(appendix.headers) - 1)))
    doc.table(
        replace(appendix, widths=appendix.widths or widths),
        font_size=APPENDIX_TABLE_PT,
        caption=False,
        row_height_mm=APPENDIX_ROW_MM,
    )
    add_coverage_appendix(doc, report)
    return doc


COVERAGE_TABLE_PT = 10.5  # 五号: sixteen columns on a landscape page


def add_coverage_appendix(doc: OfficialDocument, report: AnnualReport) -> None:
    """附件2, the patrols owed and done per site and month, on an A4 landscape page of its
    own (sixteen columns). Nothing when no site owed a patrol in the year."""
    table = report.coverage_appendix
    if table is None:
        return
    doc.new_section(landscape=True)
    doc.paragraph("附件2", indent=False, font=doc.fonts.heading1)
    doc.title(table.caption)
    doc.table(table, font_size=COVERAGE_TABLE_PT, caption=False, line_pt=COVERAGE_TABLE_PT * 1.3)


def write_annual_docx(report: AnnualReport, path: Path) -> None:
    """Write the report to ``path`` (a .docx); an existing file is replaced only once the
    new one is complete."""
    doc = build_annual_document(report)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)
