"""The 政府信息公开工作年度报告 as a Word file in the official format.

On ``OfficialDocument`` (GB/T 9704 page, fonts, headings, page numbers): the title
"<单位><年>年政府信息公开工作年度报告", the opening paragraph, then the six sections as
``DisclosureReport.sections`` gives them. Table 二 (4 columns) stays on the portrait page
under its heading; the sections with wide tables (三 and 四: 10 and 15 columns) are on
landscape pages of their own, and the document turns back to portrait for 五 and 六,
ending with the 署名 (chosen, else 发文机关, else the unit) and the 成文日期. The tables are ``OfficialDocument.table``'s, with the
official merged cells (the same layout as the .xlsx), text 仿宋 五号 in one weight, every
number printed; table 三's header rows repeat on a new page and its exact 11.5 pt lines
let the whole table stand on one landscape page.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from docx.table import Table

from gongkai_desktop.services.disclosure.report import DisclosureReport
from gongkai_desktop.services.documents.content import Block
from gongkai_desktop.services.documents.official_docx import (
    TABLE_PT,
    OfficialDocument,
    add_blocks,
)
from gongkai_desktop.services.io.file_output import write_atomically

PORTRAIT_COLUMNS = 6  # a table wider than this gets a landscape page
TABLE_LINE_PT = round(TABLE_PT * 1.5, 1)
LONG_TABLE_ROWS = 20
TABLE3_LINE_PT = 11.5  # exact: the 28 rows of table 三 and its heading fit one page


def _landscape(section: tuple[Block, ...]) -> bool:
    return any(b.table is not None and b.table.column_count > PORTRAIT_COLUMNS for b in section)


def _line_pt(section: tuple[Block, ...]) -> float:
    """Table 三 (25 body rows) in tight lines, the others in 1.5 lines."""
    long = any(b.table is not None and len(b.table.rows) > LONG_TABLE_ROWS for b in section)
    return TABLE3_LINE_PT if long else TABLE_LINE_PT


def _keep_together(table: Table) -> None:
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def build_disclosure_document(report: DisclosureReport) -> OfficialDocument:
    doc = OfficialDocument()
    doc.set_properties(title=report.title, author=report.unit, subject=f"{report.year}年度")
    # broken only where a phrase ends: the 发文机关 on a line of its own before the year
    doc.title(report.title, whole_phrases=True)
    doc.blank_line()
    doc.paragraph(report.opening, run_in_headings=False)
    landscape = False
    for section in report.sections():
        if _landscape(section) != landscape:
            landscape = not landscape
            doc.new_section(landscape=landscape)
        add_blocks(doc, section, line_pt=_line_pt(section), bold=False)
        if not landscape and any(b.table is not None for b in section):
            # table 二 (14 short rows) stands whole on one page, under its heading: split,
            # its last rows would leave a page of their own before the landscape pages
            _keep_together(doc.document.tables[-1])
    doc.signature(report.signer, report.made_on_text)
    return doc


def write_disclosure_docx(report: DisclosureReport, path: Path) -> None:
    """Write the report to ``path`` (a .docx); an existing file is replaced only once the
    new one is complete."""
    doc = build_disclosure_document(report)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)
