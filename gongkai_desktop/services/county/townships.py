"""County mode: the townships that submit (master data) and the key each one signs with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import Township
from gongkai_desktop.domain.errors import FieldError, GongkaiError, ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.settings import township_code_problem
from gongkai_desktop.services.submission.keys import KeyInfo, new_key, write_key_file


class TownshipError(GongkaiError):
    """An unknown township or a township that cannot be added; Chinese message."""


@dataclass(frozen=True)
class TownshipView:
    code: str
    name: str
    contact: str
    phone: str
    added_at: datetime  # UTC


def _view(row: Township) -> TownshipView:
    return TownshipView(row.code, row.name, row.contact, row.phone, row.added_at)


def list_townships(ctx: AppContext) -> list[TownshipView]:
    with ctx.reading() as session:
        rows = session.scalars(select(Township).order_by(Township.code)).all()
        return [_view(r) for r in rows]


def township_names(ctx: AppContext) -> dict[str, str]:
    return {t.code: t.name for t in list_townships(ctx)}


def add_township(
    ctx: AppContext, code: str, name: str, contact: str = "", phone: str = ""
) -> TownshipView:
    """Add a township with a new key, or update its name/contact (the key stays)."""
    code, name = code.strip(), name.strip()
    errors = []
    if problem := township_code_problem(code):
        errors.append(FieldError("code", "统计用区划代码", problem))
    if not name:
        errors.append(FieldError("name", "乡镇名称", "不能为空"))
    elif len(name) > 100:
        errors.append(FieldError("name", "乡镇名称", "不能超过100个字"))
    if errors:
        raise ValidationError(errors)
    with ctx.transaction() as session:
        row = session.get(Township, code)
        if row is None:
            row = Township(
                code=code,
                name=name,
                key=new_key(),
                added_at=datetime.now(UTC).replace(tzinfo=None),
            )
            session.add(row)
        row.name, row.contact, row.phone = name, contact.strip(), phone.strip()
        session.flush()
        return _view(row)


def township_key(ctx: AppContext, code: str) -> KeyInfo:
    with ctx.transaction() as session:
        row = session.get(Township, code)
        if row is None:
            raise TownshipError(f"没有统计用区划代码为 {code} 的乡镇，请先在乡镇管理中添加。")
        county = repository.get_settings(session).get("unit_name", "") or "县级"
        return KeyInfo(row.code, row.name, county, row.added_at, row.key)


def write_township_key(ctx: AppContext, code: str, target: Path) -> KeyInfo:
    """Write the key file the township imports in 设置 → 报送密钥."""
    info = township_key(ctx, code)
    write_key_file(target, info)
    return info


def key_for(ctx: AppContext) -> dict[str, str]:
    """Every township's key by code (what verifying packages needs)."""
    with ctx.transaction() as session:
        return {r.code: r.key for r in session.scalars(select(Township))}
