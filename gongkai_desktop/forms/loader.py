"""Load and check every file in ``forms/``: schema first, then the semantic checks.

Errors are collected (not raised one at a time) so the clerk or the maintainer sees
every problem of every file at once, each naming the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from gongkai_desktop.domain.errors import FormDefinitionError
from gongkai_desktop.forms.schema import FORM_SCHEMA, LEDGER_SCHEMA, LISTS_SCHEMA
from gongkai_desktop.forms.spec import (
    FIELD_TYPES,
    ActionSpec,
    Condition,
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

LISTS_FILE = "lists.yaml"
LEDGERS_DIR = "ledgers"

_SCHEMA_WORDS = {
    "required": "缺少必填项",
    "additionalProperties": "有不认识的项",
    "enum": "取值不在允许范围内",
    "type": "类型不对",
    "pattern": "格式不符合要求",
    "minItems": "项目太少",
    "minLength": "不能为空",
    "oneOf": "写法不对",
    "minimum": "数值太小",
    "maximum": "数值太大",
}


def _where(path: Iterable[Any], doc: Any) -> str:
    """Turn a jsonschema path into words, naming the field key where there is one."""
    parts: list[str] = []
    node = doc
    parent: Any = None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(step, int) and parent == "rules":
            parts[-1:] = [f"第{step + 1}条规则"]
        elif isinstance(step, int) and parent == "actions":
            label = node.get("label") if isinstance(node, dict) else None
            parts[-1:] = [f"操作“{label}”" if label else f"第{step + 1}个操作"]
        elif isinstance(step, int):
            if isinstance(node, dict) and "key" in node:
                parts.append(f"字段“{node['key']}”")
            elif isinstance(node, dict) and "title" in node:
                parts.append(f"分组“{node['title']}”")
            elif isinstance(node, dict) and "field" in node:
                parts.append(f"列“{node['field']}”")
            else:
                parts.append(f"第{step + 1}项")
        elif step not in ("sections", "fields", "columns", "lists"):
            parts.append(str(step))
        parent = step
    return " → ".join(parts) or "文件顶层"


def _schema_problems(name: str, doc: Any, schema: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        word = _SCHEMA_WORDS.get(str(err.validator), "不符合格式要求")
        detail = ""
        if err.validator == "required":
            missing = re.findall(r"'([^']+)' is a required property", err.message)
            detail = f"“{missing[0]}”" if missing else ""
        elif err.validator == "additionalProperties":
            extra = re.findall(r"'([^']+)'", err.message)
            detail = f"“{'、'.join(extra)}”" if extra else ""
        elif err.validator == "enum":
            detail = f"（{err.instance!r}）"
        problems.append(f"{name}：{_where(err.absolute_path, doc)}：{word}{detail}")
    return problems


class _DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: Any, owner: Any, line: int) -> None:
        self.key, self.owner, self.line = key, owner, line


# libyaml's parser when PyYAML has it (the wheels do): the pure-Python one takes over a
# second to read forms/ on a modest PC, and every start and CLI command reads it
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """SafeLoader that refuses a key written twice in one mapping: plain YAML would
    silently keep the last one (e.g. a second ``fields:`` drops a section's fields)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        owner = next(
            (v.value for k, v in node.value if k.value == "key" and isinstance(v, yaml.ScalarNode)),
            None,
        )
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key: SafeLoader reports it below
                continue
            if duplicate:
                raise _DuplicateKeyError(key, owner, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _read_yaml(path: Path, problems: list[str], name: str | None = None) -> Any:
    """The parsed file, or None after recording why it cannot be used."""
    name = name or path.name
    try:
        with path.open(encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=_UniqueKeyLoader)  # a SafeLoader
    except _DuplicateKeyError as dup:
        where = f"字段“{dup.owner}”中" if dup.owner else ""
        problems.append(f"{name}：第{dup.line}行：{where}“{dup.key}”重复出现")
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(f"{name}：无法读取（{exc}）")
        return None
    if doc is None:
        problems.append(f"{name}：文件为空")
    return doc


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
    where: str,
    problems: list[str],
) -> FieldSpec:
    key = raw["key"]
    choices: tuple[str, ...] = ()
    synonyms: dict[str, str] = {}
    if "choices" in raw:
        choices, synonyms = _choice_items(raw["choices"])
    elif "choices_from" in raw:
        if raw["choices_from"] not in lists:
            problems.append(f"{where}：字段“{key}”引用的选项列表“{raw['choices_from']}”不存在")
        else:
            choices, synonyms = lists[raw["choices_from"]]
    ftype = raw["type"]
    if ftype in ("choice", "multi_choice") and not choices and "choices_from" not in raw:
        problems.append(f"{where}：字段“{key}”是{FIELD_TYPES[ftype]}，但没有给出选项")
    if ftype not in ("choice", "multi_choice") and ("choices" in raw or "choices_from" in raw):
        problems.append(
            f"{where}：字段“{key}”是{FIELD_TYPES[ftype]}，不能有选项（选项只用于单选、多选）"
        )
    if ftype == "repeat" and not raw.get("fields"):
        problems.append(f"{where}：重复组“{key}”没有子字段")
    if ftype != "repeat" and raw.get("fields"):
        problems.append(f"{where}：字段“{key}”不是重复组，不能有子字段")
    if "pattern" in raw:
        try:
            re.compile(raw["pattern"])
        except re.error:
            problems.append(f"{where}：字段“{key}”的 pattern 不是有效的正则表达式")
    if raw.get("min") is not None and raw.get("max") is not None and raw["min"] > raw["max"]:
        problems.append(f"{where}：字段“{key}”的最小值大于最大值")
    if ftype == "record" and not raw.get("form"):
        problems.append(f"{where}：关联记录字段“{key}”没有指明关联的表单（form）")
    if ftype != "record" and raw.get("form"):
        problems.append(f"{where}：字段“{key}”不是关联记录，不能指明 form")
    if raw.get("generate") and ftype != "text":
        problems.append(f"{where}：只有文本字段可以自动编号，字段“{key}”是{FIELD_TYPES[ftype]}")
    if raw.get("not_before") and ftype != "date":
        problems.append(
            f"{where}：只有日期字段可以设置 not_before，字段“{key}”是{FIELD_TYPES[ftype]}"
        )
    children = tuple(
        _build_field(child, lists, section, f"{where} → 重复组“{key}”", problems)
        for child in raw.get("fields", [])
    )
    child_keys = [c.key for c in children]
    for dup in {k for k in child_keys if child_keys.count(k) > 1}:
        problems.append(f"{where}：重复组“{key}”中字段“{dup}”重复")
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


