"""Which choice a hand-written value means: the exact label or synonym (``known``), or a
suggestion with its reason (``suggest``) shown to the clerk before anything is stored.

Registers typed by hand write a choice as its category plus reason (``不予处理（重复申请）``
for ``（五）2.重复申请``), a short form (``信函``), "nothing" in words (``无``, ``没有``), or,
in a two-way column such as 未发现/发现, the problem itself (``发现生活污水直排口1处``).
Each rule below gives a suggestion only when it points at exactly one label: between
equals nothing is guessed and the clerk decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.services.io.cell_text import normalise

# the category words of table 三 of the 政府信息公开工作年度报告 and their numbering
CATEGORIES = {
    "予以公开": "（一）",
    "部分公开": "（二）",
    "不予公开": "（三）",
    "无法提供": "（四）",
    "不予处理": "（五）",
    "其他处理": "（六）",
}
NOTHING = frozenset(
    {"无", "没有", "未发现", "无违规", "没发现", "暂无", "否", "—", "-", "/", "无违规活动",
     "未发现违规", "未发现违规活动", "没有违规", "无此类", "无此情况"}
)  # fmt: skip
_NEGATION = re.compile(r"^(无|未|没有|没|不存在|暂无)")
_DIGIT = re.compile(r"[0-9一二三四五六七八九十两]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_OPEN = "([{【〔｛<《「『"
_CLOSE = ")]}】〕｝>》」』"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPEN, "("), **dict.fromkeys(_CLOSE, ")")})
# （五）2.  （一）  2、  ①: the numbering in front of a label
_NUMBERING = re.compile(r"^(\([一二三四五六七八九十]+\))?\s*(\d+[.．、])?\s*")
_SPLIT = re.compile(r"[、,，;；/／\s]+")


@dataclass(frozen=True)
class Suggestion:
    value: str | tuple[str, ...]  # a label, or labels of a multi-choice (() = nothing)
    reason: str  # shown to the clerk
    keep_text: bool = False  # the written text belongs in the column's detail field


def squeeze(text: str) -> str:
    """Width, every kind of bracket, spaces and a final 。 do not count."""
    value = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return re.sub(r"\s+", "", value).rstrip("。.")


def core(label: str) -> str:
    """A label without its numbering: ``（五）2.重复申请`` → ``重复申请``."""
    text = squeeze(label)
    stripped = _NUMBERING.sub("", text, count=1)
    return stripped or text


def _inner(text: str) -> tuple[str, str]:
    """(text before the brackets, text inside the last brackets) of ``不予处理(重复申请)``."""
    m = re.fullmatch(r"(.*?)\((.+)\)", text)
    if m is None:
        return text, ""
    return m[1], m[2]


class ChoiceMatcher:
    """Reads one choice field's cells; cheap to build, ``known`` is one dict lookup."""

    def __init__(self, spec: FieldSpec, problem_choice: str | None = None) -> None:
        self.spec = spec
        self.labels = tuple(spec.choices)
        self.problem_choice = problem_choice if problem_choice in self.labels else None
        self.exact: dict[str, str] = {normalise(label): label for label in self.labels}
        for synonym, label in spec.choice_synonyms.items():
            self.exact.setdefault(normalise(synonym), label)
        # squeezed label, core and synonym → labels (several when they collide)
        self.loose: dict[str, set[str]] = {}
        for label in self.labels:
            for key in (squeeze(label), core(label)):
                self.loose.setdefault(key, set()).add(label)
        for synonym, label in spec.choice_synonyms.items():
            self.loose.setdefault(squeeze(synonym), set()).add(label)

    def known(self, text: str) -> str | None:
        return self.exact.get(normalise(text))

    # ---- single choice -----------------------------------------------------------------
    def _one(self, labels: set[str] | list[str]) -> str | None:
        found = set(labels)
        return next(iter(found)) if len(found) == 1 else None

    def _by_text(self, text: str) -> str | None:
        """A label by its squeezed text, its core, or a synonym."""
        return self._one(self.loose.get(text, set()) or self.loose.get(core(text), set()))

    def _containing(self, text: str) -> str | None:
        """The one label (or synonym) whose text holds ``text`` or is held in it; the
        longest wins among those held in it."""
        if len(text) < 2:
            return None
        holders = {label for key, labels in self.loose.items() if text in key for label in labels}
        if len(holders) == 1:
            return next(iter(holders))
        if holders:
            return None
        held = [
            (len(key), labels)
            for key, labels in self.loose.items()
            if len(key) >= 2 and key in text
        ]
        if not held:
            return None
        longest = max(length for length, _ in held)
        return self._one(
            {label for length, labels in held if length == longest for label in labels}
        )

    def _category(self, word: str, reason: str) -> tuple[str, str] | None:
        """(label, why) for a category word plus reason: ``其他处理（其他）`` → （六）3.其他."""
        number = CATEGORIES.get(word)
        if number is None:
            return None
        leaves = [label for label in self.labels if squeeze(label).startswith(squeeze(number))]
        if not leaves:
            return None
        if reason:
            wanted = squeeze(reason)
            hits = [label for label in leaves if core(label) == wanted] or [
                label for label in leaves if wanted in core(label) or core(label) in wanted
            ]
            if len(hits) == 1:
                return hits[0], f"“{word}”一类中的“{reason}”"
            if hits:
                return None
        if len(leaves) == 1:
            return leaves[0], f"“{word}”一类只有这一项"
        if not reason or squeeze(reason) == "其他":
            other = [label for label in leaves if core(label) == "其他"]
            if len(other) == 1:
                return other[0], f"“{word}”一类中的“其他”"
        return None

    def suggest(self, text: str) -> Suggestion | None:
        """A suggestion for a value that is not ``known``, or None when nothing points
        at exactly one label."""
        written = str(text).strip()
        value = squeeze(written)
        if not value:
            return None
        label = self._by_text(value)
        if label is not None:
            return Suggestion(label, f"与选项“{label}”写法不同")
        outer, inner = _inner(value)
        if inner:
            found = self._by_text(inner) or self._containing(inner)
            if found is not None:
                return Suggestion(found, f"括号内“{inner}”对应“{found}”")
            by_category = self._category(outer, inner)
            if by_category is not None:
                return Suggestion(by_category[0], by_category[1])
        by_category = self._category(value, "")
        if by_category is not None:
            return Suggestion(by_category[0], by_category[1])
        if self.problem_choice is not None:
            # a two-way column: longer text describes what was found (or says nothing was)
            return self._problem(written, value)
        found = self._containing(value)
        if found is not None:
            return Suggestion(found, f"是“{found}”的简写或另一写法")
        return None

    def _problem(self, written: str, value: str) -> Suggestion | None:
        """Free text in a two-way column: a problem described, or its absence said."""
        if self.problem_choice is None or len(_CJK.findall(value)) < 2:
            return None
        others = [label for label in self.labels if label != self.problem_choice]
        if _NEGATION.match(value) and not _DIGIT.search(value):
            # "no problem" reads as the first other choice: the lists put the good state
            # first (未发现, 规范, 完好, 正常运行, 按期开展)
            ok = others[0] if others else None
            if ok is None:
                return None
            return Suggestion(ok, f"“{written}”表示没有问题")
        return Suggestion(
            self.problem_choice,
            f"描述了问题，按“{self.problem_choice}”导入，原文记入说明",
            keep_text=True,
        )

    # ---- multi-choice --------------------------------------------------------------------
    def suggest_multi(self, text: str) -> Suggestion | None:
        """A multi-choice cell: "nothing" written out → (); each part known or suggested."""
        value = squeeze(text)
        if value in NOTHING or normalise(value) in NOTHING:
            return Suggestion((), f"“{text.strip()}”表示没有")
        parts = [p for p in _SPLIT.split(unicodedata.normalize("NFKC", text)) if p.strip()]
        labels: list[str] = []
        reasons: list[str] = []
        for part in parts:
            label = self.known(part)
            if label is None:
                if squeeze(part) in NOTHING:
                    continue
                hint = self.suggest(part)
                if hint is None or not isinstance(hint.value, str) or hint.keep_text:
                    return None
                label = hint.value
                reasons.append(f"“{part}”→“{label}”")
            if label not in labels:
                labels.append(label)
        if not labels and not reasons:
            return Suggestion((), f"“{text.strip()}”表示没有")
        ordered = tuple(sorted(labels, key=self.labels.index))
        return Suggestion(ordered, "；".join(reasons) or "各项均为选项")
