"""What is wrong in a file of ``forms/``: one typed problem per mistake.

A problem has a stable code (:class:`ProblemCode`), the file, the YAML line, the place in
the file in words (字段“village” → type) and a Chinese message. Schema problems are read
from jsonschema's structured error fields (keyword, keyword value, instance, paths,
the sub-errors of ``oneOf``/``anyOf``), never from its English messages.

Lines cost nothing while the files are valid: the loader parses without marks, and only a
file with a problem is composed again (:func:`yaml.compose`) to find the line of each path.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

# PyYAML and jsonschema are imported only when a file has a problem to locate: a start
# from the validated cache never needs them
if TYPE_CHECKING:
    import yaml
    from jsonschema.exceptions import ValidationError as SchemaError


class ProblemCode(StrEnum):
    """Every kind of problem the loader reports; the values are stable identifiers."""

    # reading the file
    UNREADABLE = "unreadable"  # cannot be opened, or is not UTF-8
    YAML_SYNTAX = "yaml-syntax"
    EMPTY_FILE = "empty-file"
    DUPLICATE_KEY = "duplicate-key"  # one mapping key written twice (YAML keeps the last)
    NO_FORM_FILES = "no-form-files"
    # the schema (gongkai_desktop.forms.schema)
    UNKNOWN_KEY = "unknown-key"
    MISSING_KEY = "missing-key"
    CONFLICTING_KEYS = "conflicting-keys"  # e.g. show_if with both equals and in
    WRONG_TYPE = "wrong-type"
    NOT_ALLOWED = "not-allowed"  # a value outside a fixed set (type: money)
    BAD_FORMAT = "bad-format"  # does not match a pattern (keys, generate, column refs)
    EMPTY_VALUE = "empty-value"
    TOO_FEW = "too-few"
    TOO_MANY = "too-many"
    OUT_OF_RANGE = "out-of-range"
    INVALID = "invalid"  # any other schema rule
    # the semantic checks
    DUPLICATE_ID = "duplicate-id"  # two form (or ledger) files with one id
    FILE_NAME_MISMATCH = "file-name-mismatch"
    DUPLICATE_FIELD = "duplicate-field"
    DUPLICATE_COLUMN = "duplicate-column"
    UNKNOWN_LIST = "unknown-list"  # choices_from names no list of lists.yaml
    UNKNOWN_FORM = "unknown-form"  # record link, action target, ledger source
    UNKNOWN_FIELD_REF = "unknown-field-ref"
    WRONG_FIELD_TYPE = "wrong-field-type"  # refers to a field of the wrong type
    NOT_A_CHOICE = "not-a-choice"  # a value that is not one of a field's choices
    UNKNOWN_SITE_TYPE = "unknown-site-type"
    MISSING_FOR_TYPE = "missing-for-type"  # a choice without choices, a repeat without fields…
    NOT_FOR_TYPE = "not-for-type"  # choices on a text field, form on a non-link…
    BAD_REGEX = "bad-regex"
    MIN_ABOVE_MAX = "min-above-max"
    NOT_A_COLUMN = "not-a-column"  # natural_key names no column of the ledger
    SPLIT_GROUP = "split-group"  # a column group whose columns are not neighbours
    NOT_A_BOOLEAN = "not-a-boolean"  # a ledger filter on a boolean field


DocPath = tuple[str | int, ...]


@dataclass(frozen=True)
class FormProblem:
    """One mistake in one file; ``str()`` is the line shown to the user:
    ``site.yaml：第12行：字段“kind”的默认值“丙类”不是它的选项``."""

    code: ProblemCode
    file: str  # relative to forms/: "site.yaml", "ledgers/farm_register.yaml"; "" for the folder
    message: str  # Chinese, names the field; without the file and the line
    field: str = ""  # the place in words (字段“village” → type); "" for the whole file
    line: int | None = None  # 1-based YAML line; None when there is none (an empty file)
    path: DocPath = ()  # keys and indexes from the document's top down to the place

    def __str__(self) -> str:
        line = f"第{self.line}行" if self.line else ""
        return "：".join(part for part in (self.file, line, self.message) if part)


# ---- the place in words ----------------------------------------------------------------

# lists whose items are named by one of their keys, and the word for an unnamed item
_ITEMS = {
    "sections": ("title", "分组", "第{}个分组"),
    "fields": ("key", "字段", "第{}个字段"),
    "columns": ("field", "列", "第{}列"),
    "actions": ("label", "操作", "第{}个操作"),
    "rules": ("", "", "第{}条规则"),
    "choices": ("label", "选项", "第{}个选项"),
}


def location(path: Iterable[str | int], doc: Any) -> str:
    """A document path in words, naming fields, sections, columns and actions by their
    key, title or label: ``("sections", 0, "fields", 2, "type")`` → 字段“kind” → type."""
    parts: list[str] = []
    steps: list[str | int] = []
    node = doc
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        parent = steps[-1] if steps else None
        grand = steps[-2] if len(steps) > 1 else None
        if isinstance(step, int) and (parent in _ITEMS or grand == "lists"):
            name_key, word, unnamed = _ITEMS[parent if parent in _ITEMS else "choices"]
            if isinstance(node, dict) and isinstance(node.get(name_key), str):
                part = f"{word}“{node[name_key]}”"
            elif isinstance(node, str) and word == "选项":
                part = f"选项“{node}”"
            else:
                part = unnamed.format(step + 1)
            if parent in _ITEMS:
                parts[-1:] = [part]  # the item word replaces the list's name
            else:
                parts.append(part)
            # a field is known by its key: the section around it says nothing more
            if parent == "fields" and len(steps) >= 3 and steps[-3] == "sections":
                parts[-2:-1] = []
        elif isinstance(step, str) and parent == "lists" and len(steps) == 1:
            parts[-1:] = [f"选项列表“{step}”"]
        elif isinstance(step, int):
            parts.append(f"第{step + 1}项")
        else:
            parts.append(str(step))
        steps.append(step)
    return " → ".join(parts) or "文件顶层"


# ---- lines -------------------------------------------------------------------------------


def _compose(path: Path) -> yaml.Node | None:
    import yaml

    # the same parser as the loader: libyaml's when PyYAML has it
    composer: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=composer)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _same_key(node: yaml.Node, step: str | int) -> bool:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return False
    if isinstance(step, bool):
        return node.value.lower() == str(step).lower()
    return node.value == str(step)


def line_of(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """1-based line of ``path`` in a composed document: of the last key when the path ends
    in a mapping key (``columns:`` rather than its first item), else of the node. A path
    that goes further than the document gives the line of the deepest node found."""
    if root is None:
        return None
    import yaml

    node, line = root, root.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if _same_key(k, step)), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


# ---- the problems of one load ------------------------------------------------------------


class Problems:
    """Problems of one load, in the order found. Lines are looked up at the end, and only in
    the files that have a problem."""

    def __init__(self) -> None:
        self._found: list[tuple[FormProblem, bool]] = []  # problem, look up its line
        self._files: dict[str, Path] = {}
        self._docs: dict[str, Any] = {}

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def read(self, name: str, path: Path, doc: Any) -> None:
        """Remember a file that was read (to name its fields and find its lines)."""
        self._files[name], self._docs[name] = path, doc

    def doc_at(self, name: str, path: Sequence[str | int]) -> Any:
        """The part of a read file's document at ``path`` (None if it is not there)."""
        node = self._docs.get(name)
        for step in path:
            try:
                node = node[step]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def add(
        self,
        code: ProblemCode,
        file: str,
        message: str,
        path: DocPath | None = None,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        """``path``: where in the file (its line is looked up later); None for the file as
        a whole, or when ``line`` is already known."""
        if field is None:
            field = location(path, self._docs.get(file)) if path is not None else ""
        problem = FormProblem(code, file, message, field, line, path or ())
        self._found.append((problem, path is not None and line is None))

    def add_schema_errors(self, file: str, doc: Any, errors: Iterable[SchemaError]) -> int:
        """Translate jsonschema's errors of ``doc``; the number of problems they made."""
        before = len(self._found)
        seen: set[tuple[DocPath, str]] = set()
        for err in errors:
            self._schema_error(file, doc, err, seen)
        return len(self._found) - before

    def result(self) -> list[FormProblem]:
        """The problems with their lines, each file's together and in the order of lines."""
        roots: dict[str, yaml.Node | None] = {}
        done: list[FormProblem] = []
        for problem, locate in self._found:
            if locate and problem.file in self._files:
                if problem.file not in roots:
                    roots[problem.file] = _compose(self._files[problem.file])
                problem = replace(problem, line=line_of(roots[problem.file], problem.path))
            done.append(problem)
        order = {name: i for i, name in enumerate(dict.fromkeys(p.file for p in done))}
        return sorted(done, key=lambda p: (order[p.file], p.line or 0))

    # ---- jsonschema's errors --------------------------------------------------------------

    def _schema_error(
        self, file: str, doc: Any, err: SchemaError, seen: set[tuple[DocPath, str]]
    ) -> None:
        path: DocPath = tuple(err.absolute_path)
        where = location(path, doc)
        keyword = err.validator
        value, instance = _value_of(err), _instance_of(err)
        code, text = ProblemCode.INVALID, "不符合格式要求"
        if keyword == "required":
            for key in value:
                if isinstance(instance, dict) and key not in instance and (path, key) not in seen:
                    seen.add((path, key))
                    self.add(ProblemCode.MISSING_KEY, file, f"{where}：缺少必填项“{key}”", path)
            return
        if keyword == "additionalProperties" and isinstance(instance, dict):
            schema = _schema_of(err)
            known = list(schema.get("properties", {}))
            patterns = list(schema.get("patternProperties", {}))
            for key in instance:
                if key in known or any(re.search(p, str(key)) for p in patterns):
                    continue
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"（是不是“{close[0]}”？）" if close else ""
                message = f"{where}：有不认识的项“{key}”{hint}"
                self.add(ProblemCode.UNKNOWN_KEY, file, message, (*path, key))
            return
        if keyword in ("oneOf", "anyOf"):
            self._alternatives(file, doc, err, seen)
            return
        if keyword == "pattern" and "propertyNames" in err.absolute_schema_path:
            # a key of the mapping at ``path`` (jsonschema gives the key as the instance)
            message = f"{where}：名称“{instance}”格式不符合要求{_hint(_schema_of(err))}"
            self.add(ProblemCode.BAD_FORMAT, file, message, (*path, instance))
            return
        if keyword == "type":
            code = ProblemCode.WRONG_TYPE
            text = f"类型不对，应为{_type_words(value)}，写的是{_kind(instance)}"
        elif keyword == "enum":
            code = ProblemCode.NOT_ALLOWED
            allowed = "、".join(str(v) for v in value)
            close = difflib.get_close_matches(str(instance), [str(v) for v in value], n=1)
            guess = f"是不是“{close[0]}”？" if close else ""
            text = f"取值“{instance}”不在允许范围内（{guess}可选：{allowed}）"
        elif keyword == "pattern":
            code, text = ProblemCode.BAD_FORMAT, f"格式不符合要求{_hint(_schema_of(err))}"
        elif keyword == "minLength":
            code = ProblemCode.EMPTY_VALUE
            text = "不能为空" if value <= 1 else f"太短（至少 {value} 个字）"
        elif keyword in ("minItems", "minProperties"):
            code, text = ProblemCode.TOO_FEW, f"项目太少（至少 {value} 项）"
        elif keyword in ("maxItems", "maxProperties"):
            code, text = ProblemCode.TOO_MANY, f"项目太多（最多 {value} 项）"
        elif keyword in ("minimum", "exclusiveMinimum"):
            code, text = ProblemCode.OUT_OF_RANGE, f"数值 {instance} 太小（不能小于 {value}）"
        elif keyword in ("maximum", "exclusiveMaximum"):
            code, text = ProblemCode.OUT_OF_RANGE, f"数值 {instance} 太大（不能大于 {value}）"
        self.add(code, file, f"{where}：{text}", path)

    def _alternatives(
        self, file: str, doc: Any, err: SchemaError, seen: set[tuple[DocPath, str]]
    ) -> None:
        """``oneOf``/``anyOf``: name the keys when the branches only require keys, else
        report the errors of the one branch of the instance's type."""
        path: DocPath = tuple(err.absolute_path)
        where = location(path, doc)
        branches: list[dict[str, Any]] = _value_of(err)
        instance = _instance_of(err)
        if all(set(b) == {"required"} for b in branches) and isinstance(instance, dict):
            keys = [k for b in branches for k in b["required"]]
            present = [k for k in keys if k in instance]
            names = "、".join(keys)
            if len(present) > 1:  # oneOf: valid under several branches
                message = f"{where}：{'、'.join(present)} 只能写其中一项"
                self.add(ProblemCode.CONFLICTING_KEYS, file, message, path)
            else:
                need = "至少写明" if err.validator == "anyOf" else "写明"
                self.add(ProblemCode.MISSING_KEY, file, f"{where}：须{need} {names} 中的一项", path)
            return
        by_branch: dict[int, list[SchemaError]] = defaultdict(list)
        for sub in err.context:
            by_branch[sub.relative_schema_path[0]].append(sub)  # type: ignore[index]
        # a branch fits when the instance is of its type (its errors lie deeper)
        fitting = [
            i
            for i, subs in by_branch.items()
            if not any(s.validator == "type" and not s.relative_path for s in subs)
        ]
        if not by_branch:
            self.add(ProblemCode.INVALID, file, f"{where}：写法不对（同时符合几种写法）", path)
        elif not fitting:
            types: list[str] = []
            for branch in branches:
                declared = branch.get("type", [])
                types += [declared] if isinstance(declared, str) else declared
            message = f"{where}：类型不对，应为{_type_words(types)}，写的是{_kind(instance)}"
            self.add(ProblemCode.WRONG_TYPE, file, message, path)
        elif len(fitting) == 1:
            for sub in by_branch[fitting[0]]:
                self._schema_error(file, doc, sub, seen)
        else:
            self.add(ProblemCode.INVALID, file, f"{where}：写法不对", path)


_JSON_TYPES = {
    "string": "文本",
    "number": "数字",
    "integer": "整数",
    "boolean": "true/false",
    "array": "列表",
    "object": "映射（键: 值）",
    "null": "空值",
}


def _type_words(types: str | Iterable[str]) -> str:
    names = [types] if isinstance(types, str) else list(dict.fromkeys(types))
    words = [_JSON_TYPES.get(t, t) for t in names]
    return words[0] if len(words) == 1 else f"{'、'.join(words[:-1])}或{words[-1]}"


def _kind(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"“{'true' if value else 'false'}”"
    if isinstance(value, int | float | str):
        return f"{_JSON_TYPES['string' if isinstance(value, str) else 'number']}“{value}”"
    return _JSON_TYPES["array" if isinstance(value, list) else "object"]


def _value_of(err: SchemaError) -> Any:
    """The keyword's value in the schema. A validator fills it in on every error it yields;
    the stubs also allow ``Unset``, which only an error made by hand carries."""
    value: Any = err.validator_value
    return value


def _instance_of(err: SchemaError) -> Any:
    """The part of the document the error is about (filled in as :func:`_value_of`)."""
    instance: Any = err.instance
    return instance


def _schema_of(err: SchemaError) -> Mapping[str, Any]:
    """The (sub)schema the error is about; empty for a boolean schema (``false``)."""
    return err.schema if isinstance(err.schema, Mapping) else {}


def _hint(schema: Mapping[str, Any]) -> str:
    """The Chinese description a pattern carries in the schema, as a bracketed hint."""
    description = schema.get("description")
    return f"（{description}）" if description else ""
