"""The 政府信息公开工作年度报告 as a Word file in the official format (issue 6 item 6).

On ``OfficialDocument`` (GB/T 9704 page, fonts, headings, page numbers): the title
"<单位><年>年政府信息公开工作年度报告", the opening paragraph, then the six sections.
Table 二 (4 columns) stays on the portrait page under its heading; sections 三 and 四
with their wide tables (10 and 15 columns) are on landscape pages of their own, and
the document turns back to portrait for 五 and 六, ending with the unit and the date.
The tables have the official merged cells and labels (the same layout as the .xlsx),
text 仿宋 五号, every number printed; table 三's header rows repeat on a new page and
its exact 12 pt lines let the whole table stand on one landscape page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.shared import Mm, Twips
from docx.table import Table

from gongkai_desktop.services.disclosure.report import (
    APPLICANT_COLUMNS,
    RESULT_GROUPS,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_NEW,
    ROW_TOTAL,
    SECTION_HEADINGS,
    T2_ABOLISHED,
    T2_CHARGES,
    T2_CONTENT,
    T2_DECISIONS,
    T2_ENFORCEMENT,
    T2_FEES,
    T2_IN_FORCE,
    T2_ITEM1,
    T2_ITEM5,
    T2_ITEM6,
    T2_ITEM8,
    T2_LICENSING,
    T2_MADE,
    T2_NORMATIVE,
    T2_PUNISHMENT,
    T2_RULES,
    T3_APPLICANTS,
    T3_CARRIED_IN,
    T3_CARRIED_OUT,
    T3_NEW,
    T3_NOTE,
    T3_ORGANISATIONS,
    T3_RESULTS,
    T3_TOTAL,
    T4_AFTER_REVIEW,
    T4_COLUMNS,
    T4_DIRECT,
    T4_GROUPS,
    T4_LITIGATION,
    T4_REVIEW,
    TOTAL,
    DisclosureReport,
)
from gongkai_desktop.services.documents.official_docx import (
    TABLE_PT,
    TITLE_PT,
    OfficialDocument,
    paragraph_format,
    row_flags,
    set_run_font,
    table_borders,
    text_width,
)
from gongkai_desktop.services.io.file_output import write_atomically

TABLE3_LINE_PT = 11.5  # exact: the 28 rows of table 三 and its heading fit one page


@dataclass(frozen=True)
class GridCell:
    """One (possibly merged) cell of an official table: rows/columns from 0, inclusive."""

    text: str
    row: int
    col: int
    last_row: int | None = None
    last_col: int | None = None
    left: bool = False


def table2_cells(report: DisclosureReport) -> tuple[int, int, list[GridCell]]:
    """(rows, columns, cells) of table 二."""
    t = report.table2
    cells = [GridCell(T2_ITEM1, 0, 0, last_col=3)]
    cells += [
        GridCell(label, 1, c)
        for c, label in enumerate((T2_CONTENT, T2_MADE, T2_ABOLISHED, T2_IN_FORCE))
    ]
    for r, (label, values) in enumerate(
        (
            (T2_RULES, (t.rules_made, t.rules_abolished, t.rules_in_force)),
            (T2_NORMATIVE, (t.normative_made, t.normative_abolished, t.normative_in_force)),
        ),
        start=2,
    ):
        cells.append(GridCell(label, r, 0))
        cells += [GridCell(str(v), r, c) for c, v in enumerate(values, start=1)]
    r = 4
    blocks = (
        (T2_ITEM5, T2_DECISIONS, ((T2_LICENSING, str(t.licensing)),)),
        (
            T2_ITEM6,
            T2_DECISIONS,
            ((T2_PUNISHMENT, str(t.punishment)), (T2_ENFORCEMENT, str(t.enforcement))),
        ),
        (T2_ITEM8, T2_FEES, ((T2_CHARGES, t.fees_text),)),
    )
    for item, header, rows in blocks:
        cells += [
            GridCell(item, r, 0, last_col=3),
            GridCell(T2_CONTENT, r + 1, 0),
            GridCell(header, r + 1, 1, last_col=3),
        ]
        for i, (label, value) in enumerate(rows, start=2):
            cells += [GridCell(label, r + i, 0), GridCell(value, r + i, 1, last_col=3)]
        r += 2 + len(rows)
    return r, 4, cells


def table3_cells(report: DisclosureReport) -> tuple[int, int, list[GridCell]]:
    """(rows, columns, cells) of table 三: 3 header rows and 25 body rows, 10 columns."""
    cells = [
        GridCell(T3_NOTE, 0, 0, 2, 2),
        GridCell(T3_APPLICANTS, 0, 3, last_col=9),
        GridCell(APPLICANT_COLUMNS[0], 1, 3, last_row=2),
        GridCell(T3_ORGANISATIONS, 1, 4, last_col=8),
        GridCell(TOTAL, 1, 9, last_row=2),
    ]
    cells += [GridCell(label, 2, c) for c, label in enumerate(APPLICANT_COLUMNS[1:], start=4)]
    t3 = report.table3

    def numbers(row: int, path: tuple[str, ...]) -> list[GridCell]:
        return [GridCell(str(v), row, c) for c, v in enumerate(t3[path], start=3)]

    r = 3
    for label, path in ((T3_NEW, ROW_NEW), (T3_CARRIED_IN, ROW_CARRIED_IN)):
        cells += [GridCell(label, r, 0, last_col=2, left=True), *numbers(r, path)]
        r += 1
    results_top = r
    for group, leaves in RESULT_GROUPS:
        if not leaves:
            cells += [GridCell(group, r, 1, last_col=2, left=True)]
            cells += numbers(r, (T3_RESULTS, group))
            r += 1
            continue
        cells.append(GridCell(group, r, 1, last_row=r + len(leaves) - 1))
        for leaf in leaves:
            cells += [GridCell(leaf, r, 2, left=True), *numbers(r, (T3_RESULTS, group, leaf))]
            r += 1
    cells += [GridCell(T3_TOTAL, r, 1, last_col=2, left=True), *numbers(r, ROW_TOTAL)]
    cells.append(GridCell(T3_RESULTS, results_top, 0, last_row=r))
    r += 1
    cells += [GridCell(T3_CARRIED_OUT, r, 0, last_col=2, left=True), *numbers(r, ROW_CARRIED_OUT)]
    return r + 1, 10, cells


def table4_cells(report: DisclosureReport) -> tuple[int, int, list[GridCell]]:
    """(rows, columns, cells) of table 四: 3 header rows and one row of 15 numbers."""
    cells = [GridCell(T4_REVIEW, 0, 0, last_col=4), GridCell(T4_LITIGATION, 0, 5, last_col=14)]
    cells += [GridCell(label, 1, c, last_row=2) for c, label in enumerate(T4_COLUMNS)]
    cells += [GridCell(T4_DIRECT, 1, 5, last_col=9), GridCell(T4_AFTER_REVIEW, 1, 10, last_col=14)]
    cells += [GridCell(label, 2, c) for c, label in enumerate(T4_COLUMNS * 2, start=5)]
    values = [v for group in T4_GROUPS for v in report.table4[group]]
    cells += [GridCell(str(v), 3, c) for c, v in enumerate(values)]
    return 4, 15, cells


def _grid(
    doc: OfficialDocument,
    shape: tuple[int, int, list[GridCell]],
    widths_mm: Sequence[float],
    *,
    header_rows: int,
    line_pt: float,
) -> Table:
    rows, columns, cells = shape
    table = doc.document.add_table(rows=rows, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    table_borders(table)
    available = doc.text_width_twips
    scale = available / Mm(sum(widths_mm)).twips
    twips = [int(Mm(w).twips * scale) for w in widths_mm]
    for i, column in enumerate(table.columns):
        column.width = Twips(twips[i])
    for r, row in enumerate(table.rows):
        row_flags(row, header=r < header_rows)
        for c, cell in enumerate(row.cells):
            cell.width = Twips(twips[c])
    for spec in cells:
        cell = table.cell(spec.row, spec.col)
        last_row = spec.row if spec.last_row is None else spec.last_row
        last_col = spec.col if spec.last_col is None else spec.last_col
        if (last_row, last_col) != (spec.row, spec.col):
            cell = cell.merge(table.cell(last_row, last_col))
        paragraph = cell.paragraphs[0]
        paragraph_format(
            paragraph,
            line_pt=line_pt,
            align=WD_PARAGRAPH_ALIGNMENT.LEFT if spec.left else WD_PARAGRAPH_ALIGNMENT.CENTER,
        )
        for extra in cell.paragraphs[1:]:  # merging keeps one empty paragraph per cell
            extra._p.getparent().remove(extra._p)
        set_run_font(paragraph.add_run(spec.text), doc.fonts.body, TABLE_PT)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def _text(doc: OfficialDocument, text: str) -> None:
    for line in text.splitlines():
        if line.strip():
            doc.paragraph(line.strip())


def build_disclosure_document(report: DisclosureReport) -> OfficialDocument:
    doc = OfficialDocument()
    doc.set_properties(title=report.title, author=report.unit, subject=f"{report.year}年度")
    title_room = doc.text_width_twips / 20 / TITLE_PT
    if report.unit and text_width(report.title) > title_room >= text_width(report.unit):
        # the unit alone on the first line, as before 关于 in other titles
        doc.title(report.unit)
        doc.title(report.title[len(report.unit) :])
    else:
        doc.title(report.title)
    doc.blank_line()
    doc.paragraph(report.opening, run_in_headings=False)
    one, two, three, four, five, six = SECTION_HEADINGS
    doc.heading1(one)
    _text(doc, report.texts.overview)
    doc.heading1(two)
    line = round(TABLE_PT * 1.5, 1)
    _grid(doc, table2_cells(report), (45, 37, 37, 37), header_rows=0, line_pt=line)

    doc.new_section(landscape=True)
    doc.heading1(three)
    widths3 = (10, 25, 92, *([14] * 7))
    _grid(doc, table3_cells(report), widths3, header_rows=3, line_pt=TABLE3_LINE_PT)
    doc.heading1(four)
    _grid(doc, table4_cells(report), [15] * 15, header_rows=3, line_pt=line)

    doc.new_section(landscape=False)
    doc.heading1(five)
    _text(doc, report.texts.problems)
    doc.heading1(six)
    _text(doc, report.texts.other)
    doc.signature(report.unit, report.made_on_text)
    return doc


def write_disclosure_docx(report: DisclosureReport, path: Path) -> None:
    """Write the report to ``path`` (a .docx); an existing file is replaced only once the
    new one is complete."""
    doc = build_disclosure_document(report)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)
