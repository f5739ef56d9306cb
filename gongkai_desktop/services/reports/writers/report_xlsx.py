"""Excel outputs of the summary reports.

``write_monthly_xlsx`` lays the 月度工作小结 (``report_monthly.MonthlySummary``) out on one
A4 portrait sheet; ``write_annual_xlsx`` writes the annual report's figures by month
(``report_annual.AnnualReport.by_month``) as a statistics table on A4 landscape, with
charts on a second sheet. Both only lay out what the content objects decided, with the
print conventions of the ledgers (merged title, bold bordered header, A4, one page
wide, footer 第 &P 页 共 &N 页). Files are written atomically.

The monthly sheet holds tables of different column counts (6, 2, 5, 6, 6). They share
one grid: each table's columns are placed by their relative widths on a fixed page
width, the grid's columns are the union of every table's column edges (edges closer
than ``_SNAP`` are merged), and each table column spans the grid columns between its
edges as merged cells. Every table then prints at its own proportions, full width.

The tables themselves — the monthly ``ReportTable``s and the annual statistics table
(``annual_table``: 月份 and column groups over two or three header rows) — are written by
``documents.sheet_tables.SheetTable``, the writer of every report table on a sheet. Row
heights are set explicitly from the text length (Excel and LibreOffice do not fit merged
cells to their text), so nothing is clipped on paper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import Series as ChartSeries
from openpyxl.styles import Alignment, Border, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.services.documents.content import ReportTable, TableCell
from gongkai_desktop.services.documents.sheet_tables import (
    CENTRED,
    LEFT_ALIGNED,
    SheetStyle,
    SheetTable,
    page_setup,
    put,
    scaled_widths,
    set_column_widths,
    text_height,
)
from gongkai_desktop.services.io.file_output import ExportError, write_atomically
from gongkai_desktop.services.reports.annual import AnnualReport
from gongkai_desktop.services.reports.figures import BY_SITE
from gongkai_desktop.services.reports.monthly import MonthlySummary

MONTHLY_SHEET = "月度小结"
ANNUAL_SHEET = "各月统计"
CHART_SHEET = "图表"

# Monthly sheet: the printable width of A4 portrait with the margins below, in column
# width units (about 2 mm each), and the closest two column edges may come.
_PAGE_WIDTH = 88.0
_SNAP = 1.6
# The printable height of that page in points (A4 11.69 in less 1.3 in of margins), with
# a little to spare for fonts taller than measured: where manual page breaks go.
_PAGE_HEIGHT = (11.69 - 1.3) * 72 * 0.9
MAX_MONTHLY_PAGES = 2

_CENTRE = CENTRED
_LEFT = LEFT_ALIGNED
_LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)

_FONT = "宋体"
_TITLE_SIZE = 16
_TEXT_SIZE = 11
_TABLE_SIZE = 10
# the monthly tables; the annual table's cells are tighter (more rows on the page)
_MONTHLY_STYLE = SheetStyle(font=_FONT, size=_TABLE_SIZE, caption_size=_TEXT_SIZE)
_ANNUAL_STYLE = SheetStyle(
    font=_FONT,
    size=_TABLE_SIZE,
    header_padding=6.0,
    body_padding=6.0,
    note_padding=6.0,
    min_height=18.0,
)


def _font(size: float = _TEXT_SIZE, bold: bool = False, color: str | None = None) -> Font:
    return Font(name=_FONT, size=size, bold=bold, color=color)


def _title_font() -> Font:
    return Font(name="黑体", size=_TITLE_SIZE, bold=True)


def _height(text: str, width: float, size: float, padding: float = 6.0) -> float:
    return text_height(text, width, size, padding)


class ReportXlsxError(ExportError):
    """A report .xlsx that could not be written; the message says why, in Chinese."""


# ---- shared sheet helpers ---------------------------------------------------------------
class _Writer:
    """Writes styled, possibly merged cells on one sheet whose column widths it knows."""

    def __init__(self, ws: Worksheet, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = list(widths)
        set_column_widths(ws, self.widths)

    def span_width(self, first: int, last: int) -> float:
        return sum(self.widths[first - 1 : last])

    def put(
        self,
        row: int,
        first: int,
        last: int,
        value: Any,
        font: Font,
        alignment: Alignment,
        border: Border | None = None,
        last_row: int | None = None,
    ) -> Any:
        """Write ``value`` into columns first..last (and rows row..last_row), merged."""
        return put(
            self.ws,
            row,
            first,
            value,
            font=font,
            alignment=alignment,
            last_row=last_row,
            last_col=last,
            border=border,
        )

    def height(self, row: int, points: float) -> None:
        self.ws.row_dimensions[row].height = points


def _save(path: Path, wb: Workbook) -> None:
    write_atomically(Path(path), wb.save, ReportXlsxError)


# ---- monthly summary --------------------------------------------------------------------
def _edges(table: ReportTable) -> list[float]:
    """Where the table's column edges fall on the page, from its relative widths."""
    weights = list(table.widths) or [1] * len(table.headers)
    total = sum(weights)
    edges = [0.0]
    for weight in weights:
        edges.append(edges[-1] + _PAGE_WIDTH * weight / total)
    edges[-1] = _PAGE_WIDTH
    return edges


