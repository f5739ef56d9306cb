"""Load and check every file in ``forms/``: schema first, then the semantic checks.

Errors are collected (not raised one at a time) so the clerk or the maintainer sees
every problem of every file at once: each a typed ``FormProblem`` (forms/problems.py)
with a code, the file, the YAML line and the field. Lines are looked up only in the files
that have a problem, so loading valid files costs nothing extra.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai_desktop.domain.errors import FormDefinitionError, GongkaiError
from gongkai_desktop.forms import validated_cache
from gongkai_desktop.forms.problems import DocPath, ProblemCode, Problems
from gongkai_desktop.forms.schema import FORM_SCHEMA, LEDGER_SCHEMA, LISTS_SCHEMA
from gongkai_desktop.forms.spec import (
    FIELD_TYPES,
    TOTAL_TYPES,
    ActionSpec,
    Condition,
    DeadlineStateSpec,
    FieldSpec,
    FormRegistry,
    FormSpec,
    LedgerColumn,
    LedgerSpec,
    PatrolSpec,
    RuleSpec,
    SectionSpec,
    computed_refs,
)

if TYPE_CHECKING:
    import jsonschema

LISTS_FILE = "lists.yaml"
# a drop-down offers a field's choices, 是/否, or the texts already entered (e.g. 村)
FILTER_TYPES = ("choice", "boolean", "text")
LEDGERS_DIR = "ledgers"
SCHEMAS = {"form": FORM_SCHEMA, "ledger": LEDGER_SCHEMA, "lists": LISTS_SCHEMA}

C = ProblemCode


@functools.cache
def _validator(schema_name: str) -> jsonschema.protocols.Validator:
    import jsonschema  # only when a file is checked in full (not on a cached start)

    return jsonschema.Draft202012Validator(SCHEMAS[schema_name])


def _schema_check(name: str, doc: Any, schema_name: str, problems: Problems) -> bool:
    """True when ``doc`` passes its schema; else its problems are recorded."""
    errors = _validator(schema_name).iter_errors(doc)
    return problems.add_schema_errors(name, doc, errors) == 0


def _choice_items(items: list[Any]) -> tuple[tuple[str, ...], dict[str, str]]:
    labels: list[str] = []
    synonyms: dict[str, str] = {}
    for item in items:
        if isinstance(item, str):
            labels.append(item)
        else:
            labels.append(item["label"])
            for syn in item.get("synonyms", []):
                synonyms[syn] = item["label"]
    return tuple(labels), synonyms


def _condition(raw: dict[str, Any] | None) -> Condition | None:
    if not raw:
        return None
    if "filled" in raw:
        return Condition(raw["field"], (), filled=bool(raw["filled"]))
    values = tuple(raw["in"]) if "in" in raw else (raw["equals"],)
    return Condition(raw["field"], values)


def _build_field(
    raw: dict[str, Any],
    lists: dict[str, tuple[tuple[str, ...], dict[str, str]]],
    section: str,
    name: str,
    at: DocPath,
    problems: Problems,
    owner: str = "",
) -> FieldSpec:
    """``at``: the field's path in the file; ``owner``: words before 字段 inside a repeat
    group (重复组“rows”中的)."""
    key = raw["key"]
    this = f"{owner}字段“{key}”"
    choices: tuple[str, ...] = ()
    synonyms: dict[str, str] = {}
    if "choices" in raw:
        choices, synonyms = _choice_items(raw["choices"])
    elif "choices_from" in raw:
        if raw["choices_from"] not in lists:
            message = f"{this}引用的选项列表“{raw['choices_from']}”不存在"
            problems.add(C.UNKNOWN_LIST, name, message, (*at, "choices_from"))
        else:
            choices, synonyms = lists[raw["choices_from"]]
    ftype = raw["type"]
    kind = FIELD_TYPES[ftype]
    if ftype in ("choice", "multi_choice") and not choices and "choices_from" not in raw:
        problems.add(C.MISSING_FOR_TYPE, name, f"{this}是{kind}，但没有给出选项", at)
    if ftype not in ("choice", "multi_choice"):
        for option in ("choices", "choices_from"):
            if option in raw:
                message = f"{this}是{kind}，不能有选项（选项只用于单选、多选）"
                problems.add(C.NOT_FOR_TYPE, name, message, (*at, option))
    if ftype == "repeat" and not raw.get("fields"):
        problems.add(C.MISSING_FOR_TYPE, name, f"{owner}重复组“{key}”没有子字段", at)
    if ftype != "repeat" and raw.get("fields"):
        message = f"{this}不是重复组，不能有子字段"
        problems.add(C.NOT_FOR_TYPE, name, message, (*at, "fields"))
    if "pattern" in raw:
        try:
            re.compile(raw["pattern"])
        except re.error:
            message = f"{this}的 pattern 不是有效的正则表达式"
            problems.add(C.BAD_REGEX, name, message, (*at, "pattern"))
    if raw.get("min") is not None and raw.get("max") is not None and raw["min"] > raw["max"]:
        problems.add(C.MIN_ABOVE_MAX, name, f"{this}的最小值大于最大值", (*at, "min"))
    if ftype == "record" and not raw.get("form"):
        message = f"关联记录{this}没有指明关联的表单（form）"
        problems.add(C.MISSING_FOR_TYPE, name, message, at)
    if ftype != "record" and raw.get("form"):
        message = f"{this}不是关联记录，不能指明 form"
        problems.add(C.NOT_FOR_TYPE, name, message, (*at, "form"))
    if raw.get("generate") and ftype != "text":
        message = f"只有文本字段可以自动编号，{this}是{kind}"
        problems.add(C.NOT_FOR_TYPE, name, message, (*at, "generate"))
    if raw.get("not_before") and ftype != "date":
        message = f"只有日期字段可以设置 not_before，{this}是{kind}"
        problems.add(C.NOT_FOR_TYPE, name, message, (*at, "not_before"))
    children = tuple(
        _build_field(
            child, lists, section, name, (*at, "fields", i), problems, f"{owner}重复组“{key}”中的"
        )
        for i, child in enumerate(raw.get("fields", []))
    )
    seen: set[str] = set()
    for i, child in enumerate(children):
        if child.key in seen:
            message = f"{owner}重复组“{key}”中字段“{child.key}”重复"
            problems.add(C.DUPLICATE_FIELD, name, message, (*at, "fields", i, "key"))
        seen.add(child.key)
    return FieldSpec(
        key=key,
        label=raw["label"],
        type=ftype,
        required=bool(raw.get("required", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        pattern=raw.get("pattern"),
        pattern_message=raw.get("pattern_message"),
        choices=choices,
        choice_synonyms=synonyms,
        choices_from=raw.get("choices_from"),
        default=raw.get("default"),
        help=raw.get("help", ""),
        show_if=_condition(raw.get("show_if")),
        # links are set by the services (e.g. 生成整改任务), never typed in
        readonly=bool(raw.get("readonly", False)) or "computed" in raw or ftype == "record",
        computed=raw.get("computed"),
        decimals=raw.get("decimals"),
        unit=raw.get("unit", ""),
        site_types=tuple(raw.get("site_types", [])),
        fields=children,
        section=section,
        default_from=raw.get("default_from"),
        generate=raw.get("generate"),
        not_before=raw.get("not_before"),
        form=raw.get("form"),
    )


def _field_paths(form: FormSpec) -> list[tuple[FieldSpec, DocPath]]:
    """The top-level fields of a form with their paths in its file (specs are built in
    the file's order, so the indexes are the file's)."""
    return [
        (f, ("sections", s, "fields", i))
        for s, sec in enumerate(form.sections)
        for i, f in enumerate(sec.fields)
    ]


def _value_path(problems: Problems, name: str, at: DocPath, index: int) -> DocPath:
    """Path of the ``index``-th value of the condition at ``at`` (``in:`` or ``equals:``)."""
    raw = problems.doc_at(name, at)
    return (*at, "in", index) if isinstance(raw, dict) and "in" in raw else (*at, "equals")


def _check_condition(
    name: str,
    owner: str,
    cond: Condition | None,
    by_key: dict[str, FieldSpec],
    problems: Problems,
    at: DocPath,
    what: str = "显示条件",
) -> None:
    if cond is None:
        return
    target = by_key.get(cond.field)
    if target is None:
        message = f"{owner}的{what}引用了不存在的字段“{cond.field}”"
        problems.add(C.UNKNOWN_FIELD_REF, name, message, (*at, "field"))
        return
    if target.choices:
        for i, value in enumerate(cond.values):
            if value not in target.choices:
                message = f"{owner}的{what}取值“{value}”不是字段“{cond.field}”的选项"
                problems.add(C.NOT_A_CHOICE, name, message, _value_path(problems, name, at, i))


def _build_form(name: str, raw: dict[str, Any], lists: dict, problems: Problems) -> FormSpec:
    sections = []
    for s, sec in enumerate(raw["sections"]):
        fields = tuple(
            _build_field(f, lists, sec["title"], name, ("sections", s, "fields", i), problems)
            for i, f in enumerate(sec["fields"])
        )
        sections.append(SectionSpec(sec["title"], fields, _condition(sec.get("show_if"))))
    title_is_list = isinstance(raw["title_field"], list)
    title_fields = raw["title_field"] if title_is_list else [raw["title_field"]]
    patrol = raw.get("patrol")
    deadline_state = raw.get("deadline_state")
    spec = FormSpec(
        id=raw["id"],
        title=raw["title"],
        version=raw["version"],
        sections=tuple(sections),
        title_field=title_fields[0],
        title_fields=tuple(title_fields),
        rules=tuple(
            RuleSpec(
                when=_condition(rule["when"]),  # type: ignore[arg-type]
                field=rule["field"],
                message=rule["message"],
                require=tuple(rule.get("require", [])),
                require_values=tuple(
                    (k, tuple(v)) for k, v in rule.get("require_values", {}).items()
                ),
            )
            for rule in raw.get("rules", [])
        ),
        not_copied=tuple(raw.get("not_copied", [])),
        actions=tuple(
            ActionSpec(
                id=a["id"],
                label=a["label"],
                target=a["target"],
                show_if=_condition(a.get("show_if")),
                values=tuple(a.get("values", {}).items()),
                copy=tuple(a.get("copy", {}).items()),
            )
            for a in raw.get("actions", [])
        ),
        patrol=PatrolSpec(
            type_field=patrol["type_field"],
            site_field=patrol["site_field"],
            site_types=tuple((k, tuple(v)) for k, v in patrol["site_types"].items()),
        )
        if patrol
        else None,
        date_field=raw.get("date_field"),
        site_field=raw.get("site_field"),
        status_field=raw.get("status_field"),
        list_columns=tuple(raw.get("list_columns", [])),
        deadline_state=DeadlineStateSpec(
            due=deadline_state["due"],
            done=deadline_state["done"],
            soon_days=deadline_state.get("soon_days", 7),
        )
        if deadline_state
        else None,
        row_style=tuple(raw.get("row_style", {}).items()),
        list_filters=tuple(raw.get("list_filters", [])),
        line_of_work=raw.get("line_of_work", "其他工作"),
        search_hint=raw.get("search_hint", ""),
    )
    seen: set[str] = set()
    for f, at in _field_paths(spec):
        if f.key in seen:
            message = f"字段“{f.key}”重复定义"
            problems.add(C.DUPLICATE_FIELD, name, message, (*at, "key"))
        seen.add(f.key)
    by_key = {f.key: f for f in spec.fields}
    for i, extra_title in enumerate(spec.title_fields[1:], start=1):
        if extra_title not in by_key:
            message = f"title_field 引用了不存在的字段“{extra_title}”"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, ("title_field", i))
    _check_rules(name, spec, by_key, problems)
    for i, key in enumerate(spec.not_copied):
        if key not in by_key:
            message = f"not_copied 引用了不存在的字段“{key}”"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, ("not_copied", i))
    _check_patrol(name, spec, by_key, problems)
    _check_deadline_state(name, spec, by_key, problems)
    for role, ref, want in (
        ("title_field", spec.title_field, None),
        ("date_field", spec.date_field, "date"),
        ("site_field", spec.site_field, "site"),
        ("status_field", spec.status_field, "choice"),
    ):
        if ref is None:
            continue
        ref_at: DocPath = ("title_field", 0) if role == "title_field" and title_is_list else (role,)
        if ref not in by_key:
            message = f"{role} 引用了不存在的字段“{ref}”"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, ref_at)
        elif want and by_key[ref].type != want:
            message = f"{role} 字段“{ref}”应为{FIELD_TYPES[want]}类型"
            problems.add(C.WRONG_FIELD_TYPE, name, message, ref_at)
    for i, key in enumerate(spec.list_filters):
        if key not in by_key:
            message = f"list_filters 引用了不存在的字段“{key}”"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, ("list_filters", i))
        elif by_key[key].type not in FILTER_TYPES:
            kinds = "、".join(FIELD_TYPES[t] for t in FILTER_TYPES)
            message = f"list_filters 字段“{key}”应为{kinds}类型"
            problems.add(C.WRONG_FIELD_TYPE, name, message, ("list_filters", i))
    for i, key in enumerate(spec.list_columns):
        if key not in by_key:
            message = f"list_columns 引用了不存在的字段“{key}”"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, ("list_columns", i))
    for s, sec in enumerate(spec.sections):
        at = ("sections", s)
        _check_condition(
            name, f"分组“{sec.title}”", sec.show_if, by_key, problems, (*at, "show_if")
        )
        _check_fields(name, "", sec.fields, by_key, problems, (*at, "fields"))
    return spec


def _check_rules(
    name: str, spec: FormSpec, by_key: dict[str, FieldSpec], problems: Problems
) -> None:
    for index, rule in enumerate(spec.rules):
        owner = f"第{index + 1}条规则"
        at: DocPath = ("rules", index)
        _check_condition(name, owner, rule.when, by_key, problems, (*at, "when"), "适用条件")
        if rule.field not in by_key:
            message = f"{owner}的提示字段“{rule.field}”不存在"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, (*at, "field"))
        for i, key in enumerate(rule.require):
            if key not in by_key:
                message = f"{owner}要求填写的字段“{key}”不存在"
                problems.add(C.UNKNOWN_FIELD_REF, name, message, (*at, "require", i))
        for key, values in rule.require_values:
            target = by_key.get(key)
            where = (*at, "require_values", key)
            if target is None:
                message = f"{owner}要求取值的字段“{key}”不存在"
                problems.add(C.UNKNOWN_FIELD_REF, name, message, where)
                continue
            for i, value in enumerate(values):
                if target.choices and value not in target.choices:
                    message = f"{owner}要求的取值“{value}”不是字段“{key}”的选项"
                    problems.add(C.NOT_A_CHOICE, name, message, (*where, i))


def _check_deadline_state(
    name: str, spec: FormSpec, by_key: dict[str, FieldSpec], problems: Problems
) -> None:
    state = spec.deadline_state
    if spec.row_style and state is None:
        message = "row_style 需要同时声明 deadline_state（状态由期限计算）"
        problems.add(C.UNKNOWN_FIELD_REF, name, message, ("row_style",))
    if state is None:
        return
    for role, ref in (("due", state.due), ("done", state.done)):
        at: DocPath = ("deadline_state", role)
        if ref not in by_key:
            message = f"deadline_state.{role} 引用了不存在的字段“{ref}”"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, at)
        elif by_key[ref].type != "date":
            message = f"deadline_state.{role} 字段“{ref}”应为{FIELD_TYPES['date']}类型"
            problems.add(C.WRONG_FIELD_TYPE, name, message, at)


def _check_patrol(
    name: str, spec: FormSpec, by_key: dict[str, FieldSpec], problems: Problems
) -> None:
    patrol = spec.patrol
    if patrol is None:
        return
    type_field = by_key.get(patrol.type_field)
    if type_field is None or type_field.type != "choice":
        message = f"patrol.type_field“{patrol.type_field}”应为本表单的单选字段"
        code = C.UNKNOWN_FIELD_REF if type_field is None else C.WRONG_FIELD_TYPE
        problems.add(code, name, message, ("patrol", "type_field"))
    else:
        for label, _types in patrol.site_types:
            if label not in type_field.choices:
                message = f"patrol.site_types 中的“{label}”不是字段“{patrol.type_field}”的选项"
                problems.add(C.NOT_A_CHOICE, name, message, ("patrol", "site_types", label))
    site_field = by_key.get(patrol.site_field)
    if site_field is None or site_field.type != "site":
        message = f"patrol.site_field“{patrol.site_field}”应为本表单的监管对象字段"
        code = C.UNKNOWN_FIELD_REF if site_field is None else C.WRONG_FIELD_TYPE
        problems.add(code, name, message, ("patrol", "site_field"))


def _check_links(
    forms: dict[str, FormSpec], problems: Problems, broken: Collection[str] = ()
) -> None:
    """Checks that need every form: record links, patrol site types. ``broken``: ids of
    forms whose file is there but failed the schema check (already reported)."""
    site_form = forms.get("site")
    site_types = (
        site_form.field("site_type").choices
        if site_form is not None and site_form.has_field("site_type")
        else ()
    )
    for form in forms.values():
        name = form.path.name if form.path else form.id
        for f, at in _field_paths(form):
            if f.type == "record" and f.form and f.form not in forms and f.form not in broken:
                message = f"字段“{f.key}”关联的表单“{f.form}”不存在"
                problems.add(C.UNKNOWN_FORM, name, message, (*at, "form"))
            if f.type == "site" and site_types:
                for i, t in enumerate(f.site_types):
                    if t not in site_types:
                        message = f"字段“{f.key}”的监管对象类型“{t}”不存在"
                        problems.add(C.UNKNOWN_SITE_TYPE, name, message, (*at, "site_types", i))
        for index, action in enumerate(form.actions):
            _check_action(name, form, action, ("actions", index), forms, problems, broken)
        if form.patrol is not None and site_types:
            for label, types in form.patrol.site_types:
                for i, t in enumerate(types):
                    if t not in site_types:
                        message = f"patrol.site_types“{label}”中的监管对象类型“{t}”不存在"
                        where = ("patrol", "site_types", label, i)
                        problems.add(C.UNKNOWN_SITE_TYPE, name, message, where)


def _check_action(
    name: str,
    form: FormSpec,
    action: ActionSpec,
    at: DocPath,
    forms: dict[str, FormSpec],
    problems: Problems,
    broken: Collection[str],
) -> None:
    owner = f"操作“{action.label}”"
    target = forms.get(action.target)
    if target is None:
        if action.target not in broken:
            message = f"{owner}的目标表单“{action.target}”不存在"
            problems.add(C.UNKNOWN_FORM, name, message, (*at, "target"))
        return
    by_key = {f.key: f for f in form.fields}
    _check_condition(name, owner, action.show_if, by_key, problems, (*at, "show_if"))
    for key, value in action.values:
        where = (*at, "values", key)
        if not target.has_field(key):
            message = f"{owner}预填的字段“{key}”在表单“{target.id}”中不存在"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, where)
            continue
        preset = target.field(key)
        if preset.choices and value not in preset.choices and value not in preset.choice_synonyms:
            message = f"{owner}预填的取值“{value}”不是表单“{target.id}”字段“{key}”的选项"
            problems.add(C.NOT_A_CHOICE, name, message, where)
    for target_key, source_key in action.copy:
        where = (*at, "copy", target_key)
        if not target.has_field(target_key):
            message = f"{owner}复制到的字段“{target_key}”在表单“{target.id}”中不存在"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, where)
        if source_key not in by_key:
            message = f"{owner}复制的来源字段“{source_key}”不存在"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, where)


def _check_fields(
    name: str,
    owner: str,
    fields: tuple[FieldSpec, ...],
    by_key: dict[str, FieldSpec],
    problems: Problems,
    at: DocPath,
) -> None:
    """show_if, computed and default of ``fields`` (at ``at`` in the file), whose siblings
    are ``by_key``. Inside a repeat group a row only sees its own fields, so children are
    checked against their siblings."""
    for index, f in enumerate(fields):
        here: DocPath = (*at, index)
        this = f"{owner}字段“{f.key}”"
        _check_condition(name, this, f.show_if, by_key, problems, (*here, "show_if"))
        if f.not_before is not None:
            target = by_key.get(f.not_before)
            if target is None or target.type != "date":
                code = C.UNKNOWN_FIELD_REF if target is None else C.WRONG_FIELD_TYPE
                message = f"{this}的 not_before 应引用一个日期字段"
                problems.add(code, name, message, (*here, "not_before"))
        if f.default_from is not None:
            _check_default_from(name, this, f, by_key, problems, (*here, "default_from"))
        if f.computed:
            for ref in computed_refs(f.computed):
                if ref not in by_key:
                    message = f"{this}的计算引用了不存在的字段“{ref}”"
                    problems.add(C.UNKNOWN_FIELD_REF, name, message, (*here, "computed"))
        if f.default is not None and f.choices and f.type in ("choice", "multi_choice"):
            listed = isinstance(f.default, list) and f.type == "multi_choice"
            defaults = f.default if listed else [f.default]
            for i, value in enumerate(defaults):
                if value not in f.choices:
                    where = (*here, "default", i) if listed else (*here, "default")
                    message = f"{this}的默认值“{value}”不是它的选项"
                    problems.add(C.NOT_A_CHOICE, name, message, where)
        if f.is_repeat:
            children = {c.key: c for c in f.fields}
            inner = f"{owner}重复组“{f.key}”中的"
            _check_fields(name, inner, f.fields, children, problems, (*here, "fields"))


def _check_default_from(
    name: str,
    this: str,
    f: FieldSpec,
    by_key: dict[str, FieldSpec],
    problems: Problems,
    at: DocPath,
) -> None:
    assert f.default_from is not None
    driver = by_key.get(f.default_from["field"])
    if driver is None:
        message = f"{this}的 default_from 引用了不存在的字段“{f.default_from['field']}”"
        problems.add(C.UNKNOWN_FIELD_REF, name, message, (*at, "field"))
    elif driver.choices:
        for value in f.default_from["map"]:
            if value not in driver.choices:
                message = f"{this}的 default_from 取值“{value}”不是字段“{driver.key}”的选项"
                problems.add(C.NOT_A_CHOICE, name, message, (*at, "map", value))
    if f.type == "choice" and f.choices:
        for value, default in f.default_from["map"].items():
            if default not in f.choices:
                message = f"{this}的 default_from 给出的默认值“{default}”不是它的选项"
                problems.add(C.NOT_A_CHOICE, name, message, (*at, "map", value))


def _check_detail(
    name: str, col: dict[str, Any], by_key: dict[str, FieldSpec], index: int, problems: Problems
) -> None:
    """``detail_field`` names a text field of the form; ``problem_choice`` is a choice of
    the column's own field."""
    detail = col.get("detail_field")
    if not detail:
        return
    own = by_key.get(col["field"])
    target = by_key.get(detail)
    if target is None:
        message = f"列“{col['field']}”的 detail_field“{detail}”在来源表单中不存在"
        problems.add(C.UNKNOWN_FIELD_REF, name, message, ("columns", index, "detail_field"))
    elif target.type not in ("text", "multiline"):
        message = f"列“{col['field']}”的 detail_field“{detail}”应为文本字段"
        problems.add(C.WRONG_FIELD_TYPE, name, message, ("columns", index, "detail_field"))
    if own is None or own.type not in ("choice", "multi_choice"):
        message = f"列“{col['field']}”不是选项字段，不能设置 detail_field"
        problems.add(C.NOT_FOR_TYPE, name, message, ("columns", index, "detail_field"))
        return
    choice = col.get("problem_choice")
    if choice and choice not in own.choices:
        message = f"列“{col['field']}”的 problem_choice“{choice}”不是它的选项"
        problems.add(C.NOT_A_CHOICE, name, message, ("columns", index, "problem_choice"))