def _check_condition(
    name: str,
    owner: str,
    cond: Condition | None,
    by_key: dict[str, FieldSpec],
    problems: list[str],
    what: str = "显示条件",
) -> None:
    if cond is None:
        return
    target = by_key.get(cond.field)
    if target is None:
        problems.append(f"{name}：{owner}的{what}引用了不存在的字段“{cond.field}”")
        return
    if target.choices:
        for value in cond.values:
            if value not in target.choices:
                problems.append(f"{name}：{owner}的{what}取值“{value}”不是字段“{cond.field}”的选项")


def _build_form(name: str, raw: dict[str, Any], lists: dict, problems: list[str]) -> FormSpec:
    sections = []
    for sec in raw["sections"]:
        fields = tuple(_build_field(f, lists, sec["title"], name, problems) for f in sec["fields"])
        sections.append(SectionSpec(sec["title"], fields, _condition(sec.get("show_if"))))
    title_fields = (
        raw["title_field"] if isinstance(raw["title_field"], list) else [raw["title_field"]]
    )
    patrol = raw.get("patrol")
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
    )
    keys = [f.key for f in spec.fields]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"{name}：字段“{dup}”重复定义")
    by_key = {f.key: f for f in spec.fields}
    for extra_title in spec.title_fields[1:]:
        if extra_title not in by_key:
            problems.append(f"{name}：title_field 引用了不存在的字段“{extra_title}”")
    _check_rules(name, spec, by_key, problems)
    for key in spec.not_copied:
        if key not in by_key:
            problems.append(f"{name}：not_copied 引用了不存在的字段“{key}”")
    _check_patrol(name, spec, by_key, problems)
    for role, key, want in (
        ("title_field", spec.title_field, None),
        ("date_field", spec.date_field, "date"),
        ("site_field", spec.site_field, "site"),
        ("status_field", spec.status_field, "choice"),
    ):
        if key is None:
            continue
        if key not in by_key:
            problems.append(f"{name}：{role} 引用了不存在的字段“{key}”")
        elif want and by_key[key].type != want:
            problems.append(f"{name}：{role} 字段“{key}”应为{FIELD_TYPES[want]}类型")
    for key in spec.list_columns:
        if key not in by_key:
            problems.append(f"{name}：list_columns 引用了不存在的字段“{key}”")
    for sec in spec.sections:
        _check_condition(name, f"分组“{sec.title}”", sec.show_if, by_key, problems)
        _check_fields(name, "", sec.fields, by_key, problems)
    return spec


