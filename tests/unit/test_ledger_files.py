"""The ledger files in forms/ledgers/: the set the issue asks for, and the group check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gongkai_desktop import paths
from gongkai_desktop.domain.errors import FormDefinitionError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.problems import ProblemCode

REPO_FORMS = paths.bundle_root() / "forms"

EXPECTED = {
    "饮用水水源地巡查台账": ("inspection", "饮用水水源地巡查"),
    "排污单位环境安全检查台账": ("inspection", "排污单位环境安全检查"),
    "畜禽养殖场巡查台账": ("inspection", "畜禽养殖场巡查"),
    "河湖巡查（河长制）记录台账": ("inspection", "河湖巡查（河长制）"),
    "秸秆禁烧巡查台账": ("inspection", "秸秆禁烧巡查"),
    "辐射安全检查台账": ("inspection", "辐射安全检查"),
    "宣传活动台账": ("outreach_event", None),
    "环境问题整改台账": ("rectification_task", None),
    "排污单位台账": ("site", None),
    "畜禽养殖场台账": ("site", None),
    "主动公开信息台账": ("disclosure_item", None),
    "依申请公开登记台账": ("disclosure_request", None),
    "行政复议和行政诉讼台账": ("review_case", None),
    "其他巡查（马路办公等）记录台账": ("inspection", "其他（马路办公等）"),
}


def test_every_ledger_of_the_issue_exists_with_its_source_and_filter() -> None:
    registry = load_registry(REPO_FORMS)
    by_title = {ledger.title: ledger for ledger in registry.ledgers.values()}
    for title, (form, inspection_type) in EXPECTED.items():
        ledger = by_title[title]
        assert ledger.form == form, title
        if inspection_type is not None:
            assert dict(ledger.filter) == {"inspection_type": (inspection_type,)}
        # a ledger with a date is exported by period; site registers list every live site
        assert (ledger.date_field is None) == (form == "site"), title


def test_ledger_columns_are_labelled_and_keyed() -> None:
    registry = load_registry(REPO_FORMS)
    for ledger in registry.ledgers.values():
        labels = [c.label for c in ledger.columns]
        assert len(set(labels)) == len(labels), ledger.id
        assert "序号" not in labels  # the export adds it
        if ledger.date_field and ledger.natural_key != ("task_no",):  # 整改: the number is unique
            assert ledger.date_field in ledger.natural_key, ledger.id
        # inspections that record a start time keep it in the natural key
        refs = {c.field for c in ledger.columns}
        if "start_time" in refs:
            assert "start_time" in ledger.natural_key, ledger.id
        # photos are counted in a column of their own on every work-record ledger
        form = registry.form(ledger.form)
        if ledger.form != "site" and form.has_field("photos"):
            assert "photos" in refs, ledger.id


@pytest.mark.parametrize(
    "columns",
    [
        # 巡查要求 split by another column
        "  - {field: patrol_times, group: 巡查要求}\n"
        "  - {field: status}\n"
        "  - {field: patrol_period, group: 巡查要求}\n",
    ],
)
def test_a_group_split_by_another_column_is_reported(tmp_path: Path, columns: str) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(REPO_FORMS, forms)
    (forms / "ledgers" / "split.yaml").write_text(
        "id: split\ntitle: 拆开的列组\nform: site\nnatural_key: [status]\ncolumns:\n" + columns,
        encoding="utf-8",
    )
    with pytest.raises(FormDefinitionError) as err:
        load_registry(forms)
    [problem] = err.value.problems
    # the first column that stands apart from its group: the third one, on line 8
    assert (problem.code, problem.file, problem.line) == (
        ProblemCode.SPLIT_GROUP,
        "ledgers/split.yaml",
        8,
    )
    assert problem.field == "列“patrol_period” → group"
    assert str(problem) == "ledgers/split.yaml：第8行：列组“巡查要求”的列应当相邻"


def test_detail_fields_name_a_text_field_and_a_problem_choice_of_the_column() -> None:
    registry = load_registry(REPO_FORMS)
    declared = 0
    for ledger in registry.ledgers.values():
        form = registry.form(ledger.form)
        for column in ledger.columns:
            if not column.detail_field:
                continue
            declared += 1
            assert form.field(column.detail_field).type in ("text", "multiline")
            assert column.problem_choice in form.field(column.field).choices
    assert declared >= 8


@pytest.mark.parametrize(
    ("extra", "code", "line"),
    [
        (", detail_field: nowhere, problem_choice: 发现", ProblemCode.UNKNOWN_FIELD_REF, 7),
        (
            ", detail_field: problem_description, problem_choice: 有问题",
            ProblemCode.NOT_A_CHOICE,
            7,
        ),
        (", problem_choice: 发现", ProblemCode.INVALID, 7),
    ],
)
def test_a_wrong_detail_field_is_reported(
    tmp_path: Path, extra: str, code: ProblemCode, line: int
) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(REPO_FORMS, forms)
    (forms / "ledgers" / "detail.yaml").write_text(
        "id: detail\ntitle: 问题文字\nform: inspection\nnatural_key: [inspection_date]\n"
        "columns:\n  - {field: inspection_date}\n"
        "  - {field: pollution_source" + extra + "}\n  - {field: problem_description}\n",
        encoding="utf-8",
    )
    with pytest.raises(FormDefinitionError) as err:
        load_registry(forms)
    [problem] = err.value.problems
    assert (problem.code, problem.file, problem.line) == (code, "ledgers/detail.yaml", line)


def test_every_inspection_type_is_listed_by_a_ledger() -> None:
    """马路办公 and every other type a patrol may be entered as appears in some ledger."""
    registry = load_registry(REPO_FORMS)
    types = registry.form("inspection").field("inspection_type").choices
    covered = {
        value
        for ledger in registry.ledgers.values()
        if ledger.form == "inspection"
        for value in ledger.filter.get("inspection_type", types)
    }
    assert "其他（马路办公等）" in types
    assert [t for t in types if t not in covered] == []


def test_totals_are_declared_where_summing_makes_sense() -> None:
    registry = load_registry(REPO_FORMS)
    totalled = {
        ledger.id: {c.field for c in ledger.columns if c.total}
        for ledger in registry.ledgers.values()
    }
    assert totalled["straw_burning_patrol"] == {
        "inspector_count",
        "vehicle_count",
        "fire_points",
        "burning_stopped",
        "notices_given",
        "area_burnt",
    }
    assert totalled["outreach_events"] == {
        "staff_count",
        "audience_count",
        "materials",
        "brochures",
        "banners",
        "consultations",
    }
    assert totalled["other_patrol"] == {"inspector_count", "vehicle_count", "notices_given"}
    assert totalled["river_patrol"] == {"distance_km"}
    # only numbers are totalled (the loader refuses anything else)
    for ledger in registry.ledgers.values():
        form = registry.form(ledger.form)
        for column in ledger.columns:
            if column.total and "." not in column.field:
                assert form.field(column.field).type in ("integer", "decimal"), column


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("{field: inspectors, total: true}", ProblemCode.NOT_FOR_TYPE),  # a name
        ("{field: photos, total: true}", ProblemCode.NOT_FOR_TYPE),  # counted, not a number
        ("{field: problem_found, total: yes please}", ProblemCode.WRONG_TYPE),
        ("{field: protection_zone, from_site: nowhere}", ProblemCode.UNKNOWN_FIELD_REF),
        ("{field: protection_zone, from_site: served_population}", ProblemCode.WRONG_FIELD_TYPE),
        ("{field: site.village, from_site: village}", ProblemCode.NOT_FOR_TYPE),
    ],
)
def test_a_wrong_total_or_site_fallback_is_reported(
    tmp_path: Path, column: str, code: ProblemCode
) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(REPO_FORMS, forms)
    (forms / "ledgers" / "sums.yaml").write_text(
        "id: sums\ntitle: 合计\nform: inspection\nnatural_key: [inspection_date]\n"
        "columns:\n  - {field: inspection_date}\n  - {field: site}\n  - " + column + "\n",
        encoding="utf-8",
    )
    with pytest.raises(FormDefinitionError) as err:
        load_registry(forms)
    [problem] = err.value.problems
    assert (problem.code, problem.file, problem.line) == (code, "ledgers/sums.yaml", 8)
    if code == ProblemCode.NOT_FOR_TYPE and "total" in column:
        assert "不能合计" in str(problem)


# Inspection fields that record an attribute of the site patrolled, with that attribute:
# wherever a ledger shows one, an empty value shows the site's.
SITE_MIRRORS = {
    "protection_zone": "protection_level",
    "river_chief": "river_chief",
    "river_start": "river_start",
    "river_end": "river_end",
    "enterprise_rep": "responsible_person",
}


def test_columns_of_site_attributes_fall_back_on_the_site() -> None:
    registry = load_registry(REPO_FORMS)
    shown = 0
    for ledger in registry.ledgers.values():
        if ledger.form != "inspection":
            continue
        for column in ledger.columns:
            if column.field in SITE_MIRRORS:
                shown += 1
                assert column.from_site == SITE_MIRRORS[column.field], (ledger.id, column.field)
    assert shown == len(SITE_MIRRORS)