def _check_from_site(
    name: str,
    col: dict[str, Any],
    index: int,
    own: FieldSpec,
    form: FormSpec,
    site_form: FormSpec | None,
    problems: Problems,
) -> None:
    """``from_site``: the record's form links one site, the site form has the field, and
    its values fit the column (same type; a choice's labels are the column's labels)."""
    at: DocPath = ("columns", index, "from_site")
    ref, sub = col["field"], col["from_site"]
    if "." in ref:
        message = f"列“{ref}”本身就取自监管对象，不能再设置 from_site"
        problems.add(C.NOT_FOR_TYPE, name, message, at)
        return
    if form.site_field is None:
        message = f"来源表单“{form.id}”没有 site_field，列“{ref}”不能设置 from_site"
        problems.add(C.NOT_FOR_TYPE, name, message, at)
        return
    if site_form is None:
        return  # reported with the site form
    if not site_form.has_field(sub):
        message = f"列“{ref}”的 from_site 引用的监管对象字段“{sub}”不存在"
        problems.add(C.UNKNOWN_FIELD_REF, name, message, at)
        return
    theirs = site_form.field(sub)
    if theirs.type != own.type or not set(theirs.choices) <= set(own.choices):
        message = f"监管对象字段“{sub}”与列“{ref}”的类型或选项不一致，不能作为 from_site"
        problems.add(C.WRONG_FIELD_TYPE, name, message, at)


