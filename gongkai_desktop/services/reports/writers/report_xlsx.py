"""Excel outputs of the summary reports (issue 5 items 2–3).

``write_monthly_xlsx`` lays the 月度工作小结 (``report_monthly.MonthlySummary``) out on one
A4 portrait sheet; ``write_annual_xlsx`` writes the annual report's figures by month
(``report_annual.AnnualReport.by_month``) as a statistics table on A4 landscape, with
charts on a second sheet. Both only lay out what the content objects decided, with the
print conventions of the ledgers (DOMAIN §0: merged title, bold bordered header, A4,
one page wide, footer 第 &P 页 共 &N 页). Files are written atomically.

The monthly sheet holds tables of different column counts (6, 2, 5, 6, 6). They share
one grid: each table's columns are placed by their relative widths on a fixed page
width, the grid's columns are the union of every table's column edges (edges closer
than ``_SNAP`` are merged), and each table column spans the grid columns between its
edges as merged cells. Every table then prints at its own proportions, full width.

Row heights are set explicitly from the text length (Excel and LibreOffice do not
fit merged cells to their text), so nothing is clipped on paper.
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
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.services.documents.content import ReportTable
from gongkai_desktop.services.documents.sheet_tables import FOOTER_TEXT, line_count
from gongkai_desktop.services.io.file_output import ExportError, write_atomically
from gongkai_desktop.services.reports.annual import AnnualReport
from gongkai_desktop.services.reports.monthly import MonthlySummary

MONTHLY_SHEET = "月度小结"
ANNUAL_SHEET = "各月统计"
CHART_SHEET = "图表"

INTEGER_FORMAT = "0"
RED = "FFC00000"

# Monthly sheet: the printable width of A4 portrait with the margins below, in column
# width units (about 2 mm each), and the closest two column edges may come.
_PAGE_WIDTH = 88.0
_SNAP = 1.6
# The printable height of that page in points (A4 11.69 in less 1.3 in of margins), with
# a little to spare for fonts taller than measured: where manual page breaks go.
_PAGE_HEIGHT = (11.69 - 1.3) * 72 * 0.9
MAX_MONTHLY_PAGES = 2

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)

_FONT = "宋体"
_TITLE_SIZE = 16
_TEXT_SIZE = 11
_TABLE_SIZE = 10
_UNIT_SIZE = 11  # the font size sheet_tables.text_width measures in


def _font(size: float = _TEXT_SIZE, bold: bool = False, color: str | None = None) -> Font:
    return Font(name=_FONT, size=size, bold=bold, color=color)


def _title_font() -> Font:
    return Font(name="黑体", size=_TITLE_SIZE, bold=True)


def _line_height(size: float) -> float:
    """Points per line of text: CJK fonts (宋体, and the Noto fallbacks LibreOffice uses)
    need about 1.4 times their size."""
    return size * 1.4


def _height(text: str, width: float, size: float, padding: float = 6.0) -> float:
    lines = line_count(text, width, size / _UNIT_SIZE)
    return round(lines * _line_height(size) + padding, 1)


class ReportXlsxError(ExportError):
    """A report .xlsx that could not be written; the message says why, in Chinese."""


# ---- shared sheet helpers ---------------------------------------------------------------
class _Writer:
    """Writes styled, possibly merged cells on one sheet."""

    def __init__(self, ws: Worksheet, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = list(widths)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = round(width, 2)

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
        cell = self.ws.cell(row=row, column=first, value=value)
        cell.font = font
        cell.alignment = alignment
        if isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = INTEGER_FORMAT
        bottom = last_row or row
        if last > first or bottom > row:
            self.ws.merge_cells(start_row=row, start_column=first, end_row=bottom, end_column=last)
        if border is not None:
            for r in range(row, bottom + 1):
                for c in range(first, last + 1):
                    self.ws.cell(row=r, column=c).border = border
        return cell

    def height(self, row: int, points: float) -> None:
        self.ws.row_dimensions[row].height = points


def _page_setup(ws: Worksheet, orientation: str, fit_height: int = 0, fit: bool = True) -> None:
    """A4 with our margins and footer. ``fit=False`` prints at 100 % (for a sheet laid
    out to the page width already): Excel ignores manual page breaks under "fit to"."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if fit:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = fit_height
    else:
        ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=fit)
    ws.print_options.horizontalCentered = True
    side = 0.6 if orientation == "portrait" else 0.4
    ws.page_margins.left = ws.page_margins.right = side
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = FOOTER_TEXT
    ws.oddFooter.center.size = 10
    ws.oddFooter.center.font = _FONT


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
        caption_height = _height(table.caption, _PAGE_WIDTH, _TEXT_SIZE, 4.0)
        header_height = max(
            20.0,
            *(
                _height(label, width, _TABLE_SIZE, 8.0)
                for label, width in zip(table.headers, widths, strict=True)
            ),
        )
        row_heights = [
            max(
                20.0,
                *(
                    _height(str(v), width, _TABLE_SIZE, 7.0)
                    for v, width in zip(values, widths, strict=True)
                ),
            )
            for values in table.rows
        ] or [20.0]
        # a caption and header never end a page: keep them with the first rows (a short
        # table stays whole)
        self.keep_together(caption_height + header_height + sum(row_heights[:8]))
        self.full(table.caption, _font(_TEXT_SIZE, bold=True), _LEFT, _TEXT_SIZE, 4.0)
        header_font = _font(_TABLE_SIZE, bold=True)
        for label, (first, last) in zip(table.headers, spans, strict=True):
            w.put(self.row, first, last, label, header_font, _CENTRE, _BORDER)
        self.height(header_height)
        self.row += 1
        if not table.rows:
            w.put(self.row, 1, self.ncols, table.empty_text, _font(_TABLE_SIZE), _CENTRE, _BORDER)
            self.height(20.0)
            self.row += 1
        last_index = len(table.rows) - 1
        for index, values in enumerate(table.rows):
            bold = table.total_row and index == last_index
            color = RED if index in table.marked else None
            font = _font(_TABLE_SIZE, bold=bold, color=color)
            for value, (first, last), width in zip(values, spans, widths, strict=True):
                # text that wraps reads better left-aligned; short text and numbers centred
                wraps = (
                    isinstance(value, str)
                    and line_count(value, width, _TABLE_SIZE / _UNIT_SIZE) > 1
                )
                w.put(self.row, first, last, value, font, _LEFT if wraps else _CENTRE, _BORDER)
            self.height(row_heights[index])
            self.row += 1
        if table.note:
            self.full(table.note, _font(_TABLE_SIZE), _LEFT, _TABLE_SIZE, 5.0)
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
        _page_setup(ws, "portrait", fit_height=MAX_MONTHLY_PAGES)
    else:
        # laid out to the page width, with breaks placed before tables: print at 100 %
        # so that Excel honours the breaks
        _page_setup(ws, "portrait", fit=False)
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
            if label not in labels:
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