def _grid(tables: Sequence[ReportTable]) -> tuple[list[float], list[list[int]]]:
    """The shared grid: column widths, and for each table the grid column (1-based)
    at each of its edges, so table column i spans grid columns edge[i] .. edge[i+1]-1."""
    bounds = [0.0, _PAGE_WIDTH]
    placed: list[list[float]] = []
    for table in tables:
        mine: list[float] = []
        for edge in _edges(table):
            near = min(bounds, key=lambda b: abs(b - edge))
            previous = mine[-1] if mine else -1.0
            if abs(near - edge) <= _SNAP and near > previous:
                mine.append(near)
            else:
                bounds.append(edge)
                bounds.sort()
                mine.append(edge)
        placed.append(mine)
    widths = [b - a for a, b in pairwise(bounds)]
    index = {b: i + 1 for i, b in enumerate(bounds)}
    return widths, [[index[e] for e in mine] for mine in placed]


@dataclass
class _Monthly:
    summary: MonthlySummary
    writer: _Writer
    edges: list[list[int]]
    ncols: int
    row: int = 1
    used: float = 0.0  # points used on the current printed page
    pages: int = 1

    def height(self, points: float) -> None:
        """Set the current row's height and follow where the page ends."""
        self.writer.height(self.row, points)
        self.follow(points)

    def follow(self, points: float) -> None:
        """Follow where the page ends past a row of ``points`` already written."""
        if self.used + points > _PAGE_HEIGHT:
            self.used = points
            self.pages += 1
        else:
            self.used += points

    def keep_together(self, points: float) -> None:
        """Start a new page here unless ``points`` still fit on this one."""
        if self.used and self.used + points > _PAGE_HEIGHT:
            self.writer.ws.row_breaks.append(Break(id=self.row - 1))
            self.used = 0.0
            self.pages += 1

    def full(
        self,
        value: str,
        font: Font,
        alignment: Alignment,
        size: float,
        padding: float = 6.0,
    ) -> Any:
        cell = self.writer.put(self.row, 1, self.ncols, value, font, alignment)
        self.height(_height(value, _PAGE_WIDTH, size, padding))
        self.row += 1
        return cell

    def gap(self, points: float = 8.0) -> None:
        self.height(points)
        self.row += 1

    def table(self, table: ReportTable, edges: list[int]) -> None:
        w = self.writer
        spans = [(edges[i], edges[i + 1] - 1) for i in range(len(table.headers))]
        widths = [w.span_width(first, last) for first, last in spans]
        sheet_table = SheetTable(table, widths, _MONTHLY_STYLE)
        header = sheet_table.header_count
        body = sheet_table.row_heights[header : header + 8]
        # a caption and header never end a page: keep them with the first rows (a short
        # table stays whole)
        self.keep_together(
            sheet_table.caption_height + sum(sheet_table.row_heights[:header]) + sum(body)
        )
        self.row = sheet_table.write(w.ws, self.row, spans)
        for points in sheet_table.heights():
            self.follow(points)
        self.gap(6.0)

    def write(self) -> None:
        s = self.summary
        title = f"{s.unit}{s.title}" if s.unit and not s.title.startswith(s.unit) else s.title
        self.full(title, _title_font(), _CENTRE, _TITLE_SIZE, 10.0)
        period = s.period
        span = f"统计期间：{format_cn_date(period.start)}至{format_cn_date(period.end)}"
        # the period is the longer text: it gets the larger part of the row
        split = max(1, round(self.ncols * 0.4))
        unit_text = f"填报单位：{s.unit}"
        self.writer.put(self.row, 1, split, unit_text, _font(), _LEFT)
        self.writer.put(self.row, split + 1, self.ncols, span, _font(), _RIGHT)
        self.height(
            max(
                22.0,
                _height(unit_text, self.writer.span_width(1, split), _TEXT_SIZE),
                _height(span, self.writer.span_width(split + 1, self.ncols), _TEXT_SIZE),
            )
        )
        self.row += 1
        self.gap(4.0)
        for paragraph in s.paragraphs:
            self.full("\u3000\u3000" + paragraph, _font(), _LEFT_TOP, _TEXT_SIZE, 8.0)
        self.gap(6.0)
        for table, edges in zip(s.tables, self.edges, strict=True):
            self.table(table, edges)
        self.full(s.signature.line(), _font(), _LEFT, _TEXT_SIZE)
        self.full(f"制表日期：{s.made_on_text}", _font(), _RIGHT, _TEXT_SIZE)


