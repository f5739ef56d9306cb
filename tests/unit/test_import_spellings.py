"""Which choice a hand-written value means (intake.choices): every rule on real choice
lists, the values that must not be guessed, and a property test over random spellings."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.services.ledgers.intake.choices import CATEGORIES, ChoiceMatcher, core

REGISTRY = load_registry(Path(__file__).resolve().parents[2] / "forms")
REQUEST = REGISTRY.form("disclosure_request")
INSPECTION = REGISTRY.form("inspection")
OUTCOME = ChoiceMatcher(REQUEST.field("outcome"))
CHANNEL = ChoiceMatcher(REQUEST.field("channel"))
DELIVERY = ChoiceMatcher(REQUEST.field("delivery_method"))
POLLUTION = ChoiceMatcher(INSPECTION.field("pollution_source"), "发现")
STORAGE = ChoiceMatcher(INSPECTION.field("hazardous_storage"), "不规范")
SIGNS = ChoiceMatcher(INSPECTION.field("signs_state"), "缺失或损坏")
VIOLATIONS = ChoiceMatcher(INSPECTION.field("violations"))


@pytest.mark.parametrize(
    ("matcher", "text", "label"),
    [
        (OUTCOME, "不予处理（重复申请）", "（五）2.重复申请"),
        (OUTCOME, "无法提供（本机关不掌握相关政府信息）", "（四）1.本机关不掌握相关政府信息"),
        (OUTCOME, "不予公开（属于三类内部事务信息）", "（三）5.属于三类内部事务信息"),
        (OUTCOME, "不予公开(三类内部事务信息)", "（三）5.属于三类内部事务信息"),
        (OUTCOME, "其他处理（其他）", "（六）3.其他"),
        (OUTCOME, "其他处理", "（六）3.其他"),
        (OUTCOME, "予以公开", "（一）予以公开"),
        (OUTCOME, "部分公开。", "（二）部分公开"),
        (OUTCOME, "重复申请", "（五）2.重复申请"),
        (OUTCOME, "(五)2.重复申请", "（五）2.重复申请"),
        (OUTCOME, "不予处理【信访举报投诉类申请】", "（五）1.信访举报投诉类申请"),
        (OUTCOME, "无法提供（没有现成信息需要另行制作）", "（四）2.没有现成信息需要另行制作"),
        (CHANNEL, "信函", "平常信函（无需签收）"),
        (CHANNEL, "邮寄(需签收)", "邮寄（需签收）"),
        (DELIVERY, "邮寄送达。", "邮寄送达"),
        (POLLUTION, "发现生活污水直排口1处", "发现"),
        (POLLUTION, "未发现问题", "未发现"),
        (POLLUTION, "无异常", "未发现"),
        (STORAGE, "危废标识不全", "不规范"),
        (SIGNS, "围网破损两处", "缺失或损坏"),
    ],
)
def test_a_spelling_is_suggested_as_its_label(
    matcher: ChoiceMatcher, text: str, label: str
) -> None:
    if matcher.known(text) == label:  # width and brackets only: read as the label itself
        return
    suggestion = matcher.suggest(text)
    assert suggestion is not None and suggestion.value == label, suggestion
    assert suggestion.reason


def test_free_text_describing_a_problem_keeps_the_text_and_absence_does_not() -> None:
    found = POLLUTION.suggest("发现生活污水直排口1处")
    assert found is not None and found.keep_text
    absent = POLLUTION.suggest("未发现问题")
    assert absent is not None and not absent.keep_text
    # a negation with a count describes something found ("没有" is not its meaning)
    counted = POLLUTION.suggest("未经处理直排1处")
    assert counted is not None and counted.value == "发现" and counted.keep_text


@pytest.mark.parametrize(
    ("matcher", "text"),
    [
        (OUTCOME, "不予处理"),  # five kinds of 不予处理: the clerk decides
        (OUTCOME, "不予公开"),
        (OUTCOME, "乱写的字"),
        (OUTCOME, "无法提供（不知道）"),
        (CHANNEL, "邮"),  # one character contains nothing
        (DELIVERY, "送达"),  # in three labels
        (POLLUTION, "x"),  # not a description
    ],
)
def test_values_that_are_not_guessed(matcher: ChoiceMatcher, text: str) -> None:
    assert matcher.suggest(text) is None


@pytest.mark.parametrize("text", ["无", "没有", "/", "—", "-", "未发现", "无违规", "暂无"])
def test_nothing_written_out_in_a_multi_choice_is_the_empty_set(text: str) -> None:
    suggestion = VIOLATIONS.suggest_multi(text)
    assert suggestion is not None and suggestion.value == ()


def test_a_multi_choice_cell_with_short_forms_and_separators() -> None:
    suggestion = VIOLATIONS.suggest_multi("垂钓；倾倒 游泳")
    assert suggestion is not None and suggestion.value == ("垂钓", "游泳", "倾倒垃圾")
    assert VIOLATIONS.suggest_multi("垂钓、乱写的字") is None


# ---- random spellings ------------------------------------------------------------------------
BRACKETS = [("（", "）"), ("(", ")"), ("【", "】"), ("[", "]"), ("〔", "〕")]
LEAVES = [label for label in REQUEST.field("outcome").choices]
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _category_of(label: str) -> str:
    for word, number in CATEGORIES.items():
        if label.startswith(number):
            return word
    raise AssertionError(label)


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """(a spelling a clerk might write, the label it means)."""
    label = draw(st.sampled_from(LEAVES))
    reason = core(label)
    word = _category_of(label)
    leaves_of_category = [leaf for leaf in LEAVES if _category_of(leaf) == word]
    forms = [reason, label]
    if len(leaves_of_category) > 1 or reason != word:
        opening, closing = draw(st.sampled_from(BRACKETS))
        forms.append(f"{word}{opening}{reason}{closing}")
    text = draw(st.sampled_from(forms))
    if draw(st.booleans()):  # typed with the full-width keyboard
        text = "".join(FULL_WIDTH.get(ch, ch) for ch in text)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from([" ", "\u3000", "  "])) + text[at:]
    if draw(st.booleans()):
        text += "。"
    return text, label


@settings(max_examples=300, deadline=None)
@given(spellings())
def test_random_spellings_of_an_outcome_map_to_the_intended_label(case: tuple[str, str]) -> None:
    text, label = case
    read = OUTCOME.known(text)
    if read is None:
        suggestion = OUTCOME.suggest(text)
        assert suggestion is not None, text
        read = suggestion.value  # type: ignore[assignment]
    assert read == label, (text, unicodedata.normalize("NFKC", text))


CHANNELS = [label for label in REQUEST.field("channel").choices]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CHANNELS), st.sampled_from(BRACKETS), st.booleans())
def test_random_spellings_of_a_channel_map_to_the_intended_label(
    label: str, brackets: tuple[str, str], wide: bool
) -> None:
    text = label.replace("（", brackets[0]).replace("）", brackets[1])
    if wide:
        text = "".join(FULL_WIDTH.get(ch, ch) for ch in text)
    read = CHANNEL.known(text)
    if read is None:
        suggestion = CHANNEL.suggest(text)
        assert suggestion is not None, text
        read = suggestion.value  # type: ignore[assignment]
    assert read == label
