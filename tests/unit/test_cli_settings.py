"""``gongkai settings show|set``: every 设置 item, read back from the database file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from gongkai_desktop.services.settings import SETTINGS

from .work_helpers import Run

pytestmark = pytest.mark.usefixtures("fresh_log_handler")

# one value per item, written here independently of the code
VALUES = {
    "unit_name": "青山镇人民政府",
    "township": "青山镇",
    "county": "云阳县",
    "addressee": "县委、县政府",
    "issuer": "青山镇人民政府",
    "unit_head": "陈镇长",
    "filler": "王小红",
    "reviewer": "李建国",
    "phone": "023-55123456",
    "address": "云阳县青山镇政府街1号",
    "postcode": "404500",
    "notice_number_pattern": "青山公开〔{年}〕{序号}号",
    "township_code": "500235101000",
    "usage": "乡镇填报",
    "due_day": "5",
}


def stored(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT key, value FROM settings").fetchall())
    finally:
        conn.close()


def test_every_setting_can_be_set_and_shown(run: Run, db_path: Path) -> None:
    keys = [s.key for s in SETTINGS]
    for key in keys:
        value = VALUES.get(key, f"{key}的值")  # items added later get a value too
        code, out, err = run("settings", "set", key, value)
        assert (code, err) == (0, "")
        assert out.startswith("已设置：") and value in out
    expected = {k: VALUES.get(k, f"{k}的值") for k in keys}
    assert {k: v for k, v in stored(db_path).items() if k in expected} == expected
    code, out, err = run("settings", "show", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == expected
    code, out, _err = run("settings", "show")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "unit_name\t单位名称\t青山镇人民政府"
    assert "addressee\t主送机关\t县委、县政府" in lines
    assert len(lines) == len(keys)


def test_a_setting_the_office_cannot_use_is_refused(run: Run, db_path: Path) -> None:
    code, _out, err = run("settings", "set", "notice_number_pattern", "青山公开〔{年}〕号")
    assert code == 2 and "{序号}" in err
    assert "notice_number_pattern" not in stored(db_path)


def test_set_by_label_and_clear(run: Run, db_path: Path) -> None:
    assert run("settings", "set", "主送机关", "县委、县政府")[0] == 0
    assert stored(db_path)["addressee"] == "县委、县政府"
    code, out, _ = run("settings", "set", "addressee", "")
    assert code == 0 and out.strip() == "已清空：主送机关"
    assert stored(db_path).get("addressee", "") == ""


def test_an_unknown_key_exits_2_listing_the_keys(run: Run) -> None:
    code, out, err = run("settings", "set", "unit", "青山镇")
    assert (code, out) == (2, "")
    assert err.startswith("错误：没有设置项“unit”")
    for spec in SETTINGS:
        assert f"{spec.key}（{spec.label}）" in err


def test_a_value_too_long_exits_2(run: Run, db_path: Path) -> None:
    code, _out, err = run("settings", "set", "postcode", "1" * 11)
    assert code == 2 and "不能超过10个字" in err
    assert "postcode" not in stored(db_path)


def test_township_code_usage_and_due_day_are_checked(run: Run, db_path: Path) -> None:
    for value, words in (
        ("50023510100", "12位数字"),
        ("990235101000", "省级代码"),
        ("500235000000", "县级代码"),
        ("500235101201", "末三位应为000"),
    ):
        code, _out, err = run("settings", "set", "township_code", value)
        assert code == 2 and words in err and "统计用区划代码" in err
    assert run("settings", "set", "usage", "市级")[0] == 2
    assert run("settings", "set", "due_day", "31")[0] == 2
    assert not {"township_code", "usage", "due_day"} & set(stored(db_path))
