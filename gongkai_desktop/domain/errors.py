"""Typed errors of the core. Messages are Chinese: they are shown to the clerk as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
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


class DatabaseBusyError(GongkaiError):
    """Another program held the database's write lock for longer than the busy timeout
    (a long import or restore in another window or command). Nothing was saved."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"数据库正被另一个程序占用（例如另一个窗口或命令正在导入、恢复），"
            f"等待 {seconds:g} 秒后仍未空出。本次操作没有保存任何内容，请稍后再试。"
        )


class DatabaseDamagedError(GongkaiError):
    """The database file is damaged (SQLite reports it malformed, not a database, an I/O
    error, or stored data no longer decodes). Nothing was written over it. Carries the
    database, the newest backup that passed ``integrity_check`` (``backup_path`` None:
    there is none, or ``backup_known`` False: not looked up yet, which the service
    boundary does) so that the window and the command line can offer to restore it.
    ``detail`` is SQLite's own (English) text: for the log, never shown."""

    def __init__(
        self,
        db_path: Path | str | None,
        detail: str = "",
        *,
        backup_path: Path | None = None,
        backup_time: datetime | None = None,
        backup_records: int | None = None,
        backup_known: bool = False,
    ) -> None:
        self.db_path = Path(db_path) if db_path is not None else None
        self.detail = detail
        self.backup_path = backup_path
        self.backup_time = backup_time
        self.backup_records = backup_records
        self.backup_known = backup_known
        super().__init__(self._message())

    def _message(self) -> str:
        text = (
            "数据库文件已损坏，软件无法正常读取其中的数据。"
            "没有覆盖或删除任何数据：损坏的文件原样保留着。"
        )
        if self.backup_path is not None:
            when = f"{self.backup_time:%Y年%m月%d日 %H:%M}" if self.backup_time else "时间不详"
            count = (
                f"{self.backup_records} 条记录" if self.backup_records is not None else "记录数不详"
            )
            text += f"\n最近一份校验完好的备份：{when}（{count}），可以用它恢复。"
        elif self.backup_known:
            text += "\n没有找到校验完好的备份，请联系技术支持人员，不要删除该文件。"
        return text

    def with_backup(
        self, path: Path | None, created: datetime | None, records: int | None
    ) -> DatabaseDamagedError:
        """The same damage, naming the newest verified backup (``path`` None: none)."""
        return DatabaseDamagedError(
            self.db_path,
            self.detail,
            backup_path=path,
            backup_time=created,
            backup_records=records,
            backup_known=True,
        )
