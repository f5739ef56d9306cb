"""Load-time checks of the form-file keys: rules, patrol, actions, record
links, generate, not_before, default_from and a title of several fields.

Each test writes small form files inline and expects one typed problem: its code, and a
Chinese line that names the file, the YAML line and the field.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gongkai_desktop.domain.errors import FormDefinitionError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.problems import FormProblem
from gongkai_desktop.forms.problems import ProblemCode as C
from gongkai_desktop.forms.spec import ActionSpec, Condition, PatrolSpec, RuleSpec

CJK = re.compile(r"[\u4e00-\u9fff]")

SITE = """\
id: site
title: 监管对象
version: 1
title_field: name
sections:
  - title: 基本
    fields:
      - {key: site_type, label: 类型, type: choice, choices: [水源地, 企业]}
      - {key: name, label: 名称, type: text, required: true}
      - {key: patrol_times, label: 次数, type: integer}
      - {key: period, label: 周期, type: choice, choices: [每月, 每季度]}
"""

PATROL = """\
id: patrol
title: 巡查
version: 1
title_field: kind
sections:
  - title: 基本
    fields:
      - {key: day, label: 日期, type: date}
      - {key: kind, label: 类型, type: choice, choices: [水源巡查, 企业检查, 其他]}
      - {key: place, label: 对象, type: site}
      - {key: note, label: 说明, type: text}
      - {key: found, label: 发现问题, type: boolean}
      - {key: task, label: 任务, type: record, form: job}
"""

JOB = """\
id: job
title: 任务
version: 1
title_field: [job_no, what]
sections:
  - title: 基本
    fields:
      - {key: job_no, label: 编号, type: text, generate: "J{year}-{seq:03d}"}
      - {key: start, label: 开始, type: date}
      - {key: due, label: 时限, type: date, not_before: start}
      - {key: state, label: 状态, type: choice, choices: [办理中, 已办结]}
      - {key: from_patrol, label: 来源, type: record, form: patrol}
      - {key: what, label: 问题, type: text}
"""

GOOD_TOP = """\
rules:
  - when: {field: found, equals: true}
    require: [note]
    field: note
    message: 发现问题须写明
patrol:
  type_field: kind
  site_field: place
  site_types: {水源巡查: [水源地], 企业检查: [企业]}
actions:
  - id: make_job
    label: 生成任务
    target: job
    show_if: {field: found, equals: true}
    values: {state: 办理中}
    copy: {start: day, what: note}
