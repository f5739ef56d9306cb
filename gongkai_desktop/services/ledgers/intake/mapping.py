"""Import mapping profiles: how one office's hand-kept spellings are read into a ledger.

A profile holds, per ledger, the clerk's decisions: a choice field's spelling (compared
after ``normalise``) → a label, labels, or "skip the row"; and a sheet header → a ledger
column. Decisions are made once in an import preview, saved with the import (audited)
and applied to the next file of that ledger, so the same spellings ask nothing twice.
``--mapping FILE.yaml`` carries a profile between the CLI, the clerk's editor and other
PCs; the file names fields by key or label and choices by label.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from sqlalchemy.orm import Session

from gongkai_desktop.data import mappings as store
from gongkai_desktop.data import repository
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.forms.spec import FieldSpec, FormRegistry, LedgerSpec
from gongkai_desktop.services.io.cell_text import normalise
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.records.writing import audit_rows, utcnow

KIND_VALUE = "value"
KIND_COLUMN = "column"
AUDIT_FORM = "import_mapping"
ACTION_MAP = "导入映射"
FILE_MARK = "gongkai-import-mapping"


class MappingFileError(GongkaiError):
    """A mapping file that cannot be read or names what the ledger does not have."""


def value_key(text: Any) -> str:
    """A spelling as the profile compares it: width, spaces and case do not count."""
    return normalise(text)


@dataclass(frozen=True)
class ValueDecision:
    """How one spelling is read: ``target`` a label (choice) or labels (multi-choice);
    ``skip`` the rows holding it are skipped; ``keep_text`` the text itself goes into
    the column's detail field (free text describing a problem)."""

    target: str | tuple[str, ...] = ()
    skip: bool = False
    keep_text: bool = False

    def to_json(self) -> Any:
        if self.skip:
            return {"skip": True}
        target = list(self.target) if isinstance(self.target, tuple) else self.target
        if self.keep_text:
            return {"label": target, "keep_text": True}
        return target

    @classmethod
    def from_json(cls, data: Any) -> ValueDecision:
        if isinstance(data, dict):
            if data.get("skip"):
                return cls(skip=True)
            label = data.get("label", "")
            target = tuple(label) if isinstance(label, list) else str(label)
            return cls(target, keep_text=bool(data.get("keep_text")))
        if isinstance(data, list):
            return cls(tuple(str(v) for v in data))
        return cls(str(data))

    def shown(self) -> str:
        """The decision as the clerk reads it."""
        if self.skip:
            return "跳过该行"
        if isinstance(self.target, tuple):
            return "、".join(self.target) if self.target else "（无）"
        return f"{self.target}（原文记入说明）" if self.keep_text else self.target


@dataclass
class MappingProfile:
    ledger_id: str
    # (field key, value_key) → decision; the spelling as first written, for display
    values: dict[tuple[str, str], ValueDecision] = field(default_factory=dict)
    texts: dict[tuple[str, str], str] = field(default_factory=dict)
    # sheet header as written → field key
    columns: dict[str, str] = field(default_factory=dict)

    def decide(self, field_key: str, text: str, decision: ValueDecision) -> None:
        key = (field_key, value_key(text))
        self.values[key] = decision
        self.texts.setdefault(key, text)

    def merged(self, other: MappingProfile | None) -> MappingProfile:
        """This profile with ``other``'s decisions on top."""
        out = MappingProfile(
            self.ledger_id, dict(self.values), dict(self.texts), dict(self.columns)
        )
        if other is not None:
            out.values.update(other.values)
            out.texts.update(other.texts)
            out.columns.update(other.columns)
        return out

    def __bool__(self) -> bool:
        return bool(self.values or self.columns)


# ---- the database ------------------------------------------------------------------------
def load_profile(session: Session, ledger_id: str) -> MappingProfile:
    profile = MappingProfile(ledger_id)
    for row in store.mappings_of(session, ledger_id):
        target = json.loads(row.target)
        if row.kind == KIND_COLUMN:
            profile.columns[row.source_text or row.source] = str(target)
        elif row.kind == KIND_VALUE:
            key = (row.field, row.source)
            profile.values[key] = ValueDecision.from_json(target)
            profile.texts[key] = row.source_text or row.source
    return profile


def save_profile(session: Session, profile: MappingProfile, identity: tuple[str, str]) -> int:
    """Store the decisions of ``profile`` (new or changed ones replace the old), with
    one audit entry each; returns how many changed. Runs in the caller's transaction."""
    at = utcnow()
    author = identity[1] or identity[0]
    audit: list[dict[str, Any]] = []
    for (field_key, source), decision in profile.values.items():
        text = profile.texts.get((field_key, source), source)
        new = json.dumps(decision.to_json(), ensure_ascii=False)
        old = store.put_mapping(
            session, profile.ledger_id, KIND_VALUE, field_key, source, text, new, at, author
        )
        if old != new:
            where = f"{field_key}：{text}"[:100]
            change = (where, None if old is None else json.loads(old), decision.to_json())
            audit += audit_rows(identity, profile.ledger_id, AUDIT_FORM, ACTION_MAP, [change], at)
    for header, field_key in profile.columns.items():
        new = json.dumps(field_key, ensure_ascii=False)
        old = store.put_mapping(
            session, profile.ledger_id, KIND_COLUMN, "", normalise(header), header, new, at, author
        )
        if old != new:
            change = (f"列：{header}"[:100], None if old is None else json.loads(old), field_key)
            audit += audit_rows(identity, profile.ledger_id, AUDIT_FORM, ACTION_MAP, [change], at)
    if audit:
        repository.add_audit_rows(session, audit)
    return len(audit)