def monthly_workbook(summary: MonthlySummary) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = MONTHLY_SHEET
    widths, edges = _grid(summary.tables)
    writer = _Writer(ws, widths)
    sheet = _Monthly(summary, writer, edges, len(widths))
    sheet.write()
    if sheet.pages > MAX_MONTHLY_PAGES:
        # long task descriptions: shrink onto two pages rather than print a third; the
        # breaks placed for full size would fall in the wrong places
        ws.row_breaks = RowBreak()
        page_setup(ws, "portrait", fit_height=MAX_MONTHLY_PAGES)
    else:
        # laid out to the page width, with breaks placed before tables: print at 100 %
        # so that Excel honours the breaks
        page_setup(ws, "portrait", fit=False)
    ws.sheet_view.showGridLines = False
    return wb


def write_monthly_xlsx(summary: MonthlySummary, path: Path) -> None:
    """The 月度工作小结 as one A4 portrait sheet "月度小结"."""
    _save(path, monthly_workbook(summary))


# ---- annual report: figures by month ----------------------------------------------------
Getter = Callable[[dict[str, Any]], int]


@dataclass(frozen=True)
class AnnualColumn:
    group: str  # top header ("" for 月份)
    sub: str  # middle header ("" where the label spans both lower rows)
    label: str
    get: Getter
    flow: bool = True  # a count over the period: the months add up to the year


def _getter(*keys: str) -> Getter:
    def get(fig: dict[str, Any]) -> int:
        value: Any = fig
        for key in keys:
            value = value.get(key, 0) if isinstance(value, dict) else 0
        return int(value or 0)

    return get


def _labels(figs: Sequence[dict[str, Any]], *keys: str) -> list[str]:
    """Keys of a label → value mapping across the year and its months, in order."""
    labels: list[str] = []
    for fig in figs:
        value: Any = fig
        for key in keys:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        for label in value:
            if label != BY_SITE and label not in labels:
                labels.append(label)
    return labels


