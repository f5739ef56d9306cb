"""Word documents in the official-document format (党政机关公文格式 GB/T 9704—2012).

``OfficialDocument`` is a small writer over python-docx that the annual report, the
monthly summary and later the 政府信息公开 notices and disclosure report share:

- A4, margins 上37 下35 左28 右26 mm (版心 156 mm × 225 mm);
- title 2号 (22 pt) 方正小标宋简体, centred, long titles broken into balanced lines;
- body 3号 (16 pt) 仿宋, first line indented two characters, exact line pitch 28.95 pt
  (22 lines × 28.95 pt = 224.7 mm fit the 225 mm 版心; 29 pt would leave room for 21);
- 一、 headings 黑体, （一） headings 楷体 (as paragraphs with an outline level, so Word's
  navigation pane lists them), text black;
- page numbers 4号 宋体 "— 1 —" from a PAGE field, odd pages right and even pages left,
  one character in from the edge, about 7 mm below the text block;
- tables with single borders, text 仿宋 五号, a bold caption, a repeated header row.

Fonts. Every run names its font in ``w:ascii``, ``w:hAnsi`` and ``w:eastAsia`` (Word
picks the East-Asian slot for Chinese characters, so setting only ``w:ascii`` — what
``run.font.name`` does — leaves Chinese text in the default font). We write the names
present on every Windows since Vista: 仿宋 (FangSong), 楷体 (KaiTi), 黑体 (SimHei),
宋体 (SimSun) — 仿宋_GB2312/楷体_GB2312 are missing on a stock Windows 10/11, where Word
would show them in 宋体, while an office that has them sees the same design under 仿宋.
The title names 方正小标宋简体, the font the format asks for, which many offices lack;
the font table declares it as a GB2312 (charset 86) serif font with 宋体 as its
alternative name, so Word and WPS draw a missing 方正小标宋简体 in 宋体 (their own
substitution does the same for a Chinese serif font), and the text still reads as the
title. ``Fonts`` lets a caller choose other names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from gongkai_desktop.services.documents.content import (
    LEFT,
    Block,
    ReportTable,
    cell_text,
    entry_value,
)

# ---- the format's numbers -------------------------------------------------------------
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37  # 天头
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28  # 订口
MARGIN_RIGHT_MM = 26
# Footer distance: the bottom of the page-number line. With a 14 pt line this puts the
# 一字线 about 7 mm below the text block (measured on the rendered page).
FOOTER_DISTANCE_MM = 25.4
HEADER_DISTANCE_MM = 15

TITLE_PT = 22.0  # 2号
BODY_PT = 16.0  # 3号
PAGE_NUMBER_PT = 14.0  # 4号
TABLE_PT = 10.5  # 五号
CAPTION_PT = 12.0  # 小四
LINE_PITCH_PT = 28.95
CELL_MARGIN_TWIPS = 57  # 1 mm each side of a table cell's text

BLACK = RGBColor(0, 0, 0)
RED = RGBColor(0xC0, 0, 0)
EM_DASH = "\u2014"  # 一字线


@dataclass(frozen=True)
class Fonts:
    title: str = "方正小标宋简体"
    body: str = "仿宋"
    heading1: str = "黑体"
    heading2: str = "楷体"
    page_number: str = "宋体"


# What the font table says about each font, so a missing one is replaced by a like one:
# (English alternative name, panose, family, pitch)
_FONT_FACTS = {
    "方正小标宋简体": ("宋体", "02000000000000000000", "roman", "variable"),
    "宋体": ("SimSun", "02010600030101010101", "auto", "variable"),
    "仿宋": ("FangSong", "02010609060101010101", "modern", "fixed"),
    "楷体": ("KaiTi", "02010609060101010101", "modern", "fixed"),
    "黑体": ("SimHei", "02010609060101010101", "modern", "fixed"),
    "仿宋_GB2312": ("仿宋", "02010609030101010101", "modern", "fixed"),
    "楷体_GB2312": ("楷体", "02010609030101010101", "modern", "fixed"),
}

_CN_NUMBERS = "一二三四五六七八九十"


def text_width(text: str) -> float:
    """Width in characters of the body size: Chinese and full-width count 1, the rest ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def title_lines(text: str, per_line: int) -> list[str]:
    """Break a long title into lines of at most ``per_line`` characters, the way offices
    set them: the issuing unit alone on the first line (before 关于), the rest in lines
    of nearly equal length with the longer ones on top (梯形), no line a lone word."""
    text = text.strip()
    if text_width(text) <= per_line:
        return [text]
    lines: list[str] = []
    at = text.find("关于")
    if at > 0 and text_width(text[:at]) <= per_line:
        lines.append(text[:at])
        text = text[at:]
    if text_width(text) <= per_line:
        return [*lines, text]
    count = int(-(-text_width(text) // per_line))  # ceil
    target = text_width(text) / count
    rest = text
    for remaining in range(count, 1, -1):
        target = text_width(rest) / remaining
        cut, width = 0, 0.0
        while cut < len(rest) and width + text_width(rest[cut]) <= max(target + 0.5, 1):
            width += text_width(rest[cut])
            cut += 1
        # never leave a closing mark or 的 at a line start, or an opening one at the end
        while cut < len(rest) and rest[cut] in "）》”，。、的" and width < per_line:
            width += text_width(rest[cut])
            cut += 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return [line for line in lines if line]


# where a title may break without cutting a phrase: before these words …
_BREAK_BEFORE = (
    "关于", "开展情况", "工作开展情况", "工作情况", "情况的报告", "的报告", "工作总结", "整改",
)  # fmt: skip
# … and after these characters (a closing mark or a joining word)
_BREAK_AFTER = "”》）暨、，"


def phrase_title_lines(text: str, per_line: int) -> list[str]:
    """A title in lines broken only where a phrase ends — before 关于, before a year
    (2023年), before 开展情况 or 的报告, after a closing quotation mark or 暨, never inside
    quotation marks — choosing
    the most even break that fits; ``title_lines`` when no such break fits."""
    text = text.strip()
    if text_width(text) <= per_line:
        return [text]
    at = text.find("关于")
    if at > 0 and text_width(text[:at]) <= per_line:
        # the issuing unit alone on the first line, the subject broken on its own
        return [text[:at], *phrase_title_lines(text[at:], per_line)]
    depth, inside = 0, set()
    for i, char in enumerate(text):
        if char in "“《（":
            depth += 1
        elif char in "”》）":
            depth = max(0, depth - 1)
        if depth:
            inside.add(i + 1)  # a break before text[i + 1] would cut the quotation
    cuts = {
        i
        for i in range(1, len(text))
        if i not in inside
        and (
            text[i - 1] in _BREAK_AFTER
            or any(text.startswith(w, i) for w in _BREAK_BEFORE)
            or (not text[i - 1].isdigit() and re.match(r"\d{4}年", text[i:]) is not None)
        )
    }
    fitting = [i for i in cuts if max(text_width(text[:i]), text_width(text[i:])) <= per_line]
    if not fitting:
        return title_lines(text, per_line)
    best = min(fitting, key=lambda i: abs(text_width(text[:i]) - text_width(text[i:])))
    return [text[:best], text[best:]]


def _run_in_heading(text: str) -> tuple[str, str] | None:
    """A paragraph that opens with a numbered heading sentence ("（一）立足本职，压紧压实
    工作责任。继续…") has that sentence in the heading's font: (kind, heading part)."""
    if text.startswith("（") and len(text) > 2 and text[1] in _CN_NUMBERS:
        close = text.find("）")
        if 0 < close <= 4:
            end = text.find("。")
            return ("heading2", text if end < 0 else text[: end + 1])
    head = text.split("、", 1)[0]
    if "、" in text and head and len(head) <= 2 and all(c in _CN_NUMBERS for c in head):
        end = text.find("。")
        return ("heading1", text if end < 0 else text[: end + 1])
    return None


# ---- low-level formatting helpers -------------------------------------------------------
def set_run_font(
    run: Run,
    name: str,
    size: float,
    *,
    bold: bool = False,
    color: RGBColor = BLACK,
) -> None:
    """The run's font in every slot (ascii, hAnsi, eastAsia, cs), its size and colour."""
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")  # "—", "“" and "…" take the Chinese font's width
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        rpr.append(size_cs)
    size_cs.set(qn("w:val"), str(round(size * 2)))


def paragraph_format(
    paragraph: Paragraph,
    *,
    line_pt: float,
    align: WD_PARAGRAPH_ALIGNMENT = WD_PARAGRAPH_ALIGNMENT.JUSTIFY,
    first_line_chars: int = 0,
    char_pt: float = BODY_PT,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    if first_line_chars:
        fmt.first_line_indent = Pt(char_pt * first_line_chars)
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    else:
        fmt.first_line_indent = Pt(0)


def _outline_level(paragraph: Paragraph, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    ppr.append(element)


def _page_field(paragraph: Paragraph, font: str, size: float) -> None:
    """A PAGE field: begin / instrText / separate / shown number / end."""
    parts = [("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)]
    for char_type, text in parts:
        run = paragraph.add_run()
        set_run_font(run, font, size)
        if char_type:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), char_type)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""


def _set_cell_width(cell: _Cell, twips: int) -> None:
    cell.width = Twips(twips)


def _insert_in_tbl_pr(tbl_pr: object, element: object, successors: tuple[str, ...]) -> None:
    """Insert before the first successor present: Word insists on the schema's order."""
    for tag in successors:
        found = tbl_pr.find(qn(f"w:{tag}"))  # type: ignore[attr-defined]
        if found is not None:
            found.addprevious(element)
            return
    tbl_pr.append(element)  # type: ignore[attr-defined]


def table_borders(table: Table) -> None:
    """Single black borders all round and inside; narrow cell margins (1 mm each side)."""
    tbl_pr = table._tbl.tblPr
    borders = parse_xml(
        f"<w:tblBorders {nsdecls('w')}>"
        + "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders>"
    )
    _insert_in_tbl_pr(tbl_pr, borders, ("shd", "tblLayout", "tblCellMar", "tblLook"))
    margins = parse_xml(
        f"<w:tblCellMar {nsdecls('w')}>"
        f'<w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
        "</w:tblCellMar>"
    )
    _insert_in_tbl_pr(tbl_pr, margins, ("tblLook", "tblCaption", "tblDescription"))


def column_widths(table: ReportTable, available_twips: int, font_pt: float) -> list[int]:
    """Column widths in twips filling ``available_twips``.

    Short columns (numbers, dates, 逾期N天) get the width their longest cell needs on one
    line; the columns of long text share the rest in the ratio of ``table.widths``. When
    that would squeeze the long-text columns below 60 % of their share, the plain ratio
    is used instead."""
    count = len(table.headers)
    weights = table.widths or tuple(
        max(2.0, min(8.0, text_width(str(h)) / 2)) for h in table.headers
    )
    total = sum(weights)
    share = [available_twips * w / total for w in weights]
    padding = 2 * CELL_MARGIN_TWIPS + 20
    natural = []
    body_need = []  # the longest cell on one line, with room for bold and wider digits
    for i in range(count):
        body = max((text_width(str(entry_value(row[i]))) for row in table.rows), default=0.0)
        header = min(text_width(str(table.headers[i])), 4.0)
        body_need.append(body * 1.5 * font_pt * 20 + padding)
        natural.append(max(body_need[i], header * font_pt * 20 + padding))
    fixed = [i for i in range(count) if natural[i] <= 1.6 * share[i]]
    flex = [i for i in range(count) if i not in fixed]
    if not flex:  # every column fits on one line: share what is left by the ratio
        extra = available_twips - sum(natural)
        if extra < 0:  # too wide for the page: headers wrap, cells keep one line
            spare = available_twips - sum(body_need)
            if spare <= 0:
                scale = available_twips / sum(natural)
                return [int(n * scale) for n in natural]
            excess = [n - b for n, b in zip(natural, body_need, strict=True)]
            return [
                int(b + spare * e / (sum(excess) or 1))
                for b, e in zip(body_need, excess, strict=True)
            ]
        return [int(natural[i] + extra * weights[i] / total) for i in range(count)]
    left = available_twips - sum(natural[i] for i in fixed)
    flex_total = sum(weights[i] for i in flex)
    widths = [0.0] * count
    for i in fixed:
        widths[i] = natural[i]
    for i in flex:
        widths[i] = left * weights[i] / flex_total
        if widths[i] < 0.6 * share[i]:
            return [int(w) for w in share]
    return [int(w) for w in widths]


def _header_lines_width(header: str) -> float:
    """The width of a header set on at most two lines: broken before its unit "（…）"
    when it has one, else in the middle."""
    at = header.find("（", 1)
    if at > 0:
        return max(text_width(header[:at]), text_width(header[at:]))
    half = -(-len(header) // 2)
    return max(text_width(header[:half]), text_width(header[half:]))


def fitted_widths(table: ReportTable, available_twips: int, font_pt: float) -> list[int] | None:
    """Column widths in twips from the content: each column at least as wide as its
    longest cell on one line and its header on two lines at most; what is left is shared
    in proportion. None when the columns do not fit at ``font_pt`` (take a smaller size)."""
    padding = 2 * CELL_MARGIN_TWIPS + 40
    need = []
    for i, header in enumerate(table.headers):
        cells = [str(entry_value(row[i])) for row in table.rows]
        # digits and Latin letters of 仿宋 run a little wider than half a character
        body = max((text_width(c) * 1.15 for c in cells), default=0.0)
        need.append(max(body, _header_lines_width(str(header))) * font_pt * 20 + padding)
    if sum(need) > available_twips:
        return None
    extra = available_twips - sum(need)
    return [int(n + extra * n / sum(need)) for n in need]


def ratio_widths(table: ReportTable, available_twips: int) -> list[int]:
    """Column widths in twips filling ``available_twips`` in the ratio of
    ``table.widths`` (equal widths when it has none), taken as millimetres (whole twips)
    and scaled to the line: the official tables give their widths in mm of the page."""
    weights = table.widths or (10,) * table.column_count
    scale = available_twips / Mm(sum(weights)).twips
    return [int(Mm(w).twips * scale) for w in weights]


def row_flags(row: object, *, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


# ---- the document ------------------------------------------------------------------------
class OfficialDocument:
    """A Word document laid out to GB/T 9704. Add content top to bottom, then ``save``."""

    def __init__(
        self,
        *,
        body_size: float = BODY_PT,
        line_pitch: float = LINE_PITCH_PT,
        fonts: Fonts | None = None,
    ) -> None:
        self.fonts = fonts or Fonts()
        self.body_size = body_size
        self.line_pitch = line_pitch
        self.document = Document()
        self._set_defaults()
        self._declare_fonts()
        section = self.document.sections[0]
        self._page_setup(section, landscape=False)
        self.document.settings.odd_and_even_pages_header_footer = True
        self._footers(section)

    # -- set-up
    def _set_defaults(self) -> None:
        styles = self.document.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        for key in list(fonts.attrib):
            del fonts.attrib[key]
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), self.fonts.body)
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr.find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        normal = self.document.styles["Normal"]
        normal.font.size = Pt(self.body_size)
        normal.font.color.rgb = BLACK
        normal_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            normal_fonts.set(qn(attr), self.fonts.body)
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = Pt(self.line_pitch)
        normal.paragraph_format.space_after = Pt(0)

    def _declare_fonts(self) -> None:
        """Add our fonts to the font table (see the module note on fallbacks)."""
        part = self.document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
        root = parse_xml(part.blob)
        names = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
        wanted = [
            self.fonts.title,
            self.fonts.body,
            self.fonts.heading1,
            self.fonts.heading2,
            self.fonts.page_number,
        ]
        for name in dict.fromkeys(wanted):
            if name in names or name not in _FONT_FACTS:
                continue
            alt, panose, family, pitch = _FONT_FACTS[name]
            root.append(
                parse_xml(
                    f'<w:font {nsdecls("w")} w:name="{name}">'
                    f'<w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
                    f'<w:charset w:val="86"/><w:family w:val="{family}"/>'
                    f'<w:pitch w:val="{pitch}"/></w:font>'
                )
            )
        from lxml import etree

        # the font table is a plain part in python-docx: replace its bytes
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_setup(self, section: object, *, landscape: bool) -> None:
        s = section  # docx.section.Section
        if landscape:
            # the portrait page turned a quarter: 订口 (left) becomes the top
            s.orientation = WD_ORIENT.LANDSCAPE  # type: ignore[attr-defined]
            s.page_width, s.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)  # type: ignore[attr-defined]
            s.top_margin, s.bottom_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)  # type: ignore[attr-defined]
            s.left_margin, s.right_margin = Mm(MARGIN_BOTTOM_MM), Mm(MARGIN_TOP_MM)  # type: ignore[attr-defined]
        else:
            s.orientation = WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
            s.page_width, s.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)  # type: ignore[attr-defined]
            s.top_margin, s.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)  # type: ignore[attr-defined]
            s.left_margin, s.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)  # type: ignore[attr-defined]
        s.footer_distance = Mm(FOOTER_DISTANCE_MM)  # type: ignore[attr-defined]
        s.header_distance = Mm(HEADER_DISTANCE_MM)  # type: ignore[attr-defined]
        s.gutter = Mm(0)  # type: ignore[attr-defined]
        grid = s._sectPr.find(qn("w:docGrid"))  # type: ignore[attr-defined]
        if grid is not None:
            # no snapping grid: every paragraph has an exact line pitch of its own, and
            # a "lines" grid would make LibreOffice/WPS stretch table rows to 28.95 pt
            grid.attrib.pop(qn("w:type"), None)
            grid.set(qn("w:linePitch"), str(round(self.line_pitch * 20)))

    def _footers(self, section: object) -> None:
        """ "— 1 —": odd pages right, even pages left, one character in from the edge."""
        size, font = PAGE_NUMBER_PT, self.fonts.page_number
        for footer, align in (
            (section.footer, WD_PARAGRAPH_ALIGNMENT.RIGHT),  # type: ignore[attr-defined]
            (section.even_page_footer, WD_PARAGRAPH_ALIGNMENT.LEFT),  # type: ignore[attr-defined]
        ):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph_format(paragraph, line_pt=size * 1.2, align=align)
            if align == WD_PARAGRAPH_ALIGNMENT.RIGHT:
                paragraph.paragraph_format.right_indent = Pt(size)
            else:
                paragraph.paragraph_format.left_indent = Pt(size)
            set_run_font(paragraph.add_run(f"{EM_DASH} "), font, size)
            _page_field(paragraph, font, size)
            set_run_font(paragraph.add_run(f" {EM_DASH}"), font, size)
        for header in (section.header, section.even_page_header):  # type: ignore[attr-defined]
            header.is_linked_to_previous = False

    # -- geometry
    @property
    def text_width_twips(self) -> int:
        s = self.document.sections[-1]
        # every section of an OfficialDocument sets its page size and margins
        assert s.page_width is not None and s.left_margin is not None
        assert s.right_margin is not None
        return int((s.page_width - s.left_margin - s.right_margin) / 635)

    @property
    def chars_per_line(self) -> int:
        return int(self.text_width_twips / 20 // self.body_size)

    # -- content
    def _add(self, text: str = "") -> Paragraph:
        return self.document.add_paragraph(text) if text else self.document.add_paragraph()

    def _body_paragraph(
        self,
        *,
        align: WD_PARAGRAPH_ALIGNMENT = WD_PARAGRAPH_ALIGNMENT.JUSTIFY,
        first_line_chars: int = 2,
        size: float | None = None,
        line_pt: float | None = None,
    ) -> Paragraph:
        paragraph = self._add()
        paragraph_format(
            paragraph,
            line_pt=line_pt or self.line_pitch,
            align=align,
            first_line_chars=first_line_chars,
            char_pt=size or self.body_size,
        )
        return paragraph

    def title(self, text: str, size: float = TITLE_PT, *, whole_phrases: bool = False) -> Paragraph:
        """The centred title in 方正小标宋简体, broken into balanced lines (with
        ``whole_phrases`` only where a phrase ends: ``phrase_title_lines``)."""
        paragraph = self._body_paragraph(
            align=WD_PARAGRAPH_ALIGNMENT.CENTER,
            first_line_chars=0,
            size=size,
            line_pt=max(self.line_pitch, size * 1.6),
        )
        per_line = int(self.text_width_twips / 20 // size)
        breaker = phrase_title_lines if whole_phrases else title_lines
        for i, line in enumerate(breaker(text, per_line)):
            run = paragraph.add_run(line)
            set_run_font(run, self.fonts.title, size)
            if i:
                run._r.insert(1, OxmlElement("w:br"))  # after the rPr, which comes first
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def blank_line(self) -> Paragraph:
        paragraph = self._body_paragraph(first_line_chars=0)
        set_run_font(paragraph.add_run(""), self.fonts.body, self.body_size)
        return paragraph

    def addressee(self, text: str) -> Paragraph:
        """主送机关: flush left, no indent, after one blank line under the title."""
        self.blank_line()
        paragraph = self._body_paragraph(first_line_chars=0)
        set_run_font(paragraph.add_run(text), self.fonts.body, self.body_size)
        return paragraph

    def heading1(self, text: str) -> Paragraph:
        paragraph = self._body_paragraph()
        set_run_font(paragraph.add_run(text), self.fonts.heading1, self.body_size)
        _outline_level(paragraph, 0)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def heading2(self, text: str) -> Paragraph:
        paragraph = self._body_paragraph()
        set_run_font(paragraph.add_run(text), self.fonts.heading2, self.body_size)
        _outline_level(paragraph, 1)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def paragraph(
        self,
        text: str,
        *,
        indent: bool = True,
        align: WD_PARAGRAPH_ALIGNMENT = WD_PARAGRAPH_ALIGNMENT.JUSTIFY,
        size: float | None = None,
        line_pt: float | None = None,
        font: str | None = None,
        bold: bool = False,
        color: RGBColor = BLACK,
        run_in_headings: bool = True,
    ) -> Paragraph:
        """A body paragraph, indented two characters. One that opens with "（一）…。" or
        "一、…。" has that sentence in 楷体 or 黑体, as the format's hierarchy asks."""
        size = size or self.body_size
        paragraph = self._body_paragraph(
            align=align, first_line_chars=2 if indent else 0, size=size, line_pt=line_pt
        )
        head = _run_in_heading(text) if run_in_headings and font is None else None
        if head:
            kind, head_text = head
            head_font = self.fonts.heading2 if kind == "heading2" else self.fonts.heading1
            set_run_font(paragraph.add_run(head_text), head_font, size, bold=bold, color=color)
            text = text[len(head_text) :]
        if text or not head:
            run = paragraph.add_run(text)
            set_run_font(run, font or self.fonts.body, size, bold=bold, color=color)
        return paragraph

    def table(
        self,
        table: ReportTable,
        *,
        font_size: float = TABLE_PT,
        caption: bool = True,
        caption_size: float = CAPTION_PT,
        caption_align: WD_PARAGRAPH_ALIGNMENT = WD_PARAGRAPH_ALIGNMENT.CENTER,
        row_height_mm: float = 0,
        line_pt: float = 0,
        bold: bool = True,
        widths: Sequence[int] | None = None,
    ) -> Table:
        """A bordered table: bold caption, header rows repeated on every page, merged
        cells where a cell spans rows or columns, marked rows in red, a bold 合计 row,
        ``empty_text`` in one row when there are no rows, and the note under it.

        A simple table's columns are as wide as their content needs, in the ratio of
        ``table.widths`` for long text (``column_widths``); a table with merged cells
        keeps the ratio of ``table.widths`` exactly. ``line_pt`` is the exact line pitch
        in the cells (by default 1.4 times the font size); ``bold=False`` sets every
        cell in the regular weight, as the official forms print. ``widths`` (twips) sets
        the columns outright."""
        if caption and table.caption:
            cap = self.paragraph(
                table.caption,
                indent=False,
                align=caption_align,
                size=caption_size,
                line_pt=caption_size * 1.8,
                bold=True,
                run_in_headings=False,
            )
            cap.paragraph_format.keep_with_next = True
            cap.paragraph_format.space_before = Pt(caption_size / 2)
        columns = table.column_count
        header_rows = len(table.head)
        grid = self.document.add_table(rows=header_rows + (len(table.rows) or 1), cols=columns)
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False  # w:tblLayout fixed: the widths below hold
        table_borders(grid)
        if widths is not None:
            widths = list(widths)  # the caller sized the columns (in twips)
        elif table.simple:
            widths = column_widths(table, self.text_width_twips, font_size)
        else:
            widths = ratio_widths(table, self.text_width_twips)
        for i, column in enumerate(grid.columns):
            column.width = Twips(widths[i])
        line_pt = line_pt or round(font_size * 1.4, 1)

        def fill(cell: _Cell, text: str, *, bold: bool, color: RGBColor, left: bool) -> None:
            for extra in cell.paragraphs[1:]:  # a merge keeps each cell's empty paragraph
                extra._p.getparent().remove(extra._p)
            paragraph = cell.paragraphs[0]
            paragraph_format(
                paragraph,
                line_pt=line_pt,
                align=WD_PARAGRAPH_ALIGNMENT.LEFT if left else WD_PARAGRAPH_ALIGNMENT.CENTER,
            )
            for n, part in enumerate(text.split("\n")):
                run = paragraph.add_run(part)
                set_run_font(run, self.fonts.body, font_size, bold=bold, color=color)
                if n:
                    run._r.insert(1, OxmlElement("w:br"))  # after rPr
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

        if row_height_mm:
            for row in grid.rows:
                row.height = Mm(row_height_mm)
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for r, row in enumerate(grid.rows):
            row_flags(row, header=r < header_rows)
            for i, cell in enumerate(row.cells):
                _set_cell_width(cell, widths[i])
        for placed in table.placed():
            cell = grid.cell(placed.row, placed.col)
            if placed.spans:
                cell = cell.merge(grid.cell(placed.last_row, placed.last_col))
            value = placed.cell.value
            text = cell_text(value, placed.cell.number_format, table.show_zeros)
            span = sum(widths[placed.col : placed.last_col + 1])
            room = (span - 2 * CELL_MARGIN_TWIPS) / 20
            if placed.header and "（" in text[1:] and text_width(text) * font_size > room:
                # a header too wide for its column: the unit "（人次）" on a line of its own
                at = text.index("（", 1)
                text = f"{text[:at]}\n{text[at:]}"
            if placed.cell.align:
                left = placed.cell.align == LEFT
            else:
                long_text = isinstance(value, str) and text_width(text) * font_size > room
                left = not placed.header and long_text
            # marked rows bold as well, for black-and-white printers
            weight = bold and (placed.bold or placed.marked)
            color = RED if placed.marked else BLACK
            fill(cell, text, bold=weight, color=color, left=left)
        if not table.rows:
            row = grid.rows[header_rows]
            merged = row.cells[0].merge(row.cells[-1])
            fill(merged, table.empty_text, bold=False, color=BLACK, left=False)
        if table.note:
            self.paragraph(
                table.note,
                indent=False,
                size=font_size,
                line_pt=line_pt * 1.2,
                run_in_headings=False,
            )
        return grid

    def signature(self, unit: str, date_text: str, *, blank_lines: int = 2) -> None:
        """发文机关署名 and 成文日期 for a stamped document (GB/T 9704 7.3.5.1): the date
        four characters in from the right edge, the unit centred over the date (or flush
        right when it is much longer), a couple of lines below the body for the seal.
        The last body paragraph goes to the next page with them, so the signature never
        stands alone on a page."""
        body = self.document.element.body
        last = body[-2] if len(body) > 1 else None  # the last element is the sectPr
        if last is not None and last.tag == qn("w:p"):
            Paragraph(last, self.document._body).paragraph_format.keep_with_next = True
        for _ in range(blank_lines):
            self.blank_line().paragraph_format.keep_with_next = True
        date_w = text_width(date_text)
        unit_w = text_width(unit)
        date_indent = 4.0
        unit_indent = max(0.0, date_indent + (date_w - unit_w) / 2)
        if unit_w + unit_indent > self.chars_per_line:
            unit_indent = 0.0
        for text, indent in ((unit, unit_indent), (date_text, date_indent)):
            if not text:
                continue
            paragraph = self._body_paragraph(align=WD_PARAGRAPH_ALIGNMENT.RIGHT, first_line_chars=0)
            paragraph.paragraph_format.right_indent = Pt(self.body_size * indent)
            paragraph.paragraph_format.keep_with_next = text == unit
            set_run_font(paragraph.add_run(text), self.fonts.body, self.body_size)

    def left_right(self, left: str, right: str, *, size: float | None = None) -> Paragraph:
        """One line with text flush left and text flush right (a right tab stop at the
        right margin), e.g. 填表人… on the left and 制表日期 on the right. When both do
        not fit on one line, the right-hand text goes flush right on the next."""
        size = size or self.body_size
        paragraph = self._body_paragraph(
            align=WD_PARAGRAPH_ALIGNMENT.LEFT, first_line_chars=0, size=size, line_pt=size * 1.6
        )
        room = self.text_width_twips / 20 / size  # characters of this size per line
        if text_width(left) + text_width(right) + 2 > room:
            set_run_font(paragraph.add_run(left), self.fonts.body, size)
            paragraph.paragraph_format.keep_with_next = True
            paragraph = self._body_paragraph(
                align=WD_PARAGRAPH_ALIGNMENT.RIGHT,
                first_line_chars=0,
                size=size,
                line_pt=size * 1.6,
            )
            set_run_font(paragraph.add_run(right), self.fonts.body, size)
            return paragraph
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            Twips(self.text_width_twips), WD_TAB_ALIGNMENT.RIGHT
        )
        set_run_font(paragraph.add_run(f"{left}\t{right}"), self.fonts.body, size)
        return paragraph

    def page_break(self) -> None:
        paragraph = self._body_paragraph(first_line_chars=0)
        paragraph.add_run().add_break(WD_BREAK.PAGE)

    def new_section(self, *, landscape: bool) -> None:
        """Start a new page in a new section, portrait or landscape (wide tables); the
        page numbers continue."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        self._page_setup(section, landscape=landscape)

    def set_properties(self, *, title: str, author: str = "", subject: str = "") -> None:
        props = self.document.core_properties
        props.title = title
        props.author = author
        props.last_modified_by = author
        props.subject = subject
        props.comments = ""
        props.keywords = ""
        props.language = "zh-CN"
        now = datetime.now().replace(microsecond=0)  # not the template's 2013 dates
        props.created = now
        props.modified = now
        props.revision = 1

    def save(self, target: BinaryIO | Path) -> None:
        self.document.save(target)  # type: ignore[arg-type]


def add_blocks(doc: OfficialDocument, blocks: Iterable[Block], **table_options: Any) -> None:
    """Lay out ``content.Block`` objects in order; tables with ``OfficialDocument.table``
    and ``table_options`` (``line_pt``, ``bold``, …)."""
    for block in blocks:
        if block.kind == "heading1":
            doc.heading1(block.text)
        elif block.kind == "heading2":
            doc.heading2(block.text)
        elif block.kind == "table" and block.table is not None:
            doc.table(block.table, **table_options)
        else:
            doc.paragraph(block.text)