def _check_rules(
    name: str, spec: FormSpec, by_key: dict[str, FieldSpec], problems: list[str]
) -> None:
    for index, rule in enumerate(spec.rules, start=1):
        owner = f"第{index}条规则"
        _check_condition(name, owner, rule.when, by_key, problems, "适用条件")
        if rule.field not in by_key:
            problems.append(f"{name}：{owner}的提示字段“{rule.field}”不存在")
        for key in rule.require:
            if key not in by_key:
                problems.append(f"{name}：{owner}要求填写的字段“{key}”不存在")
        for key, values in rule.require_values:
            target = by_key.get(key)
            if target is None:
                problems.append(f"{name}：{owner}要求取值的字段“{key}”不存在")
                continue
            for value in values:
                if target.choices and value not in target.choices:
                    problems.append(f"{name}：{owner}要求的取值“{value}”不是字段“{key}”的选项")


def _check_patrol(
    name: str, spec: FormSpec, by_key: dict[str, FieldSpec], problems: list[str]
) -> None:
    patrol = spec.patrol
    if patrol is None:
        return
    type_field = by_key.get(patrol.type_field)
    if type_field is None or type_field.type != "choice":
        problems.append(f"{name}：patrol.type_field“{patrol.type_field}”应为本表单的单选字段")
    elif type_field is not None:
        for label, _types in patrol.site_types:
            if label not in type_field.choices:
                problems.append(
                    f"{name}：patrol.site_types 中的“{label}”不是字段“{patrol.type_field}”的选项"
                )
    site_field = by_key.get(patrol.site_field)
    if site_field is None or site_field.type != "site":
        problems.append(f"{name}：patrol.site_field“{patrol.site_field}”应为本表单的监管对象字段")


