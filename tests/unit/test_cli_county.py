"""The county and receipt commands end to end, on two real database files."""

from __future__ import annotations

import json
from pathlib import Path

from gongkai_desktop.services.startup import open_context
from gongkai_desktop.services.submission.package import build_package

from .submission_helpers import CREATED, NOVEMBER, build_month
from .work_helpers import Run


def test_county_commands_from_key_to_receipt(run: Run, tmp_path: Path) -> None:
    county, town = tmp_path / "county.db", tmp_path / "town.db"
    code, out, err = run("county", "township", "add", "500235101000", "龙河镇",
                         "--contact", "王小红", db=county)  # fmt: skip
    assert (code, err) == (0, "") and "已登记：龙河镇（500235101000）" in out
    code, _out, err = run("county", "township", "add", "500235000000", "县本级", db=county)
    assert code == 2 and "县级代码" in err
    code, out, _ = run("county", "township", "list", "--json", db=county)
    assert json.loads(out) == [
        {"code": "500235101000", "name": "龙河镇", "contact": "王小红", "phone": ""}
    ]
    key = tmp_path / "龙河镇.gkkey"
    code, out, _ = run("county", "township", "key", "500235101000", "--out", str(key), db=county)
    assert code == 0 and key.is_file()
    assert json.loads(key.read_text(encoding="utf-8"))["township_code"] == "500235101000"

    run("settings", "set", "unit_name", "龙河镇人民政府", db=town)
    code, out, err = run("settings", "import-key", str(key), db=town)
    assert (code, err) == (0, "") and "已导入报送密钥：龙河镇（500235101000）" in out
    code, out, _ = run("settings", "show", "--json", db=town)
    settings = json.loads(out)
    assert settings["township_code"] == "500235101000"
    assert "key" not in out  # the secret is never printed

    ctx = open_context(town, auto_backup=False)
    try:
        month = build_month(ctx, tmp_path)
        package = build_package(ctx, NOVEMBER, tmp_path, now=CREATED).path
    finally:
        ctx.close()
    code, out, err = run("county", "receive", str(package), db=county)
    assert (code, err) == (0, "")
    assert "已接收  龙河镇 2026-11：7条记录，新增7、更新0、未变0、冲突0" in out
    code, out, _ = run("county", "receive", str(package), "--json", db=county)
    [again] = json.loads(out)
    assert again["already_received"] and again["added"] == 0
    code, out, _ = run("county", "conflicts", db=county)
    assert out.strip() == "没有待处理的冲突。"

    code, out, _ = run(
        "county", "return", month.patrols[0], "--note", "缺少现场照片说明", db=county
    )
    assert code == 0
    code, out, _ = run("county", "receipt", again["package_sha256"][:8], "--out",
                       str(tmp_path / "back"), db=county)  # fmt: skip
    assert code == 0
    receipt = Path(out.strip().removeprefix("回执："))
    code, out, err = run("receipt", "import", str(receipt), db=town)
    assert (code, err) == (0, "")
    assert "2026-11 的报送包已于" in out and "被县级接收：7条记录" in out
    assert "退回修改：" in out and "缺少现场照片说明" in out

    bad = tmp_path / "bad.gkpkg"
    bad.write_bytes(b"PK not a zip")
    code, out, _ = run("county", "receive", str(bad), db=county)
    assert code == 1 and "拒收  bad.gkpkg" in out and "不是完整的报送包文件" in out
