"""The command line, run in-process on a temporary database."""

from __future__ import annotations

import argparse
import importlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gongkai_desktop.cli.common import InputError, add_period_arguments, period_from_args
from gongkai_desktop.data import migrate
from gongkai_desktop.domain.periods import Period
from gongkai_desktop.services.maintenance.backup import list_backups

from .conftest import REPO_FORMS
from .test_migrations import make_0001_database
from .work_helpers import Run

# every test gets its own log handler (main() installs one per process); the ``run``
# and ``fresh_log_handler`` fixtures come from work_helpers through conftest.py
pytestmark = pytest.mark.usefixtures("fresh_log_handler")


def add_site(run: Run, name: str, **extra: object) -> str:
    values = {"site_type": "排污单位", "name": name, "village": "东村", **extra}
    code, out, err = run("add", "site", "--json", json.dumps(values, ensure_ascii=False))
    assert (code, err) == (0, ""), err
    return out.strip()


def listed(run: Run, *flags: str) -> list[dict]:
    code, out, err = run("list", "site", "--json", *flags)
    assert (code, err) == (0, "")
    return [json.loads(line) for line in out.splitlines()]


def test_forms(run: Run) -> None:
    code, out, err = run("forms")
    assert code == 0 and err == ""
    expected = []
    for path in sorted(REPO_FORMS.glob("*.yaml")):
        if path.name == "lists.yaml":
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        count = sum(len(section["fields"]) for section in doc["sections"])
        expected.append(f"{doc['id']}\t{doc['title']}\t{count}个字段")
    assert out.splitlines() == expected
    assert "site\t监管对象\t" in out


def test_add_prints_the_new_id(run: Run, db_path: Path) -> None:
    record_id = add_site(run, "甲厂", patrol_times=2)
    conn = sqlite3.connect(db_path)
    stored = conn.execute("SELECT form_id, title, data FROM records WHERE id = ?", (record_id,))
    form_id, title, data = stored.fetchone()
    conn.close()
    assert (form_id, title) == ("site", "甲厂")
    assert json.loads(data)["patrol_times"] == 2


def test_list_and_list_json(run: Run) -> None:
    first = add_site(run, "甲厂", phone="0123-456789")
    second = add_site(run, "乙厂")
    code, out, _ = run("list", "site")
    assert code == 0
    assert out.splitlines() == [f"{first}\t甲厂", f"{second}\t乙厂"]
    objects = listed(run)
    assert [o["id"] for o in objects] == [first, second]
    keys = ["id", *(line.split(":")[0] for line in _site_keys())]
    for obj in objects:
        assert list(obj) == keys  # every field key, empty ones as null
    assert objects[0]["phone"] == "0123-456789" and objects[1]["phone"] is None
    assert objects[0]["status"] == "在用"


def _site_keys() -> list[str]:
    from gongkai_desktop.forms.loader import load_registry
    from gongkai_desktop.paths import forms_dir

    return [f.key for f in load_registry(forms_dir()).form("site").fields]


def test_update_delete_restore(run: Run) -> None:
    record_id = add_site(run, "甲厂")
    code, out, err = run(
        "update", "site", record_id, "--json", '{"name": "甲化工厂", "phone": "12345"}'
    )
    assert (code, out.strip(), err) == (0, record_id, "")
    (obj,) = listed(run)
    assert (obj["name"], obj["phone"]) == ("甲化工厂", "12345")

    code, out, _ = run("delete", "site", record_id)
    assert code == 0 and out.strip() == f"已移入回收站：{record_id}"
    assert listed(run) == []
    (binned,) = listed(run, "--deleted")
    assert binned["id"] == record_id

    code, out, _ = run("restore", "site", record_id)
    assert code == 0 and out.strip() == f"已从回收站恢复：{record_id}"
    assert [o["id"] for o in listed(run)] == [record_id]
    assert listed(run, "--deleted") == []


def test_invalid_input_exits_2_naming_the_field(run: Run, db_path: Path) -> None:
    code, out, err = run("add", "site", "--json", '{"site_type": "排污单位", "village": "东村"}')
    assert (code, out) == (2, "")
    assert err.strip() == "错误：名称：必填"
    code, _, err = run(
        "add",
        "site",
        "--json",
        '{"site_type": "工厂", "name": "甲", "village": "东村", "patrol_times": -1}',
    )
    assert code == 2
    assert "类型：“工厂”不是可选项" in err and "要求巡查次数：不能小于0" in err
    code, _, err = run(
        "add", "site", "--json", '{"site_type": "其他", "name": "甲", "village": "东", "colour": 1}'
    )
    assert code == 2 and "colour" in err and "没有这个字段" in err
    record_id = add_site(run, "甲厂")
    code, _, err = run("update", "site", record_id, "--json", '{"phone": "abc"}')
    assert code == 2 and err.startswith("错误：联系电话：只能填写数字")
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM records").fetchone() == (1,)
    conn.close()