def annual_columns(report: AnnualReport) -> list[AnnualColumn]:
    """The statistics columns after 月份, grouped as printed."""
    figs = [report.figures, *(fig for _label, fig in report.by_month)]
    out = "宣传活动"
    columns = [
        AnnualColumn(out, "", "活动场次", _getter("outreach", "events")),
        AnnualColumn(out, "", "出动人次", _getter("outreach", "staff")),
        AnnualColumn(out, "", "受众人次", _getter("outreach", "audience")),
        AnnualColumn(out, "", "资料份数", _getter("outreach", "materials")),
        AnnualColumn(out, "", "宣传册数", _getter("outreach", "brochures")),
        AnnualColumn(out, "", "咨询人次", _getter("outreach", "consultations")),
    ]
    ins = "巡查检查"
    columns.append(AnnualColumn(ins, "", "检查次数", _getter("inspections", "total")))
    columns += [
        AnnualColumn(ins, "按类型（次）", label, _getter("inspections", "by_type", label))
        for label in _labels(figs, "inspections", "by_type")
    ]
    columns += [
        AnnualColumn(ins, "", "出动人次", _getter("inspections", "inspectors")),
        AnnualColumn(ins, "", "出动车次", _getter("inspections", "vehicles")),
        AnnualColumn(ins, "", "发现问题", _getter("inspections", "problems_found")),
        AnnualColumn(ins, "", "制止焚烧", _getter("inspections", "burning_stopped")),
    ]
    cov = "监管对象巡查（次）"
    for label in _labels(figs, "patrol_coverage"):
        columns += [
            AnnualColumn(
                cov, label, "应巡查", _getter("patrol_coverage", label, "required"), False
            ),
            AnnualColumn(cov, label, "已巡查", _getter("patrol_coverage", label, "done"), False),
        ]
    rect = "整改任务（项）"
    columns += [
        AnnualColumn(rect, "", "期初未办结", _getter("rectification", "open_at_start"), False),
        AnnualColumn(rect, "", "新增", _getter("rectification", "new")),
        AnnualColumn(rect, "", "办结", _getter("rectification", "completed")),
        AnnualColumn(rect, "", "其中逾期办结", _getter("rectification", "completed_late")),
        AnnualColumn(rect, "", "期末在办", _getter("rectification", "in_progress"), False),
        AnnualColumn(rect, "", "其中已逾期", _getter("rectification", "overdue"), False),
    ]
    return columns


MONTH_LABEL = "月份"
YEAR_LABEL = "全年"
_MONTH_WIDTH = 6.5
_NUMBER_WIDTH = 5.6
_ANNUAL_NOTE = (
    "注：期初、期末为当月（全年）首日、末日的数；监管对象巡查按当月应巡查次数计算，"
    "按季度巡查的对象在其季度内每月均计应巡查次数，全年一栏为全年数，不是各月之和。"
)


@dataclass(frozen=True)
class AnnualLayout:
    """Where things are on the 各月统计 sheet (rows and columns are 1-based)."""

    columns: list[AnnualColumn]
    header_top: int
    header_rows: int
    first_month_row: int
    year_row: int

    def column_of(self, label: str, group: str = "", sub: str = "") -> int:
        for index, col in enumerate(self.columns, start=2):
            if col.label == label and (not group or col.group == group) and col.sub == sub:
                return index
        raise KeyError(label)


