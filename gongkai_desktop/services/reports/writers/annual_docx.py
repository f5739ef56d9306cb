"""The annual report (年度生态环境保护工作情况报告) as a Word file in the official format.

Title, 主送机关, body (the report's blocks), 附件说明, 发文机关署名 and 成文日期, then the
appendix on a page of its own: "附件" in 黑体 on the first line, its title centred on
the third, and the month-by-month table (portrait, so the page numbers stay where they
are on every other page; columns sized from their content, at the largest of 五号 …
小五 where headers wrap at most once and numbers never).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from gongkai_desktop.services.documents.content import ReportTable
from gongkai_desktop.services.documents.official_docx import (
    OfficialDocument,
    add_blocks,
    fitted_widths,
)
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.reports.annual import AnnualReport

APPENDIX_SIZES = (10.5, 10.0, 9.5, 9.0)  # 五号 down to 小五, the first that fits
APPENDIX_ROW_MM = 8.0


def build_annual_document(report: AnnualReport) -> OfficialDocument:
    doc = OfficialDocument()
    doc.set_properties(title=report.title, author=report.unit, subject=f"{report.year}年度报告")
    doc.title(report.title, whole_phrases=True)
    if report.addressee:
        doc.addressee(f"{report.addressee}：")
    else:
        doc.blank_line()
    add_blocks(doc, report.blocks)
    appendix = report.appendix
    # 附件说明: one blank line under the body, indented two characters (GB/T 9704 7.3.4)
    doc.blank_line()
    appendices = report.appendices
    numbered = len(appendices) > 1
    if numbered:
        # several attachments: numbered, each aligned under the first (GB/T 9704 7.3.4)
        for n, table in enumerate(appendices, start=1):
            lead = "附件：" if n == 1 else "　　　"
            doc.paragraph(f"{lead}{n}.{table.caption}", run_in_headings=False)
    else:
        doc.paragraph(f"附件：{appendix.caption}", run_in_headings=False)
    doc.signature(report.signature_unit, report.made_on_text)

    # the page break belongs to the 附件 heading: a break paragraph after the date would
    # leave a page holding only that paragraph when the date ends a page
    heading = doc.paragraph("附件1" if numbered else "附件", indent=False, font=doc.fonts.heading1)
    heading.paragraph_format.page_break_before = True
    doc.blank_line()
    doc.title(appendix.caption)
    doc.blank_line()
    size, widths = appendix_fit(appendix, doc.text_width_twips)
    doc.table(
        appendix,
        font_size=size,
        caption=False,
        row_height_mm=APPENDIX_ROW_MM,
        widths=widths,
    )
    add_coverage_appendix(doc, report)
    add_township_appendix(doc, report)
    return doc


def appendix_fit(table: ReportTable, available_twips: int) -> tuple[float, list[int] | None]:
    """The largest size of 五号 … 小五 at which every header wraps at most once and
    no number wraps, with its column widths; None widths: the table's own rule."""
    for size in APPENDIX_SIZES:
        widths = fitted_widths(table, available_twips, size)
        if widths is not None:
            return size, widths
    return APPENDIX_SIZES[-1], None


COVERAGE_TABLE_PT = 10.5  # 五号: sixteen columns on a landscape page


def add_coverage_appendix(doc: OfficialDocument, report: AnnualReport) -> None:
    """附件2, the patrols owed and done per site and month, on an A4 landscape page of its
    own (sixteen columns). Nothing when no site owed a patrol in the year."""
    table = report.coverage_appendix
    if table is None:
        return
    doc.new_section(landscape=True)
    doc.paragraph(_number(report, table), indent=False, font=doc.fonts.heading1)
    doc.title(table.caption)
    doc.table(table, font_size=COVERAGE_TABLE_PT, caption=False, line_pt=COVERAGE_TABLE_PT * 1.3)


def _number(report: AnnualReport, table: ReportTable) -> str:
    """附件2, 附件3 …: the table's place among the report's attachments."""
    return f"附件{[id(t) for t in report.appendices].index(id(table)) + 1}"


def add_township_appendix(doc: OfficialDocument, report: AnnualReport) -> None:
    """County mode: the figures by township (the last 附件), laid out as 附件1 is, on a
    portrait page of its own."""
    table = report.township_appendix
    if table is None:
        return
    doc.new_section(landscape=False)
    doc.paragraph(_number(report, table), indent=False, font=doc.fonts.heading1)
    doc.blank_line()
    doc.title(table.caption)
    doc.blank_line()
    size, widths = appendix_fit(table, doc.text_width_twips)
    doc.table(table, font_size=size, caption=False, row_height_mm=APPENDIX_ROW_MM, widths=widths)


def write_annual_docx(report: AnnualReport, path: Path) -> None:
    """Write the report to ``path`` (a .docx); an existing file is replaced only once the
    new one is complete."""
    doc = build_annual_document(report)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)
