"""The Chinese font printed documents use.

The office's own 宋体/仿宋 when the system has it (every Windows PC does); otherwise the
fonts shipped in ``resources/fonts/``: AR PL SungtiL GB (a 宋体 face covering GB 2312)
with Droid Sans Fallback behind it for rarer characters (all 20 902 CJK Unified
Ideographs). With no usable CJK font at all printing stops with ``FontMissingError``
rather than producing a PDF full of empty boxes.

A system family is taken only if it has TrueType outlines: Qt's PDF writer converts a
CFF-based font (Noto/Source Han Serif CJK) but writes a wrong ToUnicode map for it
(生 comes out as the Kangxi radical ⽣, digits as control characters), so the PDF
looks right but cannot be searched or copied from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QRawFont

from gongkai_desktop import paths
from gongkai_desktop.domain.errors import GongkaiError

log = logging.getLogger(__name__)

# In order of preference: 宋体 and 仿宋 as Windows and macOS name them, then serif CJK.
SYSTEM_FAMILIES = (
    "SimSun",
    "宋体",
    "NSimSun",
    "新宋体",
    "FangSong",
    "仿宋",
    "仿宋_GB2312",
    "STSong",
    "STFangsong",
    "Songti SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
)
# Shipped in resources/fonts/, first = main face, the rest fill in missing characters.
BUNDLED_FONT_FILES = ("gbsn00lp.ttf", "DroidSansFallbackFull.ttf")

# Characters every monthly summary prints (headings, table headers, units, footer,
# digits and punctuation): a font that lacks any of them is not used as the main face.
PRINTED_SAMPLE = (
    "生态环境保护工作小结宣传活动巡查检查监管对象完成率整改任务期初未办结本期新增"
    "逾期在办序号编号问题时限状态填表人审核联系电话制表日期第页共另有项列出详见台账"
    "一二三四五、，。；：（）“”%0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-—…"
)


class FontMissingError(GongkaiError):
    """No font able to print Chinese text was found."""


@dataclass(frozen=True)
class PrintFont:
    """The families to print with: the main face first, fallbacks after it."""

    families: tuple[str, ...]
    bundled: bool  # True when the fonts come from resources/fonts/

    def font(self, point_size: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setFamilies(list(self.families))
        font.setPointSizeF(point_size)
        font.setBold(bold)
        return font

    def css_families(self) -> str:
        """The families as a CSS ``font-family`` value for document HTML."""
        return ", ".join(f"'{name}'" for name in self.families)


def missing_characters(raw: QRawFont, text: str = PRINTED_SAMPLE) -> str:
    return "".join(dict.fromkeys(c for c in text if not raw.supportsCharacter(ord(c))))


def _usable(raw: QRawFont, name: str) -> bool:
    if not raw.isValid():
        return False
    if not raw.fontTable("glyf"):
        log.info("打印字体：跳过“%s”（不是 TrueType 轮廓，PDF 中的文字无法检索）", name)
        return False
    missing = missing_characters(raw)
    if missing:
        log.info("打印字体：跳过“%s”（缺少字符 %s）", name, missing)
        return False
    return True


def _system_family(candidates: Iterable[str]) -> str | None:
    installed = set(QFontDatabase.families())
    for name in candidates:
        if name not in installed:
            continue
        font = QFont(name)
        font.setPointSize(12)
        if _usable(QRawFont.fromFont(font), name):
            return name
    return None


# file path -> family registered by QFontDatabase.addApplicationFont (once per process)
_registered: dict[Path, str] = {}


def _register(path: Path) -> str | None:
    if path in _registered:
        return _registered[path]
    if not path.is_file():
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("打印字体：无法载入 %s", path)
        return None
    _registered[path] = families[0]
    return families[0]


def _bundled_families(fonts_dir: Path) -> list[str]:
    found = []
    for index, name in enumerate(BUNDLED_FONT_FILES):
        path = fonts_dir / name
        family = _register(path)
        if family is None:
            continue
        if index == 0 and not _usable(QRawFont(str(path), 12), family):
            continue
        found.append(family)
    return found


def print_font(*, use_system: bool = True, fonts_dir: Path | None = None) -> PrintFont:
    """Choose the printing font; needs a QGuiApplication.

    ``use_system=False`` skips the installed fonts (tests of the bundled ones);
    ``fonts_dir`` replaces ``resources/fonts/`` (an empty folder simulates a bundle
    without fonts).
    """
    folder = fonts_dir if fonts_dir is not None else paths.resources_dir() / "fonts"
    if use_system:
        family = _system_family(SYSTEM_FAMILIES)
        if family is not None:
            return PrintFont((family,), bundled=False)
    bundled = _bundled_families(folder)
    if bundled:
        return PrintFont(tuple(bundled), bundled=True)
    raise FontMissingError(
        "找不到可用于打印的中文字体：系统中没有宋体或仿宋，程序自带的字体文件"
        f"（{folder}）也缺失或已损坏。请安装宋体（SimSun）或重新安装本程序。"
    )
