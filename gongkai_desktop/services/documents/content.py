"""What a summary report says, as plain objects every output renders the same way.

The monthly summary (PDF through ``render/``, .xlsx, .docx) and the annual report
(.docx, .xlsx) are built from these objects, so the PDF, the spreadsheet and the Word
file of one report never disagree: the numbers and sentences are decided once, here
and in ``report_monthly`` / ``report_annual``, and the writers only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Cell = str | int


@dataclass(frozen=True)
class ReportTable:
    """A plain table: a caption, one header row, body rows.

    ``marked`` holds indexes of body rows to highlight (overdue tasks); ``total_row``
    says the last body row is a 合计 row (printed bold). ``empty_text`` is printed in
    one full-width row when there are no body rows, so an empty table still says so.
    """

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    marked: frozenset[int] = frozenset()
    total_row: bool = False
    empty_text: str = "无"
    note: str = ""  # a line printed under the table (e.g. "另有3项未列出")
    # relative column widths, one per header; writers scale them to the page
    widths: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError(f"{self.caption}: row {row!r} does not match the headers")
        if self.widths and len(self.widths) != len(self.headers):
            raise ValueError(f"{self.caption}: widths do not match the headers")


@dataclass(frozen=True)
class Block:
    """One block of an official document's body: ``heading1`` (一、 黑体),
    ``heading2`` (（一） 楷体), ``paragraph`` (仿宋, indented two characters)
    or ``table``."""

    kind: str
    text: str = ""
    table: ReportTable | None = None


@dataclass(frozen=True)
class Signature:
    filler: str = ""
    reviewer: str = ""
    phone: str = ""

    def line(self) -> str:
        """The 填表人／审核人／联系电话 line printed under summaries, as on the ledgers."""
        return (
            f"填表人：{self.filler or '　' * 4}　　审核人：{self.reviewer or '　' * 4}"
            f"　　联系电话：{self.phone or '　' * 6}"
        )


@dataclass(frozen=True)
class Photo:
    path: str  # absolute path of the stored copy
    caption: str


def we(township: str, unit: str) -> str:
    """How the office names itself in running text: 我镇, 我乡 or 我街道."""
    name = (township or unit).strip()
    for suffix in ("街道", "乡", "镇"):
        if name.endswith(suffix) or (suffix in name and not township):
            return f"我{suffix}"
    return "我镇"


def join_cn(items: list[str]) -> str:
    """A、B和C: the way a Chinese list reads in running text."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return "、".join(items[:-1]) + "和" + items[-1]


def percent(done: int, required: int) -> str:
    """完成率 as printed: one decimal, "—" where nothing was required."""
    if required <= 0:
        return "—"
    return f"{done * 100 / required:.1f}%"


def counted(label: str, n: int, unit: str) -> str:
    """饮用水水源地巡查8次; a label ending in a digit is quoted so the numbers do not run
    together (“12345”5项)."""
    shown = f"“{label}”" if label[-1:].isdigit() else label
    return f"{shown}{n}{unit}"


def nonzero_parts(counts: dict[str, Any], unit: str) -> list[str]:
    """["饮用水水源地巡查8次", …] for the labels with a non-zero count, in form order."""
    return [counted(label, n, unit) for label, n in counts.items() if n]