def _build_ledger(
    name: str,
    raw: dict[str, Any],
    forms: dict[str, FormSpec],
    problems: Problems,
    broken: Collection[str] = (),
) -> LedgerSpec | None:
    """``broken``: ids of forms whose file failed the schema check (already reported):
    a ledger over one of them is not checked, rather than reported as another problem."""
    form = forms.get(raw["form"])
    if form is None:
        if raw["form"] not in broken:
            problems.add(C.UNKNOWN_FORM, name, f"来源表单“{raw['form']}”不存在", ("form",))
        return None
    by_key = {f.key: f for f in form.fields}
    columns = []
    for index, col in enumerate(raw["columns"]):
        ref = col["field"]
        label = col.get("label")
        at: DocPath = ("columns", index, "field")
        shown: FieldSpec | None = None  # the field the column shows, once found
        if "." in ref:
            site_key, sub = ref.split(".", 1)
            site_field = by_key.get(site_key)
            site_form = forms.get("site")
            if site_field is None or site_field.type != "site":
                message = f"列“{ref}”中的“{site_key}”不是表单“{form.id}”的监管对象字段"
                code = C.UNKNOWN_FIELD_REF if site_field is None else C.WRONG_FIELD_TYPE
                problems.add(code, name, message, at)
            elif site_form is None and "site" in broken:
                pass  # the site form's own problems are reported
            elif site_form is None or not site_form.has_field(sub):
                message = f"列“{ref}”引用的监管对象字段“{sub}”不存在"
                problems.add(C.UNKNOWN_FIELD_REF, name, message, at)
            else:
                shown = site_form.field(sub)
        elif ref not in by_key:
            message = f"列“{ref}”在来源表单“{form.id}”中不存在"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, at)
        else:
            shown = by_key[ref]
        if label is None and shown is not None:
            label = shown.label
        if col.get("from_site") and shown is not None:
            _check_from_site(name, col, index, shown, form, forms.get("site"), problems)
        if col.get("total") and shown is not None and shown.type not in TOTAL_TYPES:
            message = f"列“{ref}”不是数字字段（整数或小数），不能合计"
            problems.add(C.NOT_FOR_TYPE, name, message, ("columns", index, "total"))
        columns.append(
            LedgerColumn(
                field=ref,
                label=label or ref,
                width=float(col.get("width", 12)),
                group=col.get("group", ""),
                new_page=bool(col.get("new_page", False)),
                synonyms=tuple(col.get("synonyms", [])),
                detail_field=col.get("detail_field", ""),
                problem_choice=col.get("problem_choice", ""),
                total=bool(col.get("total", False)),
                from_site=col.get("from_site", ""),
            )
        )
        _check_detail(name, col, by_key, index, problems)
    # a group is one merged header cell over neighbouring columns
    groups = [c.group for c in columns]
    for group in dict.fromkeys(g for g in groups if g):
        placed = [i for i, g in enumerate(groups) if g == group]
        apart = next((i for n, i in enumerate(placed) if i != placed[0] + n), None)
        if apart is not None:
            message = f"列组“{group}”的列应当相邻"
            problems.add(C.SPLIT_GROUP, name, message, ("columns", apart, "group"))
    refs = [c.field for c in columns]
    seen: set[str] = set()
    for index, ref in enumerate(refs):
        if ref in seen:
            message = f"列“{ref}”重复"
            problems.add(C.DUPLICATE_COLUMN, name, message, ("columns", index, "field"))
        seen.add(ref)
    for index, key in enumerate(raw["natural_key"]):
        if key not in refs:
            message = f"natural_key 中的“{key}”不是本台账的列"
            problems.add(C.NOT_A_COLUMN, name, message, ("natural_key", index))
    filters: dict[str, tuple[Any, ...]] = {}
    for key, value in (raw.get("filter") or {}).items():
        at = ("filter", key)
        if key not in by_key:
            message = f"筛选条件引用了不存在的字段“{key}”"
            problems.add(C.UNKNOWN_FIELD_REF, name, message, at)
            continue
        listed = isinstance(value, list)
        values = tuple(value) if listed else (value,)
        choices = by_key[key].choices
        for i, v in enumerate(values):
            where = (*at, i) if listed else at
            if choices and v not in choices:
                message = f"筛选条件“{key}”的取值“{v}”不是它的选项"
                problems.add(C.NOT_A_CHOICE, name, message, where)
            if by_key[key].type == "boolean" and not isinstance(v, bool):
                message = f"筛选条件“{key}”的取值“{v}”应为 true 或 false"
                problems.add(C.NOT_A_BOOLEAN, name, message, where)
        filters[key] = values
    date_field = raw.get("date_field") or form.date_field
    if date_field and date_field not in by_key:
        message = f"date_field“{date_field}”在来源表单中不存在"
        problems.add(C.UNKNOWN_FIELD_REF, name, message, ("date_field",))
    return LedgerSpec(
        id=raw["id"],
        title=raw["title"],
        form=form.id,
        columns=tuple(columns),
        natural_key=tuple(raw["natural_key"]),
        filter=filters,
        date_field=date_field,
        version=raw.get("version", 1),
    )


