"""Typed errors of the core. Messages are Chinese: they are shown to the clerk as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class GongkaiError(Exception):
    """Base of every error the user may see; ``str(err)`` is the Chinese message."""


@dataclass(frozen=True)
class FieldError:
    field: str  # field key ("photos", or "progress[2].date" inside a repeat group)
    label: str  # Chinese label shown to the clerk
    message: str

    def __str__(self) -> str:
        return f"{self.label}：{self.message}"


class ValidationError(GongkaiError):
    """Input that breaks a form's rules; carries one entry per bad field."""

    def __init__(self, errors: list[FieldError], context: str = "") -> None:
        self.errors = list(errors)
        self.context = context
        lines = "；".join(str(e) for e in self.errors)
        super().__init__(f"{context}{lines}" if context else lines)


class UnknownFormError(GongkaiError):
    def __init__(self, form_id: str, known: list[str]) -> None:
        self.form_id = form_id
        super().__init__(f"未知的表单“{form_id}”。可用的表单：{'、'.join(known)}")


class RecordNotFoundError(GongkaiError):
    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__(f"找不到记录 {record_id}")


class StaleRecordError(GongkaiError):
    def __init__(self) -> None:
        super().__init__("该记录已被其他操作修改，请重新打开后再保存。")


class FormDefinitionError(GongkaiError):
    """A file in forms/ is wrong. ``problems``: one ``FormProblem``
    (gongkai_desktop.forms.problems) per mistake, with its code, file, line, field and
    Chinese message; ``str()`` of a problem is one line naming the file, line and field."""

    def __init__(self, problems: Sequence[Any]) -> None:
        # typed loosely: the domain layer may not import forms/, where FormProblem lives
        self.problems = list(problems)
        super().__init__("表单定义文件有误：\n" + "\n".join(str(p) for p in self.problems))


class DatabaseVersionError(GongkaiError):
    pass


class BackupError(GongkaiError):
    pass


class PeriodError(GongkaiError):
    pass