def _annual_header(w: _Writer, columns: list[AnnualColumn], top: int, levels: int) -> None:
    font = _font(_TABLE_SIZE, bold=True)
    bottom = top + levels - 1
    w.put(top, 1, 1, MONTH_LABEL, font, _CENTRE, _BORDER, last_row=bottom)
    heights = [18.0] * levels
    index = 0
    while index < len(columns):
        col = columns[index]
        end = index
        while end + 1 < len(columns) and columns[end + 1].group == col.group:
            end += 1
        first_col, last_col = index + 2, end + 2
        w.put(top, first_col, last_col, col.group, font, _CENTRE, _BORDER)
        heights[0] = max(heights[0], _height(col.group, w.span_width(first_col, last_col), 10))
        position = index
        while position <= end:
            member = columns[position]
            stop = position
            if member.sub:
                while stop + 1 <= end and columns[stop + 1].sub == member.sub:
                    stop += 1
                a, b = position + 2, stop + 2
                w.put(top + 1, a, b, member.sub, font, _CENTRE, _BORDER)
                heights[1] = max(heights[1], _height(member.sub, w.span_width(a, b), 10))
                for leaf in range(position, stop + 1):
                    c = leaf + 2
                    w.put(bottom, c, c, columns[leaf].label, font, _CENTRE, _BORDER)
                    needed = _height(columns[leaf].label, w.widths[c - 1], 10)
                    heights[-1] = max(heights[-1], needed)
            else:
                c = position + 2
                w.put(top + 1, c, c, member.label, font, _CENTRE, _BORDER, last_row=bottom)
                needed = _height(member.label, w.widths[c - 1], 10, 8.0)
                # the label spans the lower rows: they share its height
                lower = sum(heights[1:]) if levels > 2 else heights[1]
                if needed > lower:
                    heights[-1] += needed - lower
            position = stop + 1
        index = end + 1
    for level, points in enumerate(heights):
        w.height(top + level, points)