def _files(root: Path) -> tuple[Path, list[Path], list[Path]]:
    """lists.yaml, the form files and the ledger files of ``root``, in load order."""
    form_files = sorted(p for p in root.glob("*.yaml") if p.name != LISTS_FILE)
    return root / LISTS_FILE, form_files, sorted((root / LEDGERS_DIR).glob("*.yaml"))


def _named(root: Path) -> list[tuple[str, Path]]:
    """Every file the registry is read from, by the name problems give it."""
    return _named_files(*_files(root))


def _named_files(
    lists_path: Path, form_files: list[Path], ledger_files: list[Path]
) -> list[tuple[str, Path]]:
    named = [(LISTS_FILE, lists_path)] if lists_path.exists() else []
    named += [(p.name, p) for p in form_files]
    return named + [(f"{LEDGERS_DIR}/{p.name}", p) for p in ledger_files]


class _Reader:
    """Reads and schema-checks each file, or takes it from the validated cache."""

    def __init__(self, problems: Problems, cached: dict[str, Any] | None) -> None:
        self.problems = problems
        self.cached = cached
        self.docs: dict[str, Any] = {}  # what was read, for a new cache

    def doc(self, path: Path, name: str) -> Any:
        if self.cached is not None and name in self.cached:
            doc = self.cached[name]
            self.problems.read(name, path, doc)
        else:
            from gongkai_desktop.forms.yaml_files import read_yaml

            doc = read_yaml(path, self.problems, name)
        self.docs[name] = doc
        return doc

    def schema_ok(self, name: str, doc: Any, schema_name: str) -> bool:
        if self.cached is not None and name in self.cached:
            return True  # checked when it was cached, under the same schemas
        return _schema_check(name, doc, schema_name, self.problems)