def _check_links(
    forms: dict[str, FormSpec], problems: list[str], broken: Collection[str] = ()
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
        for f in form.fields:
            if f.type == "record" and f.form and f.form not in forms and f.form not in broken:
                problems.append(f"{name}：字段“{f.key}”关联的表单“{f.form}”不存在")
            if f.type == "site" and site_types:
                for t in f.site_types:
                    if t not in site_types:
                        problems.append(f"{name}：字段“{f.key}”的监管对象类型“{t}”不存在")
        for action in form.actions:
            owner = f"操作“{action.label}”"
            target = forms.get(action.target)
            if target is None:
                if action.target not in broken:
                    problems.append(f"{name}：{owner}的目标表单“{action.target}”不存在")
                continue
            by_key = {f.key: f for f in form.fields}
            _check_condition(name, owner, action.show_if, by_key, problems)
            for key, value in action.values:
                if not target.has_field(key):
                    problems.append(f"{name}：{owner}预填的字段“{key}”在表单“{target.id}”中不存在")
                    continue
                preset = target.field(key)
                if (
                    preset.choices
                    and value not in preset.choices
                    and value not in preset.choice_synonyms
                ):
                    problems.append(
                        f"{name}：{owner}预填的取值“{value}”不是表单“{target.id}”字段“{key}”的选项"
                    )
            for target_key, source_key in action.copy:
                if not target.has_field(target_key):
                    problems.append(
                        f"{name}：{owner}复制到的字段“{target_key}”在表单“{target.id}”中不存在"
                    )
                if source_key not in by_key:
                    problems.append(f"{name}：{owner}复制的来源字段“{source_key}”不存在")
        if form.patrol is not None and site_types:
            for label, types in form.patrol.site_types:
                for t in types:
                    if t not in site_types:
                        problems.append(
                            f"{name}：patrol.site_types“{label}”中的监管对象类型“{t}”不存在"
                        )


def _check_fields(
    name: str,
    owner: str,
    fields: tuple[FieldSpec, ...],
    by_key: dict[str, FieldSpec],
    problems: list[str],
) -> None:
    """show_if, computed and default of ``fields``, whose siblings are ``by_key``.
    Inside a repeat group a row only sees its own fields, so children are checked
    against their siblings."""
    for f in fields:
        _check_condition(name, f"{owner}字段“{f.key}”", f.show_if, by_key, problems)
        if f.not_before is not None:
            target = by_key.get(f.not_before)
            if target is None or target.type != "date":
                problems.append(f"{name}：{owner}字段“{f.key}”的 not_before 应引用一个日期字段")
        if f.default_from is not None:
            driver = by_key.get(f.default_from["field"])
            if driver is None:
                problems.append(
                    f"{name}：{owner}字段“{f.key}”的 default_from 引用了不存在的字段"
                    f"“{f.default_from['field']}”"
                )
            elif driver.choices:
                for value in f.default_from["map"]:
                    if value not in driver.choices:
                        problems.append(
                            f"{name}：{owner}字段“{f.key}”的 default_from 取值“{value}”"
                            f"不是字段“{driver.key}”的选项"
                        )
            if f.type == "choice" and f.choices:
                for default in f.default_from["map"].values():
                    if default not in f.choices:
                        problems.append(
                            f"{name}：{owner}字段“{f.key}”的 default_from 给出的默认值"
                            f"“{default}”不是它的选项"
                        )
        if f.computed:
            refs = computed_refs(f.computed)
            for ref in refs:
                if ref not in by_key:
                    problems.append(f"{name}：{owner}字段“{f.key}”的计算引用了不存在的字段“{ref}”")
        if (
            f.default is not None
            and f.type == "choice"
            and f.choices
            and f.default not in f.choices
        ):
            problems.append(f"{name}：{owner}字段“{f.key}”的默认值“{f.default}”不是它的选项")
        if f.default is not None and f.choices and f.type == "multi_choice":
            defaults = f.default if isinstance(f.default, list) else [f.default]
            for value in defaults:
                if value not in f.choices:
                    problems.append(f"{name}：{owner}字段“{f.key}”的默认值“{value}”不是它的选项")
        if f.is_repeat:
            children = {c.key: c for c in f.fields}
            _check_fields(name, f"{owner}重复组“{f.key}”中的", f.fields, children, problems)


def _build_ledger(
    name: str, raw: dict[str, Any], forms: dict[str, FormSpec], problems: list[str]
) -> LedgerSpec | None:
    form = forms.get(raw["form"])
    if form is None:
        problems.append(f"{name}：来源表单“{raw['form']}”不存在")
        return None
    by_key = {f.key: f for f in form.fields}
    columns = []
    for col in raw["columns"]:
        ref = col["field"]
        label = col.get("label")
        if "." in ref:
            site_key, sub = ref.split(".", 1)
            site_field = by_key.get(site_key)
            site_form = forms.get("site")
            if site_field is None or site_field.type != "site":
                problems.append(
                    f"{name}：列“{ref}”中的“{site_key}”不是表单“{form.id}”的监管对象字段"
                )
            elif site_form is None or not site_form.has_field(sub):
                problems.append(f"{name}：列“{ref}”引用的监管对象字段“{sub}”不存在")
            elif label is None:
                label = site_form.field(sub).label
        elif ref not in by_key:
            problems.append(f"{name}：列“{ref}”在来源表单“{form.id}”中不存在")
        elif label is None:
            label = by_key[ref].label
        columns.append(
            LedgerColumn(
                field=ref,
                label=label or ref,
                width=float(col.get("width", 12)),
                group=col.get("group", ""),
                synonyms=tuple(col.get("synonyms", [])),
            )
        )
    refs = [c.field for c in columns]
    # a group is one merged header cell over neighbouring columns
    groups = [c.group for c in columns]
    for group in dict.fromkeys(g for g in groups if g):
        at = [i for i, g in enumerate(groups) if g == group]
        if at[-1] - at[0] + 1 != len(at):
            problems.append(f"{name}：列组“{group}”的列应当相邻")
    for dup in sorted({r for r in refs if refs.count(r) > 1}):
        problems.append(f"{name}：列“{dup}”重复")
    for key in raw["natural_key"]:
        if key not in refs:
            problems.append(f"{name}：natural_key 中的“{key}”不是本台账的列")
    filters: dict[str, tuple[Any, ...]] = {}
    for key, value in (raw.get("filter") or {}).items():
        if key not in by_key:
            problems.append(f"{name}：筛选条件引用了不存在的字段“{key}”")
            continue
        values = tuple(value) if isinstance(value, list) else (value,)
        choices = by_key[key].choices
        for v in values:
            if choices and v not in choices:
                problems.append(f"{name}：筛选条件“{key}”的取值“{v}”不是它的选项")
            if by_key[key].type == "boolean" and not isinstance(v, bool):
                problems.append(f"{name}：筛选条件“{key}”的取值“{v}”应为 true 或 false")
        filters[key] = values
    date_field = raw.get("date_field") or form.date_field
    if date_field and date_field not in by_key:
        problems.append(f"{name}：date_field“{date_field}”在来源表单中不存在")
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


def load_registry(root: Path) -> FormRegistry:
    """Load ``lists.yaml``, every form file and every ledger file under ``root``."""
    problems: list[str] = []
    lists: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {}
    lists_path = root / LISTS_FILE
    if lists_path.exists():
        doc = _read_yaml(lists_path, problems)
        schema_problems = [] if doc is None else _schema_problems(LISTS_FILE, doc, LISTS_SCHEMA)
        problems += schema_problems
        if doc and not schema_problems:
            lists = {k: _choice_items(v) for k, v in doc["lists"].items()}

    forms: dict[str, FormSpec] = {}
    broken: set[str] = set()
    form_files = sorted(p for p in root.glob("*.yaml") if p.name != LISTS_FILE)
    if not form_files:
        problems.append(f"表单目录 {root} 中没有表单文件")
    for path in form_files:
        doc = _read_yaml(path, problems)
        if doc is None:
            continue
        schema_problems = _schema_problems(path.name, doc, FORM_SCHEMA)
        if schema_problems:
            problems += schema_problems
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                broken.add(doc["id"])
            continue
        if doc["id"] in forms:
            problems.append(f"{path.name}：表单编号“{doc['id']}”与其他文件重复")
            continue
        if path.stem != doc["id"]:
            problems.append(f"{path.name}：文件名应与表单编号“{doc['id']}”一致")
        spec = _build_form(path.name, doc, lists, problems)
        forms[spec.id] = _with_path(spec, path)
    _check_links(forms, problems, broken)

    ledgers: dict[str, LedgerSpec] = {}
    for path in sorted((root / LEDGERS_DIR).glob("*.yaml")):
        name = f"{LEDGERS_DIR}/{path.name}"
        doc = _read_yaml(path, problems, name)
        if doc is None:
            continue
        schema_problems = _schema_problems(name, doc, LEDGER_SCHEMA)
        if schema_problems:
            problems += schema_problems
            continue
        if doc["id"] in ledgers:
            problems.append(f"{name}：台账编号“{doc['id']}”与其他文件重复")
            continue
        ledger = _build_ledger(name, doc, forms, problems)
        if ledger is not None:
            ledgers[ledger.id] = LedgerSpec(**{**ledger.__dict__, "path": path})

    if problems:
        raise FormDefinitionError(problems)
    return FormRegistry(forms=forms, ledgers=ledgers, lists={k: v[0] for k, v in lists.items()})


def _with_path(spec: FormSpec, path: Path) -> FormSpec:
    return FormSpec(**{**spec.__dict__, "path": path})