def annual_table(
    columns: Sequence[AnnualColumn],
    rows: Sequence[tuple[str, dict[str, Any]]],
    widths: Sequence[float],
) -> ReportTable:
    """The 各月统计 table: 月份 and the column groups over two or three header rows (a
    label without a middle header spans both lower rows), a row per month and the 全年
    row (bold), the note under it."""
    levels = 3 if any(c.sub for c in columns) else 2
    top: list[TableCell] = [TableCell(MONTH_LABEL, rows=levels)]
    middle: list[TableCell] = []
    bottom: list[TableCell] = []
    index = 0
    while index < len(columns):
        end = index
        while end + 1 < len(columns) and columns[end + 1].group == columns[index].group:
            end += 1
        top.append(TableCell(columns[index].group, cols=end - index + 1))
        position = index
        while position <= end:
            member = columns[position]
            stop = position
            if member.sub:
                while stop + 1 <= end and columns[stop + 1].sub == member.sub:
                    stop += 1
                middle.append(TableCell(member.sub, cols=stop - position + 1))
                bottom += [TableCell(columns[leaf].label) for leaf in range(position, stop + 1)]
            else:
                middle.append(TableCell(member.label, rows=levels - 1))
            position = stop + 1
        index = end + 1
    header_rows = (tuple(top), tuple(middle), *([tuple(bottom)] if levels > 2 else []))
    return ReportTable(
        caption="",
        headers=(),
        header_rows=header_rows,
        rows=tuple((label, *(col.get(fig) for col in columns)) for label, fig in rows),
        total_row=True,
        note=_ANNUAL_NOTE,
        widths=tuple(widths),
    )


def annual_workbook(report: AnnualReport) -> tuple[Workbook, AnnualLayout]:
    columns = annual_columns(report)
    ncols = len(columns) + 1
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = ANNUAL_SHEET
    rows = [*report.by_month, (YEAR_LABEL, report.figures)]
    # numbers never wrap: a column is as wide as its longest number needs (else ####)
    widths = [
        _MONTH_WIDTH,
        *(
            max(_NUMBER_WIDTH, 1.2 * max(len(str(col.get(fig))) for _label, fig in rows) + 1.6)
            for col in columns
        ),
    ]
    w = _Writer(ws, widths)
    total_width = w.span_width(1, ncols)

    title = f"{report.unit}{report.year}年各月生态环境保护工作情况统计表"
    w.put(1, 1, ncols, title, _title_font(), _CENTRE)
    w.height(1, _height(title, total_width, _TITLE_SIZE, 12.0))
    half = ncols // 2
    w.put(2, 1, half, f"填报单位：{report.unit}", _font(), _LEFT)
    w.put(2, half + 1, ncols, f"统计年度：{report.year}年", _font(), _RIGHT)
    w.height(2, 22.0)
    top = 3
    table = SheetTable(annual_table(columns, rows, widths), widths, _ANNUAL_STYLE)
    row = table.write(ws, top)
    levels = table.header_count
    first = top + levels
    year_row = first + len(rows) - 1
    signature = _signature_line(report)
    w.put(row, 1, half, signature, _font(), _LEFT)
    w.put(row, half + 1, ncols, f"制表日期：{report.made_on_text}", _font(), _RIGHT)
    w.height(row, 24.0)

    page_setup(ws, "landscape")
    ws.print_title_rows = f"{top}:{first - 1}"
    ws.freeze_panes = f"B{first}"  # the month column and the header stay in view
    layout = AnnualLayout(columns, top, levels, first, year_row)
    _charts(wb, ws, report, layout)
    return wb, layout


def _signature_line(report: AnnualReport) -> str:
    # the annual report carries no 填表人; the unit signs it
    return f"填报单位（盖章）：{report.signature_unit or report.unit}"