def test_unknown_form_and_record(run: Run) -> None:
    code, _, err = run("add", "nope", "--json", "{}")
    known = sorted(p.stem for p in REPO_FORMS.glob("*.yaml") if p.name != "lists.yaml")
    assert code == 2 and err.strip() == f"错误：未知的表单“nope”。可用的表单：{'、'.join(known)}"
    code, _, err = run("list", "nope")
    assert code == 2 and "未知的表单“nope”" in err
    code, _, err = run("delete", "site", "no-such-id")
    assert code == 2 and "找不到记录 no-such-id" in err
    record_id = add_site(run, "甲厂")
    code, _, err = run("delete", "nope", record_id)
    assert code == 2 and "未知的表单“nope”" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{name: 甲}", "--json 不是有效的 JSON"),
        ('["甲厂"]', "--json 应为一个对象"),
        ("", "--json 不是有效的 JSON"),
    ],
)
def test_bad_json_exits_2(run: Run, text: str, message: str) -> None:
    code, out, err = run("add", "site", "--json", text)
    assert (code, out) == (2, "")
    assert err.startswith(f"错误：{message}")


def test_sites_by_name_in_json(
    run: Run, visit_forms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGKAI_FORMS", str(visit_forms))
    site_id = add_site(run, "甲厂")
    code, out, err = run(
        "add", "visit", "--json", '{"visit_date": "2024-05-06", "site": "甲厂", "result": "正常"}'
    )
    assert code == 0, err
    visit_id = out.strip()
    code, out, _ = run("list", "visit", "--json")
    (obj,) = [json.loads(line) for line in out.splitlines()]
    assert (obj["id"], obj["site"], obj["result"]) == (visit_id, site_id, "未发现问题")
    code, _, err = run(
        "add", "visit", "--json", '{"visit_date": "2024-05-06", "site": "乙厂", "result": "正常"}'
    )
    assert code == 2 and "巡查对象：找不到名为“乙厂”的监管对象" in err
    # a record id of another form is refused by update
    code, _, err = run("update", "site", visit_id, "--json", "{}")
    assert code == 2 and f"记录 {visit_id} 不属于表单“site”" in err


def test_backup_and_restore_backup(run: Run, db_path: Path, tmp_path: Path) -> None:
    add_site(run, "甲厂")
    code, out, err = run("backup")
    assert code == 0 and err == ""
    (made,) = [b for b in list_backups(db_path) if b.reason == "手动备份"]
    assert out.strip() == f"备份完成：{made.path}（1 条记录）"

    out_dir = tmp_path / "usb"
    code, out, _ = run("backup", "--out", str(out_dir))
    assert code == 0 and str(out_dir) in out
    (folder,) = list(out_dir.iterdir())
    assert (folder / "gongkai.db").exists()

    add_site(run, "乙厂")
    code, out, err = run("restore-backup", str(made.path))
    assert code == 0, err
    assert out.startswith(f"已从 {made.path} 恢复。恢复前的数据已备份到 ")
    assert [o["name"] for o in listed(run)] == ["甲厂"]
    assert any(b.reason == "恢复备份前" and b.records == 2 for b in list_backups(db_path))


def test_restore_backup_of_an_older_schema(run: Run, db_path: Path, tmp_path: Path) -> None:
    add_site(run, "甲厂")
    old = tmp_path / "old" / "gongkai.db"
    make_0001_database(old)
    code, _, err = run("restore-backup", str(old))
    assert code == 0, err
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
        migrate.head_revision(),
    )
    conn.close()
    assert [o["name"] for o in listed(run)] == ["ABC化工"]


def test_restore_backup_errors(run: Run, db_path: Path, tmp_path: Path) -> None:
    add_site(run, "甲厂")
    code, _, err = run("restore-backup", str(tmp_path / "missing"))
    assert code == 1 and err.startswith("错误：找不到备份")
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    conn.commit()
    conn.close()
    code, _, err = run("restore-backup", str(newer))
    assert code == 1 and "更新版本" in err
    assert [o["name"] for o in listed(run)] == ["甲厂"]