"""


def files(
    patrol_fields: tuple[str, ...] = (),
    patrol_top: str = "",
    job_fields: tuple[str, ...] = (),
    job_top: str = "",
    site_fields: tuple[str, ...] = (),
) -> dict[str, str]:
    """The three forms, with extra field lines (appended to the one section) and extra
    top-level keys (appended after the sections)."""

    def form(base: str, fields: tuple[str, ...], top: str) -> str:
        return base + "".join(f"      - {line}\n" for line in fields) + top

    return {
        "site.yaml": form(SITE, site_fields, ""),
        "patrol.yaml": form(PATROL, patrol_fields, patrol_top),
        "job.yaml": form(JOB, job_fields, job_top),
    }


def load(tmp_path: Path, forms: dict[str, str]) -> list[FormProblem]:
    root = tmp_path / "forms"
    root.mkdir(exist_ok=True)
    for name, text in forms.items():
        (root / name).write_text(text, encoding="utf-8")
    with pytest.raises(FormDefinitionError) as info:
        load_registry(root)
    for problem in info.value.problems:
        assert CJK.search(problem.message), problem
        assert str(problem) == f"{problem.file}：第{problem.line}行：{problem.message}"
    return info.value.problems


def the_problem(tmp_path: Path, forms: dict[str, str]) -> FormProblem:
    problems = load(tmp_path, forms)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# the first line after each base form (extra fields and top-level keys start there)
NEXT_LINE = {
    "site": SITE.count("\n") + 1,
    "patrol": PATROL.count("\n") + 1,
    "job": JOB.count("\n") + 1,
}


def test_the_good_forms_load_into_specs(tmp_path: Path) -> None:
    root = tmp_path / "forms"
    root.mkdir()
    for name, text in files(patrol_top=GOOD_TOP).items():
        (root / name).write_text(text, encoding="utf-8")
    registry = load_registry(root)
    patrol = registry.form("patrol")
    assert patrol.rules == (
        RuleSpec(
            when=Condition("found", (True,)),
            field="note",
            message="发现问题须写明",
            require=("note",),
        ),
    )
    assert patrol.patrol == PatrolSpec(
        "kind", "place", (("水源巡查", ("水源地",)), ("企业检查", ("企业",)))
    )
    assert patrol.action("make_job") == ActionSpec(
        id="make_job",
        label="生成任务",
        target="job",
        show_if=Condition("found", (True,)),
        values=(("state", "办理中"),),
        copy=(("start", "day"), ("what", "note")),
    )
    with pytest.raises(KeyError):
        patrol.action("nope")
    assert patrol.link_field("job") == patrol.field("task")
    assert patrol.link_field("site") is None
    job = registry.form("job")
    assert (job.title_field, job.title_fields) == ("job_no", ("job_no", "what"))
    assert job.field("job_no").generate == "J{year}-{seq:03d}"
    assert job.field("due").not_before == "start"
    assert job.field("from_patrol").readonly  # links are set by the services only
    place = patrol.field("place")
    assert patrol.allowed_site_types(place, {"kind": "水源巡查"}) == ("水源地",)
    assert patrol.allowed_site_types(place, {"kind": "其他"}) == ()
    assert patrol.allowed_site_types(patrol.field("note"), {"kind": "水源巡查"}) == ()


def test_conditions_on_being_filled(tmp_path: Path) -> None:
    filled = Condition("a", (), filled=True)
    empty = Condition("a", (), filled=False)
    for value, is_filled in (
        (None, False),
        ("", False),
        ([], False),
        ({}, False),
        ("x", True),
        (0, True),
        (False, True),
        (["x"], True),
    ):
        assert filled.holds({"a": value}) is is_filled, value
        assert empty.holds({"a": value}) is not is_filled, value
    assert not filled.holds({})


# ---- rules -----------------------------------------------------------------------------

P = NEXT_LINE["patrol"]  # patrol.yaml: the first line after the base form
J = NEXT_LINE["job"]
S = NEXT_LINE["site"]


@pytest.mark.parametrize(
    ("rule", "code", "message"),
    [
        (
            "{when: {field: nope, equals: 1}, require: [note], field: note, message: 请填写}",
            C.UNKNOWN_FIELD_REF,
            "第1条规则的适用条件引用了不存在的字段“nope”",
        ),
        (
            "{when: {field: kind, equals: 夜查}, require: [note], field: note, message: 请填写}",
            C.NOT_A_CHOICE,
            "第1条规则的适用条件取值“夜查”不是字段“kind”的选项",
        ),
        (
            "{when: {field: found, equals: true}, require: [note], field: nope, message: 请填写}",
            C.UNKNOWN_FIELD_REF,
            "第1条规则的提示字段“nope”不存在",
        ),
        (
            "{when: {field: found, equals: true}, require: [nope], field: note, message: 请填写}",
            C.UNKNOWN_FIELD_REF,
            "第1条规则要求填写的字段“nope”不存在",
        ),
        (
            "{when: {field: found, equals: true}, require_values: {nope: [1]}, field: note,"
            " message: 请填写}",
            C.UNKNOWN_FIELD_REF,
            "第1条规则要求取值的字段“nope”不存在",
        ),
        (
            "{when: {field: found, equals: true}, require_values: {kind: [夜查]}, field: note,"
            " message: 请填写}",
            C.NOT_A_CHOICE,
            "第1条规则要求的取值“夜查”不是字段“kind”的选项",
        ),
        (
            "{when: {field: found, equals: true}, field: note, message: 请填写}",
            C.MISSING_KEY,
            "第1条规则：须至少写明 require、require_values 中的一项",
        ),
        (
            "{when: {field: found, equals: true}, require: [note], field: note, message: 请填写,"
            " hint: 说明}",
            C.UNKNOWN_KEY,
            "第1条规则：有不认识的项“hint”",
        ),
    ],
)
def test_rule_problems(tmp_path: Path, rule: str, code: C, message: str) -> None:
    problem = the_problem(tmp_path, files(patrol_top=f"rules:\n  - {rule}\n"))
    assert (problem.code, problem.file, problem.line) == (code, "patrol.yaml", P + 1)
    assert str(problem) == f"patrol.yaml：第{P + 1}行：{message}"
    assert problem.field.startswith("第1条规则")


def test_the_second_rule_is_named_by_its_number(tmp_path: Path) -> None:
    rules = (
        "rules:\n"
        "  - {when: {field: found, equals: true}, require: [note], field: note, message: 甲}\n"
        "  - {when: {field: found, filled: true}, require: [gone], field: note, message: 乙}\n"
    )
    problem = the_problem(tmp_path, files(patrol_top=rules))
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, P + 2)
    assert problem.field == "第2条规则 → require → 第1项"
    assert str(problem) == f"patrol.yaml：第{P + 2}行：第2条规则要求填写的字段“gone”不存在"


def test_a_rule_in_block_style_points_at_the_line_of_the_unknown_key(tmp_path: Path) -> None:
    rules = (
        "rules:\n"
        "  - when: {field: found, equals: true}\n"
        "    require:\n"
        "      - note\n"
        "      - gone\n"
        "    field: note\n"
        "    message: 甲\n"
    )
    problem = the_problem(tmp_path, files(patrol_top=rules))
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, P + 4)


# ---- patrol ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patrol", "code", "message"),
    [
        (
            "{type_field: note, site_field: place, site_types: {水源巡查: [水源地]}}",
            C.WRONG_FIELD_TYPE,
            "patrol.type_field“note”应为本表单的单选字段",
        ),
        (
            "{type_field: nope, site_field: place, site_types: {水源巡查: [水源地]}}",
            C.UNKNOWN_FIELD_REF,
            "patrol.type_field“nope”应为本表单的单选字段",
        ),
        (
            "{type_field: kind, site_field: note, site_types: {水源巡查: [水源地]}}",
            C.WRONG_FIELD_TYPE,
            "patrol.site_field“note”应为本表单的监管对象字段",
        ),
        (
            "{type_field: kind, site_field: nope, site_types: {水源巡查: [水源地]}}",
            C.UNKNOWN_FIELD_REF,
            "patrol.site_field“nope”应为本表单的监管对象字段",
        ),
        (
            "{type_field: kind, site_field: place, site_types: {夜查: [水源地]}}",
            C.NOT_A_CHOICE,
            "patrol.site_types 中的“夜查”不是字段“kind”的选项",
        ),
        (
            "{type_field: kind, site_field: place, site_types: {水源巡查: [水源地, 河流]}}",
            C.UNKNOWN_SITE_TYPE,
            "patrol.site_types“水源巡查”中的监管对象类型“河流”不存在",
        ),
        (
            "{type_field: kind, site_field: place, site_types: {水源巡查: []}}",
            C.TOO_FEW,
            "patrol → site_types → 水源巡查：项目太少（至少 1 项）",
        ),
    ],
)
def test_patrol_problems(tmp_path: Path, patrol: str, code: C, message: str) -> None:
    problem = the_problem(tmp_path, files(patrol_top=f"patrol: {patrol}\n"))
    assert (problem.code, problem.line) == (code, P)
    assert str(problem) == f"patrol.yaml：第{P}行：{message}"


def test_patrol_problems_in_block_style_have_their_own_lines(tmp_path: Path) -> None:
    patrol = (
        "patrol:\n"
        "  type_field: note\n"
        "  site_field: place\n"
        "  site_types:\n"
        "    水源巡查: [水源地]\n"
        "    夜查: [河流]\n"
    )
    problems = load(tmp_path, files(patrol_top=patrol))
    assert [(p.code, p.line) for p in problems] == [
        (C.WRONG_FIELD_TYPE, P + 1),  # type_field
        (C.UNKNOWN_SITE_TYPE, P + 5),  # 河流
    ]


def test_a_site_fields_own_site_types_must_exist(tmp_path: Path) -> None:
    forms = files(
        patrol_fields=("{key: other_place, label: 其他对象, type: site, site_types: [河流]}",)
    )
    problem = the_problem(tmp_path, forms)
    assert (problem.code, problem.line) == (C.UNKNOWN_SITE_TYPE, P)
    assert str(problem) == f"patrol.yaml：第{P}行：字段“other_place”的监管对象类型“河流”不存在"


# ---- actions ---------------------------------------------------------------------------


def action(**changes: str) -> str:
    fields = {
        "id": "make_job",
        "label": "生成任务",
        "target": "job",
        "values": "{state: 办理中}",
        "copy": "{start: day, what: note}",
        **changes,
    }
    return "actions:\n  - {" + ", ".join(f"{k}: {v}" for k, v in fields.items() if v) + "}\n"


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"target": "nope"}, C.UNKNOWN_FORM, "操作“生成任务”的目标表单“nope”不存在"),
        (
            {"copy": "{nope: day}"},
            C.UNKNOWN_FIELD_REF,
            "操作“生成任务”复制到的字段“nope”在表单“job”中不存在",
        ),
        (
            {"copy": "{start: nope}"},
            C.UNKNOWN_FIELD_REF,
            "操作“生成任务”复制的来源字段“nope”不存在",
        ),
        (
            {"values": "{nope: 1}"},
            C.UNKNOWN_FIELD_REF,
            "操作“生成任务”预填的字段“nope”在表单“job”中不存在",
        ),
        (
            {"show_if": "{field: nope, equals: true}"},
            C.UNKNOWN_FIELD_REF,
            "操作“生成任务”的显示条件引用了不存在的字段“nope”",
        ),
        (
            {"show_if": "{field: kind, equals: 夜查}"},
            C.NOT_A_CHOICE,
            "操作“生成任务”的显示条件取值“夜查”不是字段“kind”的选项",
        ),
        (
            {"values": "{state: 已完成}"},
            C.NOT_A_CHOICE,
            "操作“生成任务”预填的取值“已完成”不是表单“job”字段“state”的选项",
        ),
        (
            {"values": "{State: 办理中}"},
            C.BAD_FORMAT,
            "操作“生成任务” → values：名称“State”格式不符合要求"
            "（以小写英文字母开头，只用小写英文字母、数字和下划线）",
        ),
        (
            {"label": ""},
            C.MISSING_KEY,
            "第1个操作：缺少必填项“label”",
        ),
    ],
)
def test_action_problems(tmp_path: Path, changes: dict[str, str], code: C, message: str) -> None:
    problem = the_problem(tmp_path, files(patrol_top=action(**changes)))
    assert (problem.code, problem.line) == (code, P + 1)
    assert str(problem) == f"patrol.yaml：第{P + 1}行：{message}"


def test_an_action_value_may_be_a_synonym(tmp_path: Path) -> None:
    root = tmp_path / "forms"
    root.mkdir()
    forms = files(patrol_top=action(values="{state: 在办}"))
    forms["job.yaml"] = forms["job.yaml"].replace(
        "choices: [办理中, 已办结]", "choices: [{label: 办理中, synonyms: [在办]}, 已办结]"
    )
    for name, text in forms.items():
        (root / name).write_text(text, encoding="utf-8")
    assert load_registry(root).form("patrol").action("make_job").values == (("state", "在办"),)


# ---- record links ----------------------------------------------------------------------


def test_a_record_field_without_its_form(tmp_path: Path) -> None:
    forms = files(patrol_fields=("{key: other_task, label: 其他任务, type: record}",))
    problem = the_problem(tmp_path, forms)
    assert (problem.code, problem.line, problem.field) == (
        C.MISSING_FOR_TYPE,
        P,
        "字段“other_task”",
    )
    assert problem.message == "关联记录字段“other_task”没有指明关联的表单（form）"


def test_a_record_field_with_an_unknown_form(tmp_path: Path) -> None:
    forms = files(patrol_fields=("{key: other_task, label: 其他任务, type: record, form: nope}",))
    problem = the_problem(tmp_path, forms)
    assert (problem.code, problem.line) == (C.UNKNOWN_FORM, P)
    assert str(problem) == f"patrol.yaml：第{P}行：字段“other_task”关联的表单“nope”不存在"


def test_a_link_to_a_broken_form_is_not_reported_twice(tmp_path: Path) -> None:
    forms = files()
    forms["job.yaml"] = forms["job.yaml"].replace("version: 1", "version: 0")
    problem = the_problem(tmp_path, forms)  # only the broken file; patrol's link is fine
    assert (problem.code, problem.file, problem.line) == (C.OUT_OF_RANGE, "job.yaml", 3)


def test_form_on_a_field_that_is_not_a_link(tmp_path: Path) -> None:
    forms = files(patrol_fields=("{key: remark, label: 备注, type: text, form: job}",))
    problem = the_problem(tmp_path, forms)
    assert (problem.code, problem.line) == (C.NOT_FOR_TYPE, P)
    assert problem.message == "字段“remark”不是关联记录，不能指明 form"


# ---- generate ----------------------------------------------------------------------------


def test_generate_on_a_field_that_is_not_text(tmp_path: Path) -> None:
    forms = files(job_fields=('{key: seq_no, label: 序号, type: integer, generate: "{seq}"}',))
    problem = the_problem(tmp_path, forms)
    assert (problem.code, problem.line) == (C.NOT_FOR_TYPE, J)
    assert problem.message == "只有文本字段可以自动编号，字段“seq_no”是整数"


def test_generate_without_a_sequence(tmp_path: Path) -> None:
    forms = files(job_fields=('{key: code, label: 代码, type: text, generate: "J{year}"}',))
    problem = the_problem(tmp_path, forms)
    assert (problem.code, problem.line, problem.field) == (
        C.BAD_FORMAT,
        J,
        "字段“code” → generate",
    )
    assert problem.message == (
        "字段“code” → generate：格式不符合要求（须含序号 {seq}，或定长的 {seq:03d}）"
    )


# ---- not_before --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        (
            "{key: late, label: 迟到, type: text, not_before: start}",
            C.NOT_FOR_TYPE,
            "只有日期字段可以设置 not_before，字段“late”是文本",
        ),
        (
            "{key: late, label: 迟到, type: date, not_before: what}",
            C.WRONG_FIELD_TYPE,
            "字段“late”的 not_before 应引用一个日期字段",
        ),
        (
            "{key: late, label: 迟到, type: date, not_before: nope}",
            C.UNKNOWN_FIELD_REF,
            "字段“late”的 not_before 应引用一个日期字段",
        ),
    ],
)
def test_not_before_problems(tmp_path: Path, line: str, code: C, message: str) -> None:
    problem = the_problem(tmp_path, files(job_fields=(line,)))
    assert (problem.code, problem.line, problem.field) == (code, J, "字段“late” → not_before")
    assert str(problem) == f"job.yaml：第{J}行：{message}"


def test_not_before_inside_a_repeat_group_refers_to_its_row(tmp_path: Path) -> None:
    line = (
        "{key: steps, label: 进展, type: repeat, fields: ["
        "{key: day, label: 日期, type: date}, "
        "{key: checked, label: 核实, type: date, not_before: start}]}"
    )
    problem = the_problem(tmp_path, files(job_fields=(line,)))
    assert (problem.code, problem.line) == (C.UNKNOWN_FIELD_REF, J)
    assert problem.message == "重复组“steps”中的字段“checked”的 not_before 应引用一个日期字段"


# ---- default_from ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        (
            "{key: times, label: 要求次数, type: integer, default_from: {field: nope, map: {水源地: 2}}}",
            C.UNKNOWN_FIELD_REF,
            "字段“times”的 default_from 引用了不存在的字段“nope”",
        ),
        (
            "{key: times, label: 要求次数, type: integer,"
            " default_from: {field: site_type, map: {河流: 2}}}",
            C.NOT_A_CHOICE,
            "字段“times”的 default_from 取值“河流”不是字段“site_type”的选项",
        ),
        (
            "{key: cycle, label: 周期2, type: choice, choices: [每月, 每季度],"
            " default_from: {field: site_type, map: {企业: 每年}}}",
            C.NOT_A_CHOICE,
            "字段“cycle”的 default_from 给出的默认值“每年”不是它的选项",
        ),
    ],
)
def test_default_from_problems(tmp_path: Path, line: str, code: C, message: str) -> None:
    problem = the_problem(tmp_path, files(site_fields=(line,)))
    assert (problem.code, problem.line) == (code, S)
    assert str(problem) == f"site.yaml：第{S}行：{message}"


def test_default_from_map_in_block_style_points_at_the_value(tmp_path: Path) -> None:
    line = (
        "key: times\n"
        "        label: 要求次数\n"
        "        type: integer\n"
        "        default_from:\n"
        "          field: site_type\n"
        "          map:\n"
        "            水源地: 2\n"
        "            河流: 1"
    )
    problem = the_problem(tmp_path, files(site_fields=(line,)))
    assert (problem.code, problem.line) == (C.NOT_A_CHOICE, S + 7)
    assert problem.path[-3:] == ("default_from", "map", "河流")


# ---- a title of several fields ---------------------------------------------------------


@pytest.mark.parametrize(("title", "index"), [("[job_no, nope]", 1), ("[nope, what]", 0)])
def test_title_field_list_with_an_unknown_key(tmp_path: Path, title: str, index: int) -> None:
    forms = files()
    forms["job.yaml"] = forms["job.yaml"].replace(
        "title_field: [job_no, what]", f"title_field: {title}"
    )
    problem = the_problem(tmp_path, forms)
    assert (problem.code, problem.line, problem.path) == (
        C.UNKNOWN_FIELD_REF,
        4,
        ("title_field", index),
    )
    assert str(problem) == "job.yaml：第4行：title_field 引用了不存在的字段“nope”"


def test_every_problem_of_the_new_keys_at_once(tmp_path: Path) -> None:
    forms = files(
        patrol_fields=("{key: other_task, label: 其他任务, type: record, form: nope}",),
        patrol_top="patrol: {type_field: note, site_field: place, site_types: {水源巡查: [河流]}}\n"
        + action(target="nope"),
        job_fields=("{key: late, label: 迟到, type: date, not_before: what}",),
    )
    problems = load(tmp_path, forms)
    # each file's problems together (files in the order first reported), then by line
    assert [(p.file, p.line, p.code) for p in problems] == [
        ("job.yaml", J, C.WRONG_FIELD_TYPE),
        ("patrol.yaml", P, C.UNKNOWN_FORM),
        ("patrol.yaml", P + 1, C.WRONG_FIELD_TYPE),
        ("patrol.yaml", P + 1, C.UNKNOWN_SITE_TYPE),
        ("patrol.yaml", P + 3, C.UNKNOWN_FORM),
    ]
    assert sorted(str(p) for p in problems) == sorted(
        [
            f"patrol.yaml：第{P + 1}行：patrol.type_field“note”应为本表单的单选字段",
            f"patrol.yaml：第{P + 1}行：patrol.site_types“水源巡查”中的监管对象类型“河流”不存在",
            f"patrol.yaml：第{P}行：字段“other_task”关联的表单“nope”不存在",
            f"patrol.yaml：第{P + 3}行：操作“生成任务”的目标表单“nope”不存在",
            f"job.yaml：第{J}行：字段“late”的 not_before 应引用一个日期字段",
        ]
    )