# ---- the file -------------------------------------------------------------------------------
def profile_to_yaml(
    profile: MappingProfile,
    ledger: LedgerSpec,
    pending: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """The profile as a YAML file a clerk can edit. ``pending``: spellings still to be
    decided ((field, key) → text), written with an empty target for the clerk to fill in."""
    values: dict[str, dict[str, Any]] = {}
    for (field_key, source), decision in sorted(profile.values.items()):
        text = profile.texts.get((field_key, source), source)
        values.setdefault(field_key, {})[text] = decision.to_json()
    for (field_key, _source), text in sorted((pending or {}).items()):
        values.setdefault(field_key, {}).setdefault(text, None)
    data = {
        "format": FILE_MARK,
        "ledger": ledger.id,
        "title": ledger.title,
        "columns": dict(profile.columns),
        "values": values,
    }
    head = (
        f"# {ledger.title}的导入对照表：左边是表格中的写法，右边是导入为的选项。\n"
        "# 右边写选项原文；多选写 [选项1, 选项2]，表示“无”写 []；跳过该行写 {skip: true}；\n"
        "# 描述问题的文字写 {label: 选项, keep_text: true}（原文记入说明字段）。\n"
    )
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def write_profile_file(path: Path, text: str) -> Path:
    data = text.encode("utf-8")

    def write(handle: BinaryIO) -> None:
        handle.write(data)

    write_atomically(Path(path), write)
    return Path(path)


def _column_field(ledger: LedgerSpec, name: str) -> str | None:
    for column in ledger.columns:
        if name in (column.field, column.label) or normalise(name) == normalise(column.label):
            return column.field
    return None


def _check_target(spec: FieldSpec, decision: ValueDecision, where: str) -> None:
    if decision.skip:
        return
    labels = decision.target if isinstance(decision.target, tuple) else (decision.target,)
    if spec.type == "choice" and isinstance(decision.target, tuple):
        raise MappingFileError(f"{where}：“{spec.label}”是单选，只能对应一个选项")
    for label in labels:
        if label not in spec.choices:
            raise MappingFileError(f"{where}：“{label}”不是“{spec.label}”的选项")


def profile_from_yaml(
    text: str, ledger: LedgerSpec, registry: FormRegistry, name: str = ""
) -> tuple[MappingProfile, dict[tuple[str, str], str]]:
    """(decisions, spellings left undecided) of a mapping file; every entry is checked
    against the ledger and its choices, with a Chinese message naming the entry."""
    where = f"对照表{f'“{name}”' if name else ''}"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingFileError(f"{where}不是有效的 YAML 文件：{exc}") from exc
    if not isinstance(data, dict):
        raise MappingFileError(f"{where}的内容不是对照表")
    if data.get("ledger") not in (None, ledger.id):
        raise MappingFileError(f"{where}属于台账“{data.get('ledger')}”，不是“{ledger.title}”")
    form = registry.form(ledger.form)
    profile = MappingProfile(ledger.id)
    pending: dict[tuple[str, str], str] = {}
    for header, target in (data.get("columns") or {}).items():
        field_key = _column_field(ledger, str(target))
        if field_key is None:
            raise MappingFileError(f"{where}：列“{header}”对应的“{target}”不是本台账的列")
        profile.columns[str(header)] = field_key
    for name_, spellings in (data.get("values") or {}).items():
        field_key = _column_field(ledger, str(name_))
        if field_key is None or not form.has_field(field_key):
            raise MappingFileError(f"{where}：“{name_}”不是本台账的列")
        spec = form.field(field_key)
        if spec.type not in ("choice", "multi_choice"):
            raise MappingFileError(f"{where}：“{name_}”不是选项列")
        if not isinstance(spellings, dict):
            raise MappingFileError(f"{where}：“{name_}”下应为“写法: 选项”的列表")
        for spelling, target in spellings.items():
            text_ = str(spelling)
            if target is None or target == "":
                pending[(field_key, value_key(text_))] = text_
                continue
            decision = ValueDecision.from_json(target)
            _check_target(spec, decision, f"{where}“{spec.label}”中的“{text_}”")
            profile.decide(field_key, text_, decision)
    return profile, pending


def read_profile_file(
    path: Path, ledger: LedgerSpec, registry: FormRegistry
) -> tuple[MappingProfile, dict[tuple[str, str], str]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingFileError(f"无法读取对照表“{Path(path).name}”：{exc}") from exc
    return profile_from_yaml(text, ledger, registry, Path(path).name)


def ledger_of_file(path: Path) -> str | None:
    """The ledger a mapping file says it belongs to (``ledger:``), or None."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingFileError(f"无法读取对照表“{Path(path).name}”：{exc}") from exc
    ledger = data.get("ledger") if isinstance(data, dict) else None
    return str(ledger) if ledger else None