def annual_workbook(report: AnnualReport) -> tuple[Workbook, AnnualLayout]:
    columns = annual_columns(report)
    levels = 3 if any(c.sub for c in columns) else 2
    ncols = len(columns) + 1
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = ANNUAL_SHEET
    rows = [*report.by_month, (YEAR_LABEL, report.figures)]
    # numbers never wrap: a column is as wide as its longest number needs (else ####)
    widths = [
        max(_NUMBER_WIDTH, 1.2 * max(len(str(col.get(fig))) for _label, fig in rows) + 1.6)
        for col in columns
    ]
    w = _Writer(ws, [_MONTH_WIDTH, *widths])
    total_width = w.span_width(1, ncols)

    title = f"{report.unit}{report.year}年各月生态环境保护工作情况统计表"
    w.put(1, 1, ncols, title, _title_font(), _CENTRE)
    w.height(1, _height(title, total_width, _TITLE_SIZE, 12.0))
    half = ncols // 2
    w.put(2, 1, half, f"填报单位：{report.unit}", _font(), _LEFT)
    w.put(2, half + 1, ncols, f"统计年度：{report.year}年", _font(), _RIGHT)
    w.height(2, 22.0)
    top = 3
    _annual_header(w, columns, top, levels)
    first = top + levels
    for offset, (label, fig) in enumerate(rows):
        row = first + offset
        bold = label == YEAR_LABEL
        w.put(row, 1, 1, label, _font(_TABLE_SIZE, bold=bold), _CENTRE, _BORDER)
        for index, col in enumerate(columns, start=2):
            w.put(row, index, index, col.get(fig), _font(_TABLE_SIZE, bold=bold), _CENTRE, _BORDER)
        w.height(row, 20.0)
    year_row = first + len(rows) - 1
    row = year_row + 1
    w.put(row, 1, ncols, _ANNUAL_NOTE, _font(_TABLE_SIZE), _LEFT)
    w.height(row, _height(_ANNUAL_NOTE, total_width, _TABLE_SIZE, 6.0))
    signature = _signature_line(report)
    w.put(row + 1, 1, half, signature, _font(), _LEFT)
    w.put(row + 1, half + 1, ncols, f"制表日期：{report.made_on_text}", _font(), _RIGHT)
    w.height(row + 1, 24.0)

    _page_setup(ws, "landscape")
    ws.print_title_rows = f"{top}:{first - 1}"
    ws.freeze_panes = ws.cell(row=first, column=2)
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

    def series(label: str, group: str, title: str) -> Series:
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
        chart.legend.position = "b"
        chart.width = 27.0
        chart.height = 8.6
    for line in tasks.series:
        line.smooth = False
        line.marker = Marker(symbol="circle", size=6)
    ws.add_chart(work, "A2")
    ws.add_chart(tasks, "A20")
    _page_setup(ws, "landscape", fit_height=1)


def write_annual_xlsx(report: AnnualReport, path: Path) -> None:
    """The annual report's figures by month: sheet "各月统计" (1月…12月 and 全年, A4
    landscape) and sheet "图表" (monthly inspections/outreach and rectification)."""
    wb, _layout = annual_workbook(report)
    _save(path, wb)
