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

USAGE_TOWNSHIP = "乡镇填报"
USAGE_COUNTY = "县级汇总"
# province-level prefixes of the 统计用区划代码 (GB/T 2260): the first two digits
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def township_code_problem(code: str) -> str:
    """Why ``code`` is not a township's 12-digit 统计用区划代码 ("" when it is one)."""
    if not (len(code) == 12 and code.isascii() and code.isdigit()):
        return "应为12位数字（统计用区划代码）"
    if code[:2] not in _PROVINCES:
        return f"前两位“{code[:2]}”不是省级代码"
    if code[6:9] == "000":
        return "第7至9位为000，这是县级代码；请填写本乡镇的代码"
    if code[9:] != "000":
        return "末三位应为000（乡镇级代码；村级代码末三位不为000）"
    return ""


def is_county(settings: Mapping[str, str]) -> bool:
    return settings.get("usage", "") == USAGE_COUNTY


def due_day(settings: Mapping[str, str]) -> int:
    value = settings.get("due_day", "")
    return int(value) if value.isdigit() and 1 <= int(value) <= 28 else DEFAULT_DUE_DAY


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    max_length: int = 100
    hint: str = ""  # shown in the empty field of 设置 (what to type)
    choices: tuple[str, ...] = ()  # a closed list (a drop-down in 设置); empty: free text


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
    # submission upward (报送): the township's 统计用区划代码, required before the first
    # 报送包; what this installation is for; the county's due day for monthly packages
    SettingSpec(
        "township_code", "统计用区划代码", 12, "12位数字，例如 110101001000（乡镇级，末三位为000）"
    ),
    SettingSpec("usage", "本机用途", 10, "", (USAGE_TOWNSHIP, USAGE_COUNTY)),
    SettingSpec("due_day", "报送截止日", 2, "县级汇总用：次月几日前报送上月数据，默认5"),
)
SETTINGS_RECORD_ID = "settings"
DEFAULT_DUE_DAY = 5


def load_settings(ctx: AppContext) -> dict[str, str]:
    with ctx.reading() as session:
        stored = repository.get_settings(session)
    return {s.key: stored.get(s.key, "") for s in SETTINGS}


def save_settings(ctx: AppContext, values: dict[str, str]) -> dict[str, str]:
    known = {s.key: s for s in SETTINGS}
    errors = [FieldError(k, k, "不是可设置的项目") for k in values if k not in known]
    for key, value in values.items():
        spec = known.get(key)
        if spec and len(value.strip()) > spec.max_length:
            errors.append(FieldError(key, spec.label, f"不能超过{spec.max_length}个字"))
        elif spec and spec.choices and value.strip() and value.strip() not in spec.choices:
            errors.append(FieldError(key, spec.label, "应为" + "或".join(spec.choices)))
        elif key == "township_code" and value.strip():
            problem = township_code_problem(value.strip())
            if problem:
                errors.append(FieldError(key, "统计用区划代码", problem))
        elif key == "due_day" and value.strip():
            if not (value.strip().isdigit() and 1 <= int(value.strip()) <= 28):
                errors.append(FieldError(key, "报送截止日", "应为1至28之间的整数（次月几日）"))
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
