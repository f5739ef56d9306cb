"""Output files: a read-only target is never replaced; permissions survive a rewrite."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.services.io.file_output import (
    ExportError,
    is_read_only,
    write_bytes_atomically,
)

from .conftest import site_values
from .work_helpers import Run, cli_add


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~"))


def test_a_read_only_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"old content")
    target.chmod(0o444)

    assert is_read_only(target)
    with pytest.raises(ExportError) as caught:
        write_bytes_atomically(target, b"new content")

    message = str(caught.value)
    assert "只读" in message and "台账.xlsx" in message and "原有文件未被改动" in message
    assert target.read_bytes() == b"old content"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert _leftovers(tmp_path) == []


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "报告.docx"
    target.write_bytes(b"old")
    target.chmod(0o640)

    write_bytes_atomically(target, b"new")

    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_new_file_gets_the_users_umask_not_a_private_mode(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_bytes_atomically(tmp_path / "新文件.pdf", b"pdf")
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "新文件.pdf").stat().st_mode) == 0o644


def test_missing_and_writable_files_are_not_read_only(tmp_path: Path) -> None:
    writable = tmp_path / "a.xlsx"
    writable.write_bytes(b"x")

    assert not is_read_only(tmp_path / "absent.xlsx")
    assert not is_read_only(writable)
    assert not is_read_only(tmp_path)  # a folder fails later, with its own message


def test_cli_export_refuses_a_read_only_ledger_file(run: Run, tmp_path: Path) -> None:
    site = cli_add(run, "site", site_values("城南水源地", "饮用水水源地"))
    cli_add(
        run,
        "inspection",
        {
            "inspection_type": "饮用水水源地巡查",
            "site": site,
            "inspectors": "张三",
            "inspection_date": "2026-11-03",
        },
    )
    out = tmp_path / "水源地巡查台账.xlsx"
    code, _, err = run("export", "water_source_patrol", "--period", "2026-11", "--out", str(out))
    assert code == 0, err
    first = out.read_bytes()
    out.chmod(0o444)

    code, stdout, err = run(
        "export", "water_source_patrol", "--period", "2026-11", "--out", str(out)
    )

    assert code != 0
    assert "只读" in err and "已导出" not in stdout
    assert out.read_bytes() == first
    assert _leftovers(tmp_path) == []
    book = openpyxl.load_workbook(out)  # still the complete earlier ledger
    assert book.active is not None and book.active.max_row > 1
