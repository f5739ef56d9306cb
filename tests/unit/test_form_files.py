"""The files in forms/: every real file loads, and each check names the file and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from gongkai_desktop.domain.errors import FormDefinitionError, ValidationError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.spec import FIELD_TYPES
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

from .conftest import REPO_FORMS

CJK = re.compile(r"[\u4e00-\u9fff]")

BASE_FORM = """\
id: demo
title: 演示表
version: 1
title_field: name
sections:
  - title: 基本
    fields:
      - {key: name, label: 名称, type: text, required: true}
      - {key: kind, label: 类别, type: choice, choices: [甲类, 乙类]}
"""

BASE_LEDGER = """\
id: demo_ledger
title: 演示台账
form: demo
natural_key: [name]
columns:
  - {field: name}
  - {field: kind, width: 8}
"""


def write_forms(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problems_of(tmp_path: Path, files: dict[str, str]) -> list[str]:
    root = write_forms(tmp_path / "forms", files)
    with pytest.raises(FormDefinitionError) as info:
        load_registry(root)
    problems = info.value.problems
    assert problems
    for problem in problems:
        assert CJK.search(problem), problem
    assert str(info.value).startswith("表单定义文件有误")
    return problems


def the_problem(tmp_path: Path, files: dict[str, str]) -> str:
    problems = problems_of(tmp_path, files)
    assert len(problems) == 1, problems
    return problems[0]


def form_with(*field_lines: str) -> str:
    return BASE_FORM + "".join(f"      - {line}\n" for line in field_lines)


# ---- the real files --------------------------------------------------------------------


def test_every_real_form_and_ledger_file_loads() -> None:
    registry = load_registry(REPO_FORMS)
    form_files = sorted(p.stem for p in REPO_FORMS.glob("*.yaml") if p.name != "lists.yaml")
    ledger_files = sorted(p.stem for p in (REPO_FORMS / "ledgers").glob("*.yaml"))
    assert sorted(registry.forms) == form_files
    assert sorted(registry.ledgers) == ledger_files
    assert "site" in registry.forms
    for form in registry:
        assert form.path is not None and form.path.stem == form.id
        for spec in form.fields:
            assert spec.type in FIELD_TYPES
            assert CJK.search(spec.label), f"{form.id}.{spec.key} needs a Chinese label"
            if spec.type in ("choice", "multi_choice"):
                assert spec.choices, f"{form.id}.{spec.key}"
    for ledger in registry.ledgers.values():
        assert ledger.form in registry.forms
        assert ledger.columns and all(c.label for c in ledger.columns)


def test_specs_are_hashable_value_objects() -> None:
    registry = load_registry(REPO_FORMS)
    site = registry.form("site")
    by_spec = {spec: spec.key for spec in site.fields}  # e.g. a widget per field
    assert by_spec[site.field("status")] == "status"
    assert len(set(site.fields)) == len(site.fields)
    assert len({site, registry.form("site")}) == 1
    assert len(set(registry.ledgers.values())) == len(registry.ledgers)


def test_site_form_matches_the_issue() -> None:
    site = load_registry(REPO_FORMS).form("site")
    assert site.field("site_type").choices == (
        "饮用水水源地",
        "排污单位",
        "畜禽养殖场",
        "河段/河湖",
        "医疗机构（辐射）",
        "其他",
    )
    assert site.field("status").choices == ("在用", "停用", "待完善")
    assert site.field("status").default == "在用"
    for key in ("name", "village", "address", "responsible_person", "phone", "patrol_times"):
        assert site.has_field(key)


def test_real_ledgers_resolve_labels_from_their_form() -> None:
    registry = load_registry(REPO_FORMS)
    ledger = registry.ledger("enterprise_register")
    by_field = {c.field: c for c in ledger.columns}
    assert by_field["name"].label == "单位名称"  # explicit label
    assert by_field["credit_code"].label == "统一社会信用代码"  # taken from the form
    assert by_field["patrol_times"].group == "巡查要求"
    assert dict(ledger.filter) == {"site_type": ("排污单位",)}


# ---- schema errors -------------------------------------------------------------------


def test_duplicate_field_keys(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: name, label: 又一个名称, type: text}")}
    )
    assert problem.startswith("demo.yaml：")
    assert "“name”" in problem and "重复" in problem


def test_duplicate_keys_inside_a_repeat_group(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: rows, label: 明细, type: repeat, fields: "
                "[{key: a, label: 甲, type: text}, {key: a, label: 乙, type: text}]}"
            )
        },
    )
    assert problem.startswith("demo.yaml：") and "“rows”" in problem and "“a”" in problem


def test_unknown_type(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: money, label: 金额, type: money}")}
    )
    assert problem.startswith("demo.yaml：")
    assert "“money”" in problem and "type" in problem and "'money'" in problem


def test_unknown_property_of_a_field(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: note, label: 备注, type: text, maxlen: 5}")}
    )
    assert problem.startswith("demo.yaml：") and "“note”" in problem and "“maxlen”" in problem


def test_missing_label(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": form_with("{key: note, type: text}")})
    assert problem.startswith("demo.yaml：") and "“note”" in problem and "“label”" in problem


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": BASE_FORM + "      - {key: [\n"})
    assert problem.startswith("demo.yaml：无法读取")


def test_empty_form_file_is_reported_not_ignored(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": BASE_FORM, "other.yaml": ""})
    assert problem.startswith("other.yaml：") and "空" in problem


def test_empty_ledger_file_is_reported_not_ignored(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": "\n"})
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "空" in problem


def test_duplicate_yaml_mapping_keys_are_refused(tmp_path: Path) -> None:
    # YAML itself would silently keep the last of two "label:" lines.
    text = (
        BASE_FORM
        + "      - key: note\n        label: 备注\n        label: 说明\n        type: text\n"
    )
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert problem.startswith("demo.yaml：") and "“label”" in problem and "重复" in problem


def test_file_name_must_match_form_id(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"other.yaml": BASE_FORM})
    assert problem.startswith("other.yaml：") and "“demo”" in problem


# ---- semantic checks -----------------------------------------------------------------


def test_choice_without_choices(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: level, label: 级别, type: choice}")}
    )
    assert problem.startswith("demo.yaml：") and "“level”" in problem and "选项" in problem


def test_multi_choice_without_choices(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: tags, label: 标签, type: multi_choice}")}
    )
    assert problem.startswith("demo.yaml：") and "“tags”" in problem and "选项" in problem


def test_missing_choices_list(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: level, label: 级别, type: choice, choices_from: no_such_list}"
            )
        },
    )
    assert problem.startswith("demo.yaml：")
    assert "“level”" in problem and "“no_such_list”" in problem and "不存在" in problem


def test_choices_from_a_named_list(tmp_path: Path) -> None:
    root = write_forms(
        tmp_path / "forms",
        {
            "lists.yaml": "lists:\n  levels: [一级, {label: 二级, synonyms: [次级]}]\n",
            "demo.yaml": form_with("{key: level, label: 级别, type: choice, choices_from: levels}"),
        },
    )
    level = load_registry(root).form("demo").field("level")
    assert level.choices == ("一级", "二级")
    assert dict(level.choice_synonyms) == {"次级": "二级"}


def test_choices_on_a_text_field_are_refused(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {"demo.yaml": form_with("{key: note, label: 备注, type: text, choices: [甲, 乙]}")},
    )
    assert problem.startswith("demo.yaml：") and "“note”" in problem and "选项" in problem


def test_show_if_target_missing(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: extra, label: 补充, type: text, show_if: {field: nothing, equals: 甲类}}"
            )
        },
    )
    assert problem.startswith("demo.yaml：")
    assert "“extra”" in problem and "“nothing”" in problem and "不存在" in problem


def test_show_if_value_not_a_choice(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: extra, label: 补充, type: text, show_if: {field: kind, in: [甲类, 丙类]}}"
            )
        },
    )
    assert problem.startswith("demo.yaml：")
    assert "“extra”" in problem and "“丙类”" in problem and "“kind”" in problem


def test_section_show_if_is_checked(tmp_path: Path) -> None:
    text = BASE_FORM + (
        "  - title: 甲类补充\n"
        "    show_if: {field: kind, equals: 丁类}\n"
        "    fields:\n"
        "      - {key: extra, label: 补充, type: text}\n"
    )
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert problem.startswith("demo.yaml：") and "“甲类补充”" in problem and "“丁类”" in problem


def test_show_if_inside_a_repeat_group_is_checked(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: rows, label: 明细, type: repeat, fields: ["
                "{key: a, label: 甲, type: text}, "
                "{key: b, label: 乙, type: text, show_if: {field: missing, equals: x}}]}"
            )
        },
    )
    assert problem.startswith("demo.yaml：")
    assert "“rows”" in problem and "“b”" in problem and "“missing”" in problem


def test_computed_reference_missing(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: total, label: 合计, type: integer, computed: {sum: [a, name]}}"
            )
        },
    )
    assert len(problems) == 1  # "name" exists
    assert problems[0].startswith("demo.yaml：") and "“total”" in problems[0]
    assert "“a”" in problems[0]


def test_computed_inside_a_repeat_group_sees_its_row(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: rows, label: 明细, type: repeat, fields: ["
                "{key: a, label: 甲, type: integer}, "
                "{key: s, label: 小计, type: integer, computed: {sum: [a, name]}}]}"
            )
        },
    )
    # "name" is a field of the form but not of the row
    assert problem.startswith("demo.yaml：") and "“rows”" in problem and "“name”" in problem


def test_default_not_a_choice(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: level, label: 级别, type: choice, choices: [高, 低], default: 中}"
            )
        },
    )
    assert problem.startswith("demo.yaml：") and "“level”" in problem and "“中”" in problem


def test_multi_choice_default_not_a_choice(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: tags, label: 标签, type: multi_choice, choices: [高, 低], default: [高, 中]}"
            )
        },
    )
    assert problem.startswith("demo.yaml：") and "“tags”" in problem and "“中”" in problem


def test_min_greater_than_max(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: n, label: 数量, type: integer, min: 5, max: 1}")}
    )
    assert problem.startswith("demo.yaml：") and "“n”" in problem


def test_bad_regular_expression(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: code, label: 编号, type: text, pattern: '[0-9'}")}
    )
    assert problem.startswith("demo.yaml：") and "“code”" in problem and "pattern" in problem


def test_title_field_missing(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": BASE_FORM.replace("title_field: name", "title_field: nom")}
    )
    assert problem.startswith("demo.yaml：") and "“nom”" in problem


def test_date_field_of_wrong_type(tmp_path: Path) -> None:
    text = BASE_FORM.replace("title_field: name", "title_field: name\ndate_field: kind")
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert problem.startswith("demo.yaml：") and "“kind”" in problem and "日期" in problem


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: name, label: 重名, type: text}", "{key: level, label: 级别, type: choice}"
            ),
            "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: ghost}\n",
        },
    )
    assert len(problems) == 3
    assert sum(p.startswith("demo.yaml：") for p in problems) == 2
    assert sum(p.startswith("ledgers/demo_ledger.yaml：") for p in problems) == 1


# ---- ledgers -------------------------------------------------------------------------


def test_ledger_column_not_in_its_form(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: ghost}\n"},
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：")
    assert "“ghost”" in problem and "“demo”" in problem and "不存在" in problem


def test_ledger_source_form_missing(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": BASE_FORM,
            "ledgers/demo_ledger.yaml": BASE_LEDGER.replace("form: demo", "form: nope"),
        },
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“nope”" in problem


def test_ledger_site_sub_field(tmp_path: Path) -> None:
    root = tmp_path / "forms"
    visit = form_with(
        "{key: place, label: 对象, type: site}", "{key: other, label: 其他, type: text}"
    )
    site = (REPO_FORMS / "site.yaml").read_text(encoding="utf-8")
    lists = (REPO_FORMS / "lists.yaml").read_text(encoding="utf-8")
    good = BASE_LEDGER + "  - {field: place.village}\n  - {field: place.name, label: 对象名称}\n"
    write_forms(
        root,
        {
            "lists.yaml": lists,
            "site.yaml": site,
            "demo.yaml": visit,
            "ledgers/demo_ledger.yaml": good,
        },
    )
    ledger = load_registry(root).ledger("demo_ledger")
    labels = {c.field: c.label for c in ledger.columns}
    assert labels["place.village"] == "所在村（社区）"  # the site form's label
    assert labels["place.name"] == "对象名称"

    base = {"lists.yaml": lists, "site.yaml": site, "demo.yaml": visit}
    problem = the_problem(
        tmp_path / "a",
        {**base, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: place.nope}\n"},
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“place.nope”" in problem
    assert "“nope”" in problem

    problem = the_problem(
        tmp_path / "b",
        {**base, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: other.name}\n"},
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“other.name”" in problem
    assert "“other”" in problem and "监管对象" in problem


def test_ledger_natural_key_not_a_column(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": BASE_FORM,
            "ledgers/demo_ledger.yaml": BASE_LEDGER.replace(
                "natural_key: [name]", "natural_key: [kind2]"
            ),
        },
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“kind2”" in problem
    assert "natural_key" in problem


def test_ledger_duplicate_column(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: kind}\n"},
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“kind”" in problem


def test_ledger_filter_values(tmp_path: Path) -> None:
    ok = BASE_LEDGER + "filter: {kind: [甲类, 乙类]}\n"
    root = write_forms(tmp_path / "forms", {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": ok})
    assert dict(load_registry(root).ledger("demo_ledger").filter) == {"kind": ("甲类", "乙类")}

    problem = the_problem(
        tmp_path / "a",
        {
            "demo.yaml": BASE_FORM,
            "ledgers/demo_ledger.yaml": BASE_LEDGER + "filter: {kind: 丙类}\n",
        },
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“kind”" in problem
    assert "“丙类”" in problem

    problem = the_problem(
        tmp_path / "b",
        {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": BASE_LEDGER + "filter: {ghost: 1}\n"},
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“ghost”" in problem


def test_ledger_filter_on_a_boolean_field(tmp_path: Path) -> None:
    form = form_with("{key: big, label: 规模场, type: boolean}")
    ok = BASE_LEDGER + "filter: {big: true}\n"
    root = write_forms(tmp_path / "forms", {"demo.yaml": form, "ledgers/demo_ledger.yaml": ok})
    assert dict(load_registry(root).ledger("demo_ledger").filter) == {"big": (True,)}
    # stored booleans are true/false: a filter on "是" would never match anything
    problem = the_problem(
        tmp_path / "a",
        {"demo.yaml": form, "ledgers/demo_ledger.yaml": BASE_LEDGER + "filter: {big: 是}\n"},
    )
    assert problem.startswith("ledgers/demo_ledger.yaml：") and "“big”" in problem
    assert "“是”" in problem and "true" in problem


def test_ledger_unknown_id_is_a_chinese_error() -> None:
    registry = load_registry(REPO_FORMS)
    with pytest.raises(Exception, match="未知的台账“nope”"):
        registry.ledger("nope")


# ---- forms are data: no code change, no migration --------------------------------------


def _add_site_field(forms_dir: Path) -> None:
    path = forms_dir / "site.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["sections"][0]["fields"].append(
        {"key": "area_mu", "label": "占地面积", "type": "decimal", "decimals": 1, "min": 0}
    )
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_field_added_to_a_form_file_is_stored_without_migration(
    forms_copy: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the database is created with the shipped forms first
    open_context(db_path, auto_backup=False).close()
    _add_site_field(forms_copy)
    monkeypatch.setenv("GONGKAI_FORMS", str(forms_copy))
    ctx = open_context(db_path, auto_backup=False)
    try:
        service = RecordService(ctx)
        made = service.create(
            "site",
            {"site_type": "其他", "name": "新字段测试", "village": "西村", "area_mu": "12.5"},
        )
        assert service.get(made.id).values["area_mu"] == 12.5
        with pytest.raises(ValidationError) as info:
            service.create(
                "site", {"site_type": "其他", "name": "负面积", "village": "西村", "area_mu": -1}
            )
        assert [e.field for e in info.value.errors] == ["area_mu"]
        assert "占地面积" in str(info.value)
    finally:
        ctx.close()


def test_forms_dir_argument_is_used(forms_copy: Path, db_path: Path) -> None:
    _add_site_field(forms_copy)
    ctx = open_context(db_path, forms_dir=forms_copy, auto_backup=False)
    try:
        assert ctx.registry.form("site").field("area_mu").label == "占地面积"
    finally:
        ctx.close()


def test_a_column_added_to_a_ledger_file_appears_in_the_ledger(forms_copy: Path) -> None:
    path = forms_copy / "ledgers" / "farm_register.yaml"
    before = [c.field for c in load_registry(forms_copy).ledger("farm_register").columns]
    path.write_text(
        path.read_text(encoding="utf-8") + "  - {field: address, width: 20, synonyms: [地址]}\n",
        encoding="utf-8",
    )
    ledger = load_registry(forms_copy).ledger("farm_register")
    assert [c.field for c in ledger.columns] == [*before, "address"]
    assert ledger.columns[-1].label == "地址"
    assert ledger.columns[-1].width == 20
    assert ledger.columns[-1].synonyms == ("地址",)
