"""月末报送's checklist against a month built to trip each check once, and the rules of
passing a check with a reason."""

from __future__ import annotations

import pytest

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.services.submission.close import (
    CloseError,
    close_blockers,
    close_checks,
    notes_text,
    require_month,
    unexplained,
)

from .close_helpers import CLOSE_DAY, TOWNSHIP_CODE, build_close_world, issue_key

NOVEMBER = parse_period("2026-11")


def test_each_check_finds_what_the_month_holds(ctx) -> None:  # type: ignore[no-untyped-def]
    world = build_close_world(ctx)
    checks = {c.key: c for c in close_checks(ctx, NOVEMBER, today=CLOSE_DAY)}
    assert list(checks) == [
        "rule_errors",
        "incomplete_sites",
        "tasks_overdue",
        "requests_overdue",
        "patrols_missing",
    ]
    assert checks["rule_errors"].title == "本月记录不符合表单规则"
    (broken,) = checks["rule_errors"].items
    assert broken.record_id == world.broken and "巡查人员" in broken.text
    (site,) = checks["incomplete_sites"].items
    assert site.record_id == world.new_site and site.text == "新发现小作坊（排污单位）"
    (task,) = checks["tasks_overdue"].items
    # 20 November to 2 December
    assert task.record_id == world.overdue_task and "已逾期12天" in task.text
    assert "河道边堆放生活垃圾" in task.text and "2026年11月20日" in task.text
    (request,) = checks["requests_overdue"].items
    assert request.record_id == world.overdue_request and "赵六" in request.text
    (patrol,) = checks["patrols_missing"].items
    assert patrol.record_id == world.water_site
    assert patrol.text == "金竹沟水源地（饮用水水源地）2026年11月应巡查2次，已巡查1次，缺1次"
    assert not any(c.passed for c in checks.values())


def test_a_clean_month_passes_every_check(ctx) -> None:  # type: ignore[no-untyped-def]
    checks = close_checks(ctx, NOVEMBER, today=CLOSE_DAY)
    assert [c.passed for c in checks] == [True] * 5
    assert unexplained(checks, {}) == []


def test_a_failing_check_needs_a_reason_that_is_not_blank(ctx) -> None:  # type: ignore[no-untyped-def]
    build_close_world(ctx)
    checks = close_checks(ctx, NOVEMBER, today=CLOSE_DAY)
    reasons = {
        "rule_errors": "表单修改前录入，已核实",
        "incomplete_sites": "  ",
        "tasks_overdue": "已报县局同意延期",
        "requests_overdue": "申请人已撤回，待补录",
    }
    assert [c.key for c in unexplained(checks, reasons)] == ["incomplete_sites", "patrols_missing"]


def test_the_notes_file_keeps_every_check_and_each_reason(ctx) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    build_close_world(ctx)
    checks = close_checks(ctx, NOVEMBER, today=CLOSE_DAY)
    reasons = {c.key: f"理由{i}" for i, c in enumerate(checks)}
    text = notes_text("龙河镇人民政府", NOVEMBER, checks, reasons, datetime(2026, 12, 2, 9, 30))
    lines = text.split("\r\n")
    assert lines[0] == "龙河镇人民政府2026年11月月末报送说明"
    assert lines[1] == "生成时间：2026-12-02 09:30"
    assert "3. 整改任务逾期未办结：1项" in lines
    assert "   说明：理由2" in lines
    assert "5. 本月巡查未达要求：1项" in lines and "   说明：理由4" in lines


@pytest.mark.parametrize("text", ["2026-Q4", "2026"])
def test_only_a_month_is_closed(text: str) -> None:
    with pytest.raises(CloseError, match="按月"):
        require_month(parse_period(text))
    require_month(parse_period("2026-02"))


def test_blockers_name_a_missing_code_and_key_then_a_key_for_another_township(
    ctx, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    assert close_blockers(ctx) == [
        "请先在“设置”中填写本乡镇的统计用区划代码。",
        "尚未导入报送密钥：请在“设置 → 报送密钥”中导入县级签发的密钥文件。",
    ]
    issue_key(ctx, tmp_path)  # brings the key's code into 设置
    assert close_blockers(ctx) == []
    save_settings(ctx, {"township_code": "510521105000"})
    assert close_blockers(ctx) == [
        f"已导入的报送密钥属于 {TOWNSHIP_CODE}，与本单位的统计用区划代码 510521105000 不符。"
    ]


def test_a_check_that_found_nothing_says_none(ctx) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    checks = close_checks(ctx, NOVEMBER, today=CLOSE_DAY)
    text = notes_text("龙河镇人民政府", NOVEMBER, checks, {}, datetime(2026, 12, 2, 9, 30))
    assert text.split("\r\n")[4:9] == [
        "1. 本月记录不符合表单规则：无",
        "2. 监管对象信息待完善：无",
        "3. 整改任务逾期未办结：无",
        "4. 依申请公开逾期未答复：无",
        "5. 本月巡查未达要求：无",
    ]
