"""设置: the office's details, declared once here and used by every output."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import AuditEntry
from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import number_pattern_problem


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    max_length: int = 100
    hint: str = ""  # shown in the empty field of 设置 (what to type)


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("unit_name", "单位名称"),
    SettingSpec("township", "乡镇"),
    SettingSpec("county", "县（市、区）"),
    SettingSpec("addressee", "主送机关"),
    SettingSpec("issuer", "发文机关"),  # the title's and the signature's 发文机关
    SettingSpec("unit_head", "单位负责人"),
    SettingSpec("filler", "填表人"),
    SettingSpec("reviewer", "审核人"),
    SettingSpec("phone", "联系电话", 40),
    SettingSpec("address", "通信地址", 200),
    SettingSpec("postcode", "邮政编码", 10),
    # 依申请公开 notices' 文号: {年} the request's year, {序号} its number within the year;
    # empty means 〈单位简称〉公开〔{年}〕{序号}号 (disclosure.notices.notice_number)
    SettingSpec(
        "notice_number_pattern",
        "依申请公开文书文号",
        60,
        "例如 龙河公开〔{年}〕{序号}号（{年}为年度，{序号}为当年第几件申请）；留空按单位简称",
    ),
)
SETTINGS_RECORD_ID = "settings"


def load_settings(ctx: AppContext) -> dict[str, str]:
    with ctx.transaction() as session:
        stored = repository.get_settings(session)
    return {s.key: stored.get(s.key, "") for s in SETTINGS}


def save_settings(ctx: AppContext, values: dict[str, str]) -> dict[str, str]:
    known = {s.key: s for s in SETTINGS}
    errors = [FieldError(k, k, "不是可设置的项目") for k in values if k not in known]
    for key, value in values.items():
        spec = known.get(key)
        if spec and len(value.strip()) > spec.max_length:
            errors.append(FieldError(key, spec.label, f"不能超过{spec.max_length}个字"))
        elif key == "notice_number_pattern" and value.strip():
            problem = number_pattern_problem(value.strip())
            if problem:
                errors.append(FieldError(key, spec.label if spec else key, problem))
    if errors:
        raise ValidationError(errors)
    with ctx.transaction() as session:
        put_settings_audited(ctx, session, values)
    return load_settings(ctx)


def put_settings_audited(
    ctx: AppContext, session: Session, values: Mapping[str, str], form_id: str = "settings"
) -> list[str]:
    """Store ``values`` (stripped) in the settings table inside the caller's transaction,
    with an audit entry per changed key; returns the keys that changed. Every stored
    setting goes through here (设置, per-year report texts, hand-entered figures)."""
    user, filler = ctx.identity(session)
    stored = repository.get_settings(session)
    now = datetime.now(UTC).replace(tzinfo=None)
    entries = []
    for key, value in values.items():
        new = value.strip()
        old = stored.get(key, "")
        if new == old:
            continue
        repository.put_setting(session, key, new)
        entries.append(
            AuditEntry(
                at=now,
                os_user=user,
                filler=filler,
                record_id=SETTINGS_RECORD_ID,
                form_id=form_id,
                action="修改",
                field=key,
                old_value=json.dumps(old, ensure_ascii=False),
                new_value=json.dumps(new, ensure_ascii=False),
            )
        )
    repository.add_audit(session, entries)
    return [e.field for e in entries]