def _charts(wb: Workbook, data: Worksheet, report: AnnualReport, layout: AnnualLayout) -> None:
    ws = wb.create_sheet(CHART_SHEET)
    title = f"{report.unit}{report.year}年各月工作情况图表"
    ws.cell(row=1, column=1, value=title).font = _title_font()
    ws.cell(row=1, column=1).alignment = _CENTRE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=18)
    ws.row_dimensions[1].height = 30
    for index in range(1, 19):
        ws.column_dimensions[get_column_letter(index)].width = 8.6
    first, last = layout.first_month_row, layout.first_month_row + len(report.by_month) - 1
    months = Reference(data, min_col=1, min_row=first, max_row=last)

    def series(label: str, group: str, title: str) -> ChartSeries:
        column = layout.column_of(label, group)
        ref = Reference(data, min_col=column, min_row=first, max_row=last)
        return Series(ref, title=title)

    work = BarChart()
    work.type = "col"
    work.grouping = "clustered"
    work.title = f"{report.year}年各月巡查检查次数和宣传活动场次"
    work.y_axis.title = "次数／场次"
    work.x_axis.title = "月份"
    work.series.append(series("检查次数", "巡查检查", "巡查检查（次）"))
    work.series.append(series("活动场次", "宣传活动", "宣传活动（场）"))
    tasks = LineChart()
    tasks.title = f"{report.year}年各月整改任务新增与办结情况"
    tasks.y_axis.title = "项"
    tasks.x_axis.title = "月份"
    tasks.series.append(series("新增", "整改任务（项）", "新增整改（项）"))
    tasks.series.append(series("办结", "整改任务（项）", "办结整改（项）"))
    tasks.series.append(series("期末在办", "整改任务（项）", "月末在办（项）"))
    for chart in (work, tasks):
        chart.set_categories(months)
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = "0"
        if chart.legend is not None:
            chart.legend.position = "b"
        chart.width = 27.0  # type: ignore[assignment]  # cm; the stub says int
        chart.height = 8.6
    for line in tasks.series:
        line.smooth = False
        line.marker = Marker(symbol="circle", size=6)
    ws.add_chart(work, "A2")
    ws.add_chart(tasks, "A20")
    page_setup(ws, "landscape", fit_height=1)


COVERAGE_SHEET = "巡查完成情况"
_COVERAGE_WIDTH = 150.0  # A4 landscape, in column width units


def add_coverage_sheet(wb: Workbook, report: AnnualReport) -> None:
    """Sheet "巡查完成情况": the patrols owed and done per site and month (the annual
    report's coverage appendix), A4 landscape one page wide. None when no site owed."""
    table = report.coverage_appendix
    if table is None:
        return
    ws = wb.create_sheet(COVERAGE_SHEET)
    widths = scaled_widths(table, _COVERAGE_WIDTH)
    set_column_widths(ws, widths)
    sheet_table = SheetTable(table, widths, _ANNUAL_STYLE)
    title = f"{report.unit}{table.caption}"
    put(ws, 1, 1, title, font=_title_font(), alignment=_CENTRE, last_col=len(widths))
    ws.row_dimensions[1].height = 30
    sheet_table.write(ws, 2)
    page_setup(ws, "landscape")


TOWNSHIP_SHEET = "各乡镇统计"
_TOWNSHIP_WIDTH = 110.0  # A4 portrait would squeeze ten columns: landscape, one page wide


def add_township_sheet(wb: Workbook, report: AnnualReport) -> None:
    """County mode: sheet "各乡镇统计", the year's main figures per township and the
    county's 合计 (the report's township appendix). Nothing on a township's database."""
    table = report.township_appendix
    if table is None:
        return
    ws = wb.create_sheet(TOWNSHIP_SHEET)
    widths = scaled_widths(table, _TOWNSHIP_WIDTH)
    set_column_widths(ws, widths)
    title = f"{report.unit}{table.caption}"
    put(ws, 1, 1, title, font=_title_font(), alignment=_CENTRE, last_col=len(widths))
    ws.row_dimensions[1].height = 30
    SheetTable(table, widths, _ANNUAL_STYLE).write(ws, 2)
    page_setup(ws, "landscape")


def write_annual_xlsx(report: AnnualReport, path: Path) -> None:
    """The annual report's figures by month: sheet "各月统计" (1月…12月 and 全年, A4
    landscape), sheet "图表" (monthly inspections/outreach and rectification), sheet
    "巡查完成情况" (patrols per site and month) and, in county mode, "各乡镇统计"."""
    wb, _layout = annual_workbook(report)
    add_coverage_sheet(wb, report)
    add_township_sheet(wb, report)
    _save(path, wb)
