"""Fixtures of the core's unit tests: copies of forms/, a test form with every field type,
and helpers that read a real SQLite file without going through the code under test."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gongkai_desktop import paths
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

from .work_helpers import fresh_log_handler, run  # noqa: F401 - shared CLI fixtures

REPO_FORMS = paths.bundle_root() / "forms"

# A form that uses every field type the engine knows, referring to sites.
VISIT_FORM = """\
id: visit
title: 巡查记录
version: 1
title_field: site
date_field: visit_date
site_field: site
status_field: result
list_columns: [visit_date, site, result, fine]
sections:
  - title: 基本情况
    fields:
      - {key: visit_date, label: 巡查日期, type: date, required: true, default: today}
      - {key: site, label: 巡查对象, type: site, required: true, site_types: [排污单位, 畜禽养殖场]}
      - {key: started, label: 开始时间, type: datetime}
      - key: result
        label: 检查结果
        type: choice
        required: true
        choices: [{label: 未发现问题, synonyms: [正常, 无问题]}, 发现问题]
      - key: problems
        label: 问题类型
        type: multi_choice
        required: true
        choices: [废水, 废气, 固废, 噪声]
        show_if: {field: result, equals: 发现问题}
      - {key: rectified, label: 已整改, type: boolean, show_if: {field: result, equals: 发现问题}}
      - {key: fine, label: 罚款金额, type: decimal, decimals: 2, min: 0, max: 100000, unit: 元}
      - {key: inspectors, label: 检查人数, type: integer, min: 1, max: 20}
      - {key: leader, label: 带队人, type: person, max_length: 10}
      - {key: code, label: 文书编号, type: text, pattern: "XC-[0-9]{4}", pattern_message: 应写作 XC-0001 这样的编号}
      - {key: summary, label: 检查情况, type: multiline, min_length: 4, max_length: 200}
      - {key: photos, label: 现场照片, type: photos}
  - title: 跟进
    fields:
      - key: followups
        label: 跟进情况
        type: repeat
        fields:
          - {key: date, label: 日期, type: date, required: true}
          - {key: way, label: 方式, type: choice, choices: [电话, 现场]}
          - {key: note, label: 说明, type: text, max_length: 20, show_if: {field: way, equals: 现场}}
      - {key: followup_count, label: 跟进次数, type: integer, computed: {count: followups}}
"""


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    """A writable copy of the real forms/ folder."""
    target = tmp_path / "forms"
    shutil.copytree(REPO_FORMS, target)
    return target


@pytest.fixture
def visit_forms(forms_copy: Path) -> Path:
    (forms_copy / "visit.yaml").write_text(VISIT_FORM, encoding="utf-8")
    return forms_copy


@pytest.fixture
def visit_ctx(db_path: Path, visit_forms: Path) -> Iterator[AppContext]:
    context = open_context(db_path, forms_dir=visit_forms, auto_backup=False)
    yield context
    context.close()


@pytest.fixture
def visit_records(visit_ctx: AppContext) -> RecordService:
    return RecordService(visit_ctx)


@pytest.fixture
def dump_db() -> Callable[[Path], list[str]]:
    """Every table's schema and rows as SQL text, read with the sqlite3 module."""

    def dump(path: Path) -> list[str]:
        conn = sqlite3.connect(path)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()

    return dump


@pytest.fixture
def sql() -> Callable[..., list[tuple]]:
    """Run one SQL statement on a database file with the sqlite3 module; return its rows."""

    def execute(path: Path, statement: str, params: tuple = ()) -> list[tuple]:
        conn = sqlite3.connect(path)
        try:
            with conn:
                return conn.execute(statement, params).fetchall()
        finally:
            conn.close()

    return execute


def site_values(name: str, site_type: str = "排污单位", **extra: object) -> dict[str, object]:
    return {"site_type": site_type, "name": name, "village": "东村", **extra}


@pytest.fixture
def make_site() -> Callable[..., str]:
    def make(
        service: RecordService, name: str, site_type: str = "排污单位", **extra: object
    ) -> str:
        return service.create("site", site_values(name, site_type, **extra)).id

    return make