def test_check(run: Run, db_path: Path) -> None:
    record_id = add_site(run, "甲厂")
    code, out, err = run("check")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"数据库：{db_path.resolve()}"
    assert f"数据库结构版本：{migrate.head_revision()}（最新 {migrate.head_revision()}）" in lines
    assert "监管对象：1 条（回收站 0 条）" in lines
    assert lines[-1] == "检查通过"
    # a record that no longer satisfies its form, and one of an unknown form
    conn = sqlite3.connect(db_path)
    conn.execute(
        "UPDATE records SET data = json_set(data, '$.patrol_times', -3) WHERE id = ?", (record_id,)
    )
    conn.execute(
        "INSERT INTO records (id, form_id, title, data, search_text, created_at, updated_at,"
        " author, version, deleted) VALUES ('x1', 'ghost', '幽灵', '{}', '',"
        " '2024-01-01 00:00:00', '2024-01-01 00:00:00', '', 1, 0)"
    )
    conn.commit()
    conn.close()
    code, out, _ = run("check")
    assert code == 1
    problems = [line for line in out.splitlines() if line.startswith("问题：")]
    assert len(problems) == 4
    assert any("未定义的表单“ghost”" in p for p in problems)
    assert any("甲厂" in p and "要求巡查次数：不能小于0" in p for p in problems)
    # both rows were written behind the app's back: their checksums do not match
    assert (
        f"问题：记录内容与校验值不符（在本软件之外被改动过）：监管对象“甲厂”（{record_id}）"
        in problems
    )
    assert "问题：记录内容与校验值不符（在本软件之外被改动过）：ghost“幽灵”（x1）" in problems
    assert out.splitlines()[-1] == "发现 4 个问题"


def test_selftest_without_gui(run: Run) -> None:
    code, out, err = run("selftest", "--no-gui", db=None)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("表单 ") and "加载成功" in lines[0]
    assert "保存并读回记录成功" in lines
    assert lines[-1] == "自检通过"


def test_gongkai_db_environment_variable(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere" / "gongkai.db"
    monkeypatch.setenv("GONGKAI_DB", str(other))
    code, out, _ = run(
        "add", "site", "--json", '{"site_type": "其他", "name": "甲", "village": "东村"}', db=None
    )
    assert code == 0 and other.exists()
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT id FROM records").fetchone() == (out.strip(),)
    conn.close()


def test_database_from_a_newer_version_exits_with_message(run: Run, db_path: Path) -> None:
    add_site(run, "甲厂")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    code, out, err = run("list", "site")
    assert (code, out) == (1, "")
    assert err.startswith("错误：数据库由更新版本的软件创建")


# ---- shared conventions for later commands ----------------------------------------------


def _period_args(*argv: str, required: bool = True) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_period_arguments(parser, required=required)
    return parser.parse_args(list(argv))


def test_period_arguments() -> None:
    assert period_from_args(_period_args("--period", "2024-Q2")).label == "2024年第二季度"
    between = period_from_args(_period_args("--from", "2024-05-06", "--to", "2024-06-01"))
    assert isinstance(between, Period) and between.label == "2024年5月6日至2024年6月1日"
    assert period_from_args(_period_args(required=False)) is None
    for argv, message in (
        (("--period", "2024", "--from", "2024-01-01"), "只能用其一"),
        (("--from", "2024-01-01",), "必须同时给出"),
        ((), "请用 --period 或 --from/--to 指定期间"),
    ):  # fmt: skip
        with pytest.raises(InputError, match=message):
            period_from_args(_period_args(*argv))


@pytest.fixture
def extra_command(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable], None]:
    """Register a sub-command the way the command modules do (a register function that
    binds the handler with set_defaults)."""
    # the module, not the main() that gongkai_desktop.cli re-exports under the same name
    cli_main = importlib.import_module("gongkai_desktop.cli.main")

    def register(handler: Callable[[argparse.Namespace], int]) -> None:
        def register_probe(sub: argparse._SubParsersAction) -> None:
            parser = sub.add_parser("probe")
            add_period_arguments(parser)
            parser.set_defaults(handler=handler)

        monkeypatch.setattr(cli_main, "REGISTER", (*cli_main.REGISTER, register_probe))

    return register


def test_period_errors_exit_2(run: Run, extra_command: Callable[[Callable], None]) -> None:
    def probe(args: argparse.Namespace) -> int:
        period = period_from_args(args)
        print(period.label if period else "")
        return 0

    extra_command(probe)
    assert run("probe", "--period", "2024-05")[:2] == (0, "2024年5月\n")
    code, _, err = run("probe", "--period", "2024-13")
    assert code == 2 and err.strip() == "错误：期间“2024-13”的月份应为1至12"
    code, _, err = run("probe", "--from", "2024-06-02", "--to", "2024-06-01")
    assert code == 2 and "晚于截止日期" in err
    code, _, err = run("probe", "--from", "2024/06/02", "--to", "2024-06-01")
    assert code == 2 and "起始日期“2024/06/02”格式不对" in err
    code, _, err = run("probe")
    assert code == 2 and "请用 --period" in err


def test_unexpected_errors_are_logged_and_readable(
    run: Run, extra_command: Callable[[Callable], None], _isolated_home: Path
) -> None:
    def probe(args: argparse.Namespace) -> int:
        raise RuntimeError("磁盘坏了")

    extra_command(probe)
    code, out, err = run("probe", "--period", "2024")
    assert (code, out) == (1, "")
    assert err.startswith("发生意外错误：磁盘坏了。详细信息已写入日志")
    log_text = (_isolated_home / "logs" / "gongkai.log").read_text(encoding="utf-8")
    assert "RuntimeError: 磁盘坏了" in log_text and "Traceback" in log_text
