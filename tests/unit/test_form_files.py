"""The files in forms/: every real file loads, and each check names the file and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from gongkai_desktop.domain.errors import FormDefinitionError, ValidationError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.problems import FormProblem
from gongkai_desktop.forms.problems import ProblemCode as C
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


def problems_of(tmp_path: Path, files: dict[str, str]) -> list[FormProblem]:
    root = write_forms(tmp_path / "forms", files)
    with pytest.raises(FormDefinitionError) as info:
        load_registry(root)
    problems = info.value.problems
    assert problems
    for problem in problems:
        assert isinstance(problem, FormProblem) and isinstance(problem.code, C)
        assert CJK.search(problem.message), problem
        # one line per problem, naming the file and the line where there is one
        line = f"第{problem.line}行" if problem.line else ""
        assert str(problem) == "：".join(p for p in (problem.file, line, problem.message) if p)
        assert str(problem) in str(info.value)
    assert str(info.value).startswith("表单定义文件有误")
    return problems


def the_problem(tmp_path: Path, files: dict[str, str]) -> FormProblem:
    problems = problems_of(tmp_path, files)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def form_with(*field_lines: str) -> str:
    """BASE_FORM with more fields, the first of them on line FIRST_NEW_LINE."""
    return BASE_FORM + "".join(f"      - {line}\n" for line in field_lines)


FIRST_NEW_LINE = BASE_FORM.count("\n") + 1


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


# ---- reading and the schema ----------------------------------------------------------
N = FIRST_NEW_LINE


def test_duplicate_field_keys(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: name, label: 又一个名称, type: text}")}
    )
    assert (problem.code, problem.file, problem.line) == (C.DUPLICATE_FIELD, "demo.yaml", N)
    assert problem.field == "字段“name” → key"
    assert str(problem) == f"demo.yaml：第{N}行：字段“name”重复定义"


def test_duplicate_keys_inside_a_repeat_group(tmp_path: Path) -> None:
    text = BASE_FORM + (
        "      - key: rows\n"
        "        label: 明细\n"
        "        type: repeat\n"
        "        fields:\n"
        "          - {key: a, label: 甲, type: text}\n"
        "          - {key: a, label: 乙, type: text}\n"
    )
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert (problem.code, problem.line) == (C.DUPLICATE_FIELD, N + 5)  # the second "a"
    assert problem.path == ("sections", 0, "fields", 2, "fields", 1, "key")
    assert "“rows”" in problem.message and "“a”" in problem.message


def test_unknown_type(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: money, label: 金额, type: money}")}
    )
    assert (problem.code, problem.line) == (C.NOT_ALLOWED, N)
    assert problem.field == "字段“money” → type"
    assert problem.message.startswith("字段“money” → type：取值“money”不在允许范围内")
    assert "decimal" in problem.message  # the allowed types are listed


def test_a_misspelt_type_gets_a_guess(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": form_with("{key: when, label: 日期, type: dat}")})
    assert (problem.code, problem.line) == (C.NOT_ALLOWED, N)
    assert "（是不是“date”？可选：" in problem.message


def test_unknown_property_of_a_field(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: note, label: 备注, type: text, maxlen: 5}")}
    )
    assert (problem.code, problem.line) == (C.UNKNOWN_KEY, N)
    assert problem.path == ("sections", 0, "fields", 2, "maxlen")
    assert str(problem) == (
        f"demo.yaml：第{N}行：字段“note”：有不认识的项“maxlen”（是不是“max_length”？）"
    )


def test_each_unknown_key_has_its_own_line(tmp_path: Path) -> None:
    text = BASE_FORM + (
        "      - key: note\n"
        "        label: 备注\n"
        "        type: text\n"
        "        colour: red\n"
        "        helptext: 说明\n"
    )
    problems = problems_of(tmp_path, {"demo.yaml": text})
    assert [(p.code, p.line, p.path[-1]) for p in problems] == [
        (C.UNKNOWN_KEY, N + 3, "colour"),
        (C.UNKNOWN_KEY, N + 4, "helptext"),
    ]
    assert "（是不是“help”？）" in problems[1].message


def test_missing_label(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": form_with("{key: note, type: text}")})
    assert (problem.code, problem.line, problem.field) == (C.MISSING_KEY, N, "字段“note”")
    assert problem.message == "字段“note”：缺少必填项“label”"


def test_missing_top_level_keys_are_each_reported(tmp_path: Path) -> None:
    text = BASE_FORM.replace("title: 演示表\n", "").replace("version: 1\n", "")
    problems = problems_of(tmp_path, {"demo.yaml": text})
    assert [(p.code, p.line, p.message) for p in problems] == [
        (C.MISSING_KEY, 1, "文件顶层：缺少必填项“title”"),
        (C.MISSING_KEY, 1, "文件顶层：缺少必填项“version”"),
    ]


def test_a_top_level_list_is_the_wrong_type(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": "- id: demo\n"})
    assert (problem.code, problem.line) == (C.WRONG_TYPE, 1)
    assert problem.message == "文件顶层：类型不对，应为映射（键: 值），写的是列表"


def test_wrong_type_names_what_was_written(tmp_path: Path) -> None:
    text = BASE_FORM.replace("version: 1", "version: 一")
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert (problem.code, problem.line, problem.field) == (C.WRONG_TYPE, 3, "version")
    assert problem.message == "version：类型不对，应为整数，写的是文本“一”"


def test_one_of_reports_the_alternatives_or_the_branch_that_fits(tmp_path: Path) -> None:
    # title_field: a key or a list of keys; a number is neither
    problem = the_problem(
        tmp_path / "a", {"demo.yaml": BASE_FORM.replace("title_field: name", "title_field: 5")}
    )
    assert (problem.code, problem.line) == (C.WRONG_TYPE, 4)
    assert problem.message == "title_field：类型不对，应为文本或列表，写的是数字“5”"
    # a list fits the second branch: its own errors are reported, at the item's line
    text = BASE_FORM.replace("title_field: name", "title_field:\n  - name\n  - Kind")
    problem = the_problem(tmp_path / "b", {"demo.yaml": text})
    assert (problem.code, problem.line, problem.field) == (C.BAD_FORMAT, 6, "title_field → 第2项")
    assert "小写英文字母" in problem.message  # the pattern's Chinese description
    # a choice item is a label or {label, synonyms}: an object is checked as an object
    problems = problems_of(
        tmp_path / "c",
        {"demo.yaml": form_with("{key: lv, label: 级别, type: choice, choices: [{lable: 高}]}")},
    )
    assert [(p.code, p.line, p.message) for p in problems] == [
        (C.UNKNOWN_KEY, N, "字段“lv” → 第1个选项：有不认识的项“lable”（是不是“label”？）"),
        (C.MISSING_KEY, N, "字段“lv” → 第1个选项：缺少必填项“label”"),
    ]


def test_show_if_needs_exactly_one_test(tmp_path: Path) -> None:
    none = form_with("{key: extra, label: 补充, type: text, show_if: {field: kind}}")
    problem = the_problem(tmp_path / "a", {"demo.yaml": none})
    assert (problem.code, problem.line) == (C.MISSING_KEY, N)
    assert problem.message == "字段“extra” → show_if：须写明 equals、in、filled 中的一项"
    both = form_with(
        "{key: extra, label: 补充, type: text, show_if: {field: kind, equals: 甲类, in: [乙类]}}"
    )
    problem = the_problem(tmp_path / "b", {"demo.yaml": both})
    assert (problem.code, problem.line) == (C.CONFLICTING_KEYS, N)
    assert problem.message == "字段“extra” → show_if：equals、in 只能写其中一项"


def test_range_length_and_count_rules(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: n, label: 数量, type: decimal, decimals: 9}",
                "{key: s, label: '', type: text}",
                "{key: c, label: 合计, type: integer, computed: {sum: [n], count: n}}",
            )
        },
    )
    assert [(p.code, p.line, p.field) for p in problems] == [
        (C.OUT_OF_RANGE, N, "字段“n” → decimals"),
        (C.EMPTY_VALUE, N + 1, "字段“s” → label"),
        (C.TOO_MANY, N + 2, "字段“c” → computed"),
    ]
    assert problems[0].message.endswith("数值 9 太大（不能大于 6）")


def test_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": BASE_FORM + "      - {key: [\n"})
    assert (problem.code, problem.file) == (C.YAML_SYNTAX, "demo.yaml")
    assert problem.line is not None and problem.line >= N
    assert problem.message.startswith("无法读取")
    assert str(tmp_path) not in problem.message  # PyYAML's words, not its file and line


def test_empty_form_file_is_reported_not_ignored(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": BASE_FORM, "other.yaml": ""})
    assert (problem.code, problem.line) == (C.EMPTY_FILE, None)
    assert str(problem) == "other.yaml：文件为空"


def test_empty_ledger_file_is_reported_not_ignored(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": "\n"})
    assert (problem.code, problem.file) == (C.EMPTY_FILE, "ledgers/demo_ledger.yaml")
    assert str(problem) == "ledgers/demo_ledger.yaml：文件为空"


def test_duplicate_yaml_mapping_keys_are_refused(tmp_path: Path) -> None:
    # YAML itself would silently keep the last of two "label:" lines.
    text = (
        BASE_FORM
        + "      - key: note\n        label: 备注\n        label: 说明\n        type: text\n"
    )
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert (problem.code, problem.line, problem.field) == (C.DUPLICATE_KEY, N + 2, "字段“note”")
    assert str(problem) == f"demo.yaml：第{N + 2}行：字段“note”中“label”重复出现"


def test_file_name_must_match_form_id(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"other.yaml": BASE_FORM})
    assert (problem.code, problem.file, problem.line) == (C.FILE_NAME_MISMATCH, "other.yaml", 1)
    assert "“demo”" in problem.message


def test_two_files_with_one_form_id(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, {"demo.yaml": BASE_FORM, "zz.yaml": BASE_FORM})
    assert [(p.code, p.file, p.line) for p in problems] == [(C.DUPLICATE_ID, "zz.yaml", 1)]


def test_a_folder_without_form_files(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, {"lists.yaml": "lists: {a: [甲]}\n"})
    assert (problem.code, problem.file, problem.line) == (C.NO_FORM_FILES, "", None)
    assert str(problem) == problem.message and "没有表单文件" in problem.message


def test_lists_file_problems(tmp_path: Path) -> None:
    lists = "lists:\n  levels: [一级, 二级]\n  Bad-Name: [甲]\n  empty: []\n"
    problems = problems_of(tmp_path, {"lists.yaml": lists, "demo.yaml": BASE_FORM})
    assert [(p.code, p.file, p.line) for p in problems] == [
        (C.BAD_FORMAT, "lists.yaml", 3),
        (C.TOO_FEW, "lists.yaml", 4),
    ]
    assert problems[0].message.startswith("lists：名称“Bad-Name”格式不符合要求")
    assert problems[1].field == "选项列表“empty”"


# ---- semantic checks -----------------------------------------------------------------


def test_choice_without_choices(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: level, label: 级别, type: choice}")}
    )
    assert (problem.code, problem.line, problem.field) == (C.MISSING_FOR_TYPE, N, "字段“level”")
    assert str(problem) == f"demo.yaml：第{N}行：字段“level”是单选，但没有给出选项"


def test_multi_choice_without_choices(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: tags, label: 标签, type: multi_choice}")}
    )
    assert (problem.code, problem.line) == (C.MISSING_FOR_TYPE, N)
    assert "“tags”" in problem.message and "选项" in problem.message


def test_missing_choices_list(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: level, label: 级别, type: choice, choices_from: no_such_list}"
            )
        },
    )
    assert (problem.code, problem.line) == (C.UNKNOWN_LIST, N)
    assert problem.field == "字段“level” → choices_from"
    assert problem.message == "字段“level”引用的选项列表“no_such_list”不存在"


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
    assert (problem.code, problem.line) == (C.NOT_FOR_TYPE, N)
    assert "“note”" in problem.message and "选项" in problem.message


def test_show_if_target_missing(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: extra, label: 补充, type: text, show_if: {field: nothing, equals: 甲类}}"
            )
        },
    )
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, N)
    assert problem.message == "字段“extra”的显示条件引用了不存在的字段“nothing”"


def test_show_if_value_not_a_choice(tmp_path: Path) -> None:
    text = BASE_FORM + (
        "      - key: extra\n"
        "        label: 补充\n"
        "        type: text\n"
        "        show_if:\n"
        "          field: kind\n"
        "          in:\n"
        "            - 甲类\n"
        "            - 丙类\n"
    )
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert (problem.code, problem.line) == (C.NOT_A_CHOICE, N + 7)  # the line of 丙类
    assert problem.path == ("sections", 0, "fields", 2, "show_if", "in", 1)
    assert problem.message == "字段“extra”的显示条件取值“丙类”不是字段“kind”的选项"


def test_section_show_if_is_checked(tmp_path: Path) -> None:
    text = BASE_FORM + (
        "  - title: 甲类补充\n"
        "    show_if: {field: kind, equals: 丁类}\n"
        "    fields:\n"
        "      - {key: extra, label: 补充, type: text}\n"
    )
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert (problem.code, problem.line) == (C.NOT_A_CHOICE, N + 1)
    assert problem.field == "分组“甲类补充” → show_if → equals"
    assert "“甲类补充”" in problem.message and "“丁类”" in problem.message


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
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, N)
    assert problem.field == "字段“rows” → 字段“b” → show_if → field"
    assert problem.message == "重复组“rows”中的字段“b”的显示条件引用了不存在的字段“missing”"


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
    assert (problems[0].code, problems[0].line) == (C.UNKNOWN_FIELD_REF, N)
    assert problems[0].message == "字段“total”的计算引用了不存在的字段“a”"


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
    assert problem.code == C.UNKNOWN_FIELD_REF
    assert "“rows”" in problem.message and "“name”" in problem.message


def test_default_not_a_choice(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: level, label: 级别, type: choice, choices: [高, 低], default: 中}"
            )
        },
    )
    assert (problem.code, problem.line, problem.field) == (
        C.NOT_A_CHOICE,
        N,
        "字段“level” → default",
    )
    assert problem.message == "字段“level”的默认值“中”不是它的选项"


def test_multi_choice_default_not_a_choice(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": form_with(
                "{key: tags, label: 标签, type: multi_choice, choices: [高, 低], default: [高, 中]}"
            )
        },
    )
    assert (problem.code, problem.line) == (C.NOT_A_CHOICE, N)
    assert problem.path[-2:] == ("default", 1)
    assert "“tags”" in problem.message and "“中”" in problem.message


def test_min_greater_than_max(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: n, label: 数量, type: integer, min: 5, max: 1}")}
    )
    assert (problem.code, problem.line) == (C.MIN_ABOVE_MAX, N)
    assert "“n”" in problem.message


def test_bad_regular_expression(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": form_with("{key: code, label: 编号, type: text, pattern: '[0-9'}")}
    )
    assert (problem.code, problem.line) == (C.BAD_REGEX, N)
    assert "“code”" in problem.message and "pattern" in problem.message


def test_title_field_missing(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path, {"demo.yaml": BASE_FORM.replace("title_field: name", "title_field: nom")}
    )
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, 4)
    assert str(problem) == "demo.yaml：第4行：title_field 引用了不存在的字段“nom”"


def test_date_field_of_wrong_type(tmp_path: Path) -> None:
    text = BASE_FORM.replace("title_field: name", "title_field: name\ndate_field: kind")
    problem = the_problem(tmp_path, {"demo.yaml": text})
    assert (problem.code, problem.line) == (C.WRONG_FIELD_TYPE, 5)
    assert "“kind”" in problem.message and "日期" in problem.message


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
    # each file's problems together, in the order of their lines
    assert [(p.file, p.line, p.code) for p in problems] == [
        ("demo.yaml", N, C.DUPLICATE_FIELD),
        ("demo.yaml", N + 1, C.MISSING_FOR_TYPE),
        ("ledgers/demo_ledger.yaml", 8, C.UNKNOWN_FIELD_REF),
    ]


def test_problems_of_a_file_are_in_the_order_of_their_lines(tmp_path: Path) -> None:
    # the checks run in their own order (fields, then title_field …); the report is by line
    text = BASE_FORM.replace("title_field: name", "title_field: nom") + (
        "      - {key: level, label: 级别, type: choice}\n"
    )
    problems = problems_of(tmp_path, {"demo.yaml": text})
    assert [(p.line, p.code) for p in problems] == [
        (4, C.UNKNOWN_FIELD_REF),
        (N, C.MISSING_FOR_TYPE),
    ]


# ---- ledgers -------------------------------------------------------------------------


def test_ledger_column_not_in_its_form(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: ghost}\n"},
    )
    assert (problem.code, problem.file, problem.line) == (
        C.UNKNOWN_FIELD_REF,
        "ledgers/demo_ledger.yaml",
        8,
    )
    assert problem.field == "列“ghost” → field"
    assert str(problem) == "ledgers/demo_ledger.yaml：第8行：列“ghost”在来源表单“demo”中不存在"


def test_ledger_source_form_missing(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": BASE_FORM,
            "ledgers/demo_ledger.yaml": BASE_LEDGER.replace("form: demo", "form: nope"),
        },
    )
    assert (problem.code, problem.line) == (C.UNKNOWN_FORM, 3)
    assert problem.message == "来源表单“nope”不存在"


def test_ledger_schema_problems(tmp_path: Path) -> None:
    ledger = BASE_LEDGER + "  - {field: Kind.x, width: 1}\nfilter: {kind: {a: 1}}\n"
    problems = problems_of(tmp_path, {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": ledger})
    assert [(p.code, p.line, p.field) for p in problems] == [
        (C.BAD_FORMAT, 8, "列“Kind.x” → field"),
        (C.OUT_OF_RANGE, 8, "列“Kind.x” → width"),
        (C.WRONG_TYPE, 9, "filter → kind"),
    ]
    assert "监管对象字段" in problems[0].message  # the pattern's description
    assert problems[2].message.endswith("应为文本、数字、true/false或列表，写的是映射（键: 值）")


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
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, 8)
    assert problem.message == "列“place.nope”引用的监管对象字段“nope”不存在"

    problem = the_problem(
        tmp_path / "b",
        {**base, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: other.name}\n"},
    )
    assert (problem.code, problem.line) == (C.WRONG_FIELD_TYPE, 8)
    assert problem.message == "列“other.name”中的“other”不是表单“demo”的监管对象字段"

    problem = the_problem(
        tmp_path / "c",
        {**base, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: ghost.name}\n"},
    )
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, 8)


def test_ledger_natural_key_not_a_column(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {
            "demo.yaml": BASE_FORM,
            "ledgers/demo_ledger.yaml": BASE_LEDGER.replace(
                "natural_key: [name]", "natural_key:\n  - name\n  - kind2"
            ),
        },
    )
    assert (problem.code, problem.line, problem.field) == (
        C.NOT_A_COLUMN,
        6,
        "natural_key → 第2项",
    )
    assert problem.message == "natural_key 中的“kind2”不是本台账的列"


def test_ledger_duplicate_column(tmp_path: Path) -> None:
    problem = the_problem(
        tmp_path,
        {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": BASE_LEDGER + "  - {field: kind}\n"},
    )
    assert (problem.code, problem.line) == (C.DUPLICATE_COLUMN, 8)  # the second one
    assert problem.message == "列“kind”重复"


def test_ledger_filter_values(tmp_path: Path) -> None:
    ok = BASE_LEDGER + "filter: {kind: [甲类, 乙类]}\n"
    root = write_forms(tmp_path / "forms", {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": ok})
    assert dict(load_registry(root).ledger("demo_ledger").filter) == {"kind": ("甲类", "乙类")}

    problem = the_problem(
        tmp_path / "a",
        {
            "demo.yaml": BASE_FORM,
            "ledgers/demo_ledger.yaml": BASE_LEDGER + "filter:\n  kind: 丙类\n",
        },
    )
    assert (problem.code, problem.line) == (C.NOT_A_CHOICE, 9)
    assert problem.message == "筛选条件“kind”的取值“丙类”不是它的选项"

    problem = the_problem(
        tmp_path / "b",
        {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": BASE_LEDGER + "filter: {ghost: 1}\n"},
    )
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, 8)
    assert "“ghost”" in problem.message


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
    assert (problem.code, problem.line) == (C.NOT_A_BOOLEAN, 8)
    assert problem.message == "筛选条件“big”的取值“是”应为 true 或 false"


def test_a_ledger_over_a_broken_form_is_not_reported_again(tmp_path: Path) -> None:
    broken = BASE_FORM.replace("type: choice", "type: choise")
    problems = problems_of(tmp_path, {"demo.yaml": broken, "ledgers/demo_ledger.yaml": BASE_LEDGER})
    # the form's own problem only: not also "来源表单“demo”不存在"
    assert [(p.code, p.file) for p in problems] == [(C.NOT_ALLOWED, "demo.yaml")]


def test_site_columns_over_a_broken_site_form_are_not_reported_again(tmp_path: Path) -> None:
    site = (REPO_FORMS / "site.yaml").read_text(encoding="utf-8")
    site = site.replace("version:", "version: 0\nold_version:", 1)
    visit = form_with("{key: place, label: 对象, type: site}")
    ledger = BASE_LEDGER + "  - {field: place.village}\n"
    problems = problems_of(
        tmp_path,
        {
            "lists.yaml": (REPO_FORMS / "lists.yaml").read_text(encoding="utf-8"),
            "site.yaml": site,
            "demo.yaml": visit,
            "ledgers/demo_ledger.yaml": ledger,
        },
    )
    assert {p.file for p in problems} == {"site.yaml"}


def test_two_ledger_files_with_one_id(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        {
            "demo.yaml": BASE_FORM,
            "ledgers/a.yaml": BASE_LEDGER,
            "ledgers/b.yaml": BASE_LEDGER,
        },
    )
    assert [(p.code, p.file, p.line) for p in problems] == [(C.DUPLICATE_ID, "ledgers/b.yaml", 1)]


# ---- line numbers cost nothing while the files are valid -------------------------------


def test_valid_files_are_not_composed_for_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda *a, **k: calls.append(a) or real(*a, **k))
    load_registry(REPO_FORMS)
    assert calls == []


def test_only_the_files_with_a_problem_are_composed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda text, **k: calls.append(text) or real(text, **k))
    problems_of(
        tmp_path,
        {
            "demo.yaml": BASE_FORM,
            "other.yaml": BASE_FORM.replace("id: demo", "id: other") + "rules: 1\n",
        },
    )
    assert len(calls) == 1 and "id: other" in calls[0]


def test_every_problem_code_is_a_short_stable_identifier() -> None:
    values = [code.value for code in C]
    assert len(set(values)) == len(values)
    for value in values:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", value), value
    assert C("unknown-key") is C.UNKNOWN_KEY


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


def test_row_style_needs_a_deadline_state_on_date_fields(tmp_path: Path) -> None:
    form = BASE_FORM.replace(
        "title_field: name\n",
        "title_field: name\ndeadline_state: {due: kind, done: gone}\nrow_style: {overdue: red}\n",
    )
    problems = problems_of(tmp_path, {"demo.yaml": form})
    messages = sorted(p.message for p in problems)
    assert messages == [
        "deadline_state.done 引用了不存在的字段“gone”",
        f"deadline_state.due 字段“kind”应为{FIELD_TYPES['date']}类型",
    ]
    alone = BASE_FORM.replace(
        "title_field: name\n", "title_field: name\nrow_style: {overdue: red}\n"
    )
    problem = the_problem(tmp_path / "alone", {"demo.yaml": alone})
    assert problem.message == "row_style 需要同时声明 deadline_state（状态由期限计算）"
    unknown = alone.replace("{overdue: red}", "{overdue: purple}")
    assert the_problem(tmp_path / "unknown", {"demo.yaml": unknown}).line == 5


def test_tasks_and_requests_declare_their_deadline_state() -> None:
    registry = load_registry(REPO_FORMS)
    task = registry.form("rectification_task")
    assert task.deadline_state is not None
    assert (task.deadline_state.due, task.deadline_state.done) == (
        "deadline_in_force",
        "completed_date",
    )
    assert dict(task.row_style) == {"overdue": "red", "due_soon": "amber"}
    assert "description" in task.list_columns
    request = registry.form("disclosure_request")
    assert request.deadline_state is not None
    assert request.deadline_state.due == "reply_deadline"


def test_list_filters_name_choice_boolean_or_text_fields(tmp_path: Path) -> None:
    form = form_with("{key: seen, label: 日期, type: date}").replace(
        "title_field: name\n", "title_field: name\nlist_filters: [kind, seen, nowhere]\n"
    )
    messages = sorted(p.message for p in problems_of(tmp_path, {"demo.yaml": form}))
    kinds = "、".join(FIELD_TYPES[t] for t in ("choice", "boolean", "text"))
    assert messages == [
        "list_filters 字段“seen”应为" + kinds + "类型",
        "list_filters 引用了不存在的字段“nowhere”",
    ]


def test_search_hint_is_the_forms_own_or_its_title_fields(tmp_path: Path) -> None:
    registry = load_registry(REPO_FORMS)
    assert registry.form("disclosure_request").search_words() == "申请编号、申请人、申请内容"
    assert registry.form("site").search_words() == "名称、村、负责人"
    # every real form says what its records are found by
    assert all(form.search_hint for form in registry)
    # a form without one: the labels of the fields its title is made of
    two_part = BASE_FORM.replace("title_field: name", "title_field: [kind, name]")
    root = write_forms(tmp_path / "plain", {"demo.yaml": two_part})
    assert load_registry(root).form("demo").search_words() == "类别、名称"
    # an empty hint is refused
    empty = BASE_FORM.replace("title_field: name\n", "title_field: name\nsearch_hint: ''\n")
    problem = the_problem(tmp_path / "empty", {"demo.yaml": empty})
    assert "search_hint" in str(problem)