def load_registry(root: Path, cache_dir: Path | None = None) -> FormRegistry:
    """Load ``lists.yaml``, every form file and every ledger file under ``root``.

    Raises :class:`FormDefinitionError` with every problem of every file, each a
    :class:`~gongkai_desktop.forms.problems.FormProblem` (code, file, line, field, message).
    With ``cache_dir``, files unchanged since they last passed every check are taken from
    the validated cache (``validated_cache``) instead of being parsed and checked again.
    """
    lists_path, form_files, ledger_files = _files(root)
    key = cached = store = None
    if cache_dir is not None:
        key = validated_cache.cache_key(_named_files(lists_path, form_files, ledger_files), SCHEMAS)
        store = validated_cache.user_cache_file(cache_dir, root)
        if key is not None:
            shipped = root / validated_cache.SHIPPED_NAME
            cached = validated_cache.read([shipped, store], key)
    problems = Problems()
    reader = _Reader(problems, cached)
    lists: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {}
    if lists_path.exists():
        doc = reader.doc(lists_path, LISTS_FILE)
        if doc is not None and reader.schema_ok(LISTS_FILE, doc, "lists"):
            lists = {k: _choice_items(v) for k, v in doc["lists"].items()}

    forms: dict[str, FormSpec] = {}
    broken: set[str] = set()
    if not form_files:
        problems.add(C.NO_FORM_FILES, "", f"表单目录 {root} 中没有表单文件")
    for path in form_files:
        doc = reader.doc(path, path.name)
        if doc is None:
            continue
        if not reader.schema_ok(path.name, doc, "form"):
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                broken.add(doc["id"])
            continue
        if doc["id"] in forms:
            message = f"表单编号“{doc['id']}”与其他文件重复"
            problems.add(C.DUPLICATE_ID, path.name, message, ("id",))
            continue
        if path.stem != doc["id"]:
            message = f"文件名应与表单编号“{doc['id']}”一致"
            problems.add(C.FILE_NAME_MISMATCH, path.name, message, ("id",))
        spec = _build_form(path.name, doc, lists, problems)
        forms[spec.id] = _with_path(spec, path)
    _check_links(forms, problems, broken)

    ledgers: dict[str, LedgerSpec] = {}
    for path in ledger_files:
        name = f"{LEDGERS_DIR}/{path.name}"
        doc = reader.doc(path, name)
        if doc is None or not reader.schema_ok(name, doc, "ledger"):
            continue
        if doc["id"] in ledgers:
            message = f"台账编号“{doc['id']}”与其他文件重复"
            problems.add(C.DUPLICATE_ID, name, message, ("id",))
            continue
        ledger = _build_ledger(name, doc, forms, problems, broken)
        if ledger is not None:
            ledgers[ledger.id] = LedgerSpec(**{**ledger.__dict__, "path": path})

    if problems:
        raise FormDefinitionError(problems.result())
    if store is not None and key is not None and cached is None:
        validated_cache.write(store, key, reader.docs)
    return FormRegistry(forms=forms, ledgers=ledgers, lists={k: v[0] for k, v in lists.items()})


def write_shipped_cache(root: Path, target: Path | None = None) -> Path:
    """The cache the bundle ships beside its forms, ``target`` (by default in ``root``;
    ``build.spec`` writes it in build/ and bundles it into forms/): the folder is checked
    in full first, so a broken file fails the build."""
    load_registry(root)  # raises FormDefinitionError on any problem
    named = _named(root)
    reader = _Reader(Problems(), None)
    for name, path in named:
        reader.doc(path, name)
    key = validated_cache.cache_key(named, SCHEMAS)
    target = target or root / validated_cache.SHIPPED_NAME
    if key is None or not validated_cache.write(target, key, reader.docs):
        raise GongkaiError(f"无法写入表单校验缓存 {target}")
    return target


def _with_path(spec: FormSpec, path: Path) -> FormSpec:
    return FormSpec(**{**spec.__dict__, "path": path})
