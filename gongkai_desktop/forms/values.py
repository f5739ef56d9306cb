"""Turn input (JSON from the CLI, widget values from the editor) into stored values.

Stored (canonical) formats, shared by every issue:
dates ``YYYY-MM-DD``; datetimes ISO 8601; choices by Chinese label; multi-choice as a
list of labels; booleans true/false; sites by id (input by id or by name); photo lists
as ``[{"file", "name", "caption"}]`` (plus ``original`` when the clerk kept the file as
it came beside a scaled-down copy); repeat groups as lists of objects.
Empty values are not stored at all.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.domain.overdue import is_overdue
from gongkai_desktop.domain.workdays import Deadline, WorkCalendar, reply_deadline
from gongkai_desktop.forms.spec import FieldSpec, FormSpec

SiteResolver = Callable[[str, tuple[str, ...]], str]
"""(id or name, allowed site types) -> site id; raises ValueError with a Chinese reason."""

_TRUE = {"true", "是", "1", "yes", "y", "√", "有"}
_FALSE = {"false", "否", "0", "no", "n", "×", "无"}
_MULTI_SPLIT = re.compile(r"[、,，;；/\n]+")


class _Bad(Exception):
    """Internal: one value could not be read; the message is Chinese."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def field_values(form: FormSpec, data: Mapping[str, Any]) -> Iterator[tuple[FieldSpec, Any]]:
    """Every (field, stored value) of a record in form order, the fields of each
    repeat-group row in place of the group (what site, link and photo lookups walk)."""
    for spec in form.fields:
        value = data.get(spec.key)
        if spec.is_repeat and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    for child in spec.fields:
                        yield child, row.get(child.key)
        else:
            yield spec, value


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        return int(value)
    raise _Bad("应为整数")


def _to_decimal(value: Any, decimals: int | None) -> float:
    if isinstance(value, bool):
        raise _Bad("应为数字")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Bad("应为数字") from None
    if not number.is_finite():
        raise _Bad("应为数字")
    if decimals is not None:
        # trailing zeros are not decimals: "12.50" has one
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > decimals:
            raise _Bad(f"最多保留{decimals}位小数")
    return float(number)


def _to_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _Bad("日期格式应为 YYYY-MM-DD，例如 2024-05-06")


def _to_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
            return parsed.isoformat(timespec="minutes" if parsed.second == 0 else "seconds")
        except ValueError:
            pass
    raise _Bad("时间格式应为 YYYY-MM-DDTHH:MM，例如 2024-05-06T09:30")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad("应为“是”或“否”")


def _to_choice(spec: FieldSpec, value: Any) -> str:
    text = str(value).strip()
    if text in spec.choices:
        return text
    if text in spec.choice_synonyms:
        return spec.choice_synonyms[text]
    raise _Bad(f"“{text}”不是可选项（可选：{'、'.join(spec.choices)}）")


def _to_multi(spec: FieldSpec, value: Any) -> list[str]:
    items = value if isinstance(value, list) else _MULTI_SPLIT.split(str(value))
    result: list[str] = []
    for item in items:
        if is_empty(item) or (isinstance(item, str) and not item.strip()):
            continue
        label = _to_choice(spec, item)
        if label not in result:
            result.append(label)
    # keep the order of the form's choices so that equal sets look equal
    return sorted(result, key=spec.choices.index)


# Characters a text field refuses: C0 controls and DEL (invisible, and dropped by every
# .xlsx writer, so an export would change the value and merge records under a ledger's
# natural key), lone surrogates and U+FFFE/U+FFFF (no XML file can hold them). Multi-line
# fields keep tab and line breaks. Refused, not stripped: the clerk sees what is stored.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def control_character_problem(text: str, multiline: bool = False, offset: int = 0) -> str:
    """The Chinese reason a text holds a character no field stores ("" when none);
    ``offset``: characters trimmed before ``text``, so the position is the typed one."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    if found is None:
        return ""
    return f"含有不可见的控制字符（第{offset + found.start() + 1}个字符），请删除后再保存"


def _to_text(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, bool | list | dict):
        raise _Bad("应为文字")
    text = str(value)
    multiline = spec.type == "multiline"
    if multiline:
        # a Windows line break (or a bare CR) is a line break: .xlsx readers see LF
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    trimmed = text.strip("\n ") if multiline else text.strip()
    offset = len(text) - len(text.lstrip("\n ") if multiline else text.lstrip())
    text = trimmed
    problem = control_character_problem(text, multiline, offset)
    if problem:
        raise _Bad(problem)
    return text


def _to_photos(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _Bad("应为照片列表")
    photos = []
    for item in value:
        if not isinstance(item, dict) or not item.get("file"):
            raise _Bad("照片项应包含 file")
        entry = {
            "file": _inside_attachments(item["file"]),
            "name": str(item.get("name", "")),
            "caption": str(item.get("caption", "")),
        }
        if item.get("original"):  # the file as it came, kept beside a scaled-down copy
            entry["original"] = _inside_attachments(item["original"])
        photos.append(entry)
    return photos


def _inside_attachments(value: Any) -> str:
    """A generated name inside the attachment folder, never a path that leads out of it."""
    file = str(value)
    inside = PurePosixPath(file)
    if "\\" in file or ":" in file or inside.is_absolute() or ".." in inside.parts:
        raise _Bad(f"照片文件“{file}”不在附件文件夹中")
    return file


def _check_limits(spec: FieldSpec, value: Any) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.min is not None and value < spec.min:
            raise _Bad(f"不能小于{_num(spec.min)}")
        if spec.max is not None and value > spec.max:
            raise _Bad(f"不能大于{_num(spec.max)}")
    if isinstance(value, str) and spec.type in ("text", "multiline", "person"):
        if spec.max_length is not None and len(value) > spec.max_length:
            raise _Bad(f"不能超过{spec.max_length}个字（现有{len(value)}个字）")
        if spec.min_length is not None and len(value) < spec.min_length:
            raise _Bad(f"至少需要{spec.min_length}个字")
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            raise _Bad(spec.pattern_message or "格式不正确")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def coerce_value(
    spec: FieldSpec,
    value: Any,
    resolve_site: SiteResolver | None,
    site_types: tuple[str, ...] | None = None,
) -> Any:
    """One value → stored form; raises ``_Bad`` with the reason."""
    t = spec.type
    if t in ("text", "multiline", "person"):
        result: Any = _to_text(spec, value)
    elif t == "integer":
        result = _to_int(value)
    elif t == "decimal":
        result = _to_decimal(value, spec.decimals)
    elif t == "date":
        result = _to_date(value)
    elif t == "datetime":
        result = _to_datetime(value)
    elif t == "boolean":
        result = _to_bool(value)
    elif t == "choice":
        result = _to_choice(spec, value)
    elif t == "multi_choice":
        result = _to_multi(spec, value)
    elif t == "site":
        if resolve_site is None:
            raise _Bad("无法查找监管对象")
        try:
            allowed = spec.site_types if site_types is None else site_types
            result = resolve_site(str(value).strip(), allowed)
        except ValueError as exc:
            raise _Bad(str(exc)) from None
    elif t == "photos":
        result = _to_photos(value)
    else:  # pragma: no cover - the schema admits no other type
        raise _Bad(f"未知类型 {t}")
    _check_limits(spec, result)
    return result


def as_date(value: Any) -> date | None:
    """A stored or typed date value (a date, or ISO text) as a date; else None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def workday_deadline(
    spec: FieldSpec,
    values: Mapping[str, Any],
    calendar: WorkCalendar,
    today: date | None = None,
) -> Deadline | None:
    """The deadline a ``workdays_after`` / ``reply_deadline`` field computes, with its
    warnings (a year no calendar covers, a consultation still out); None if its start
    date is not filled in yet."""
    assert spec.computed is not None
    if "workdays_after" in spec.computed:
        arg = spec.computed["workdays_after"]
        start = as_date(values.get(arg["from"]))
        if start is None:
            return None
        cal = calendar.fresh()
        due = cal.add_workdays(start, int(arg["days"]))
        return Deadline(due, start, int(arg["days"]), 0, cal.warnings())
    if "reply_deadline" in spec.computed:
        arg = spec.computed["reply_deadline"]
        received = as_date(values.get(arg["received"]))
        if received is None:
            return None
        consultations = []
        for row in values.get(arg.get("consultations", ""), None) or []:
            sent = as_date(row.get("sent_date")) if isinstance(row, Mapping) else None
            if sent is not None:
                consultations.append((sent, as_date(row.get("returned_date"))))
        return reply_deadline(
            calendar,
            received,
            corrected=as_date(values.get(arg.get("corrected", ""))),
            extended=bool(values.get(arg.get("extended", ""))),
            consultations=consultations,
            today=today,
        )
    return None


def overdue_label(spec: FieldSpec, values: Mapping[str, Any], as_of: date) -> str | None:
    """是 / 否 of an ``overdue`` field as of ``as_of`` (the rule of domain.overdue); None
    while the task has no deadline. A stored value is as of the day it was saved: an
    export states it again as of its own day."""
    assert spec.computed is not None
    arg = spec.computed["overdue"]
    due = as_date(values.get(arg["due"]))
    if due is None:
        return None
    late = is_overdue(due, as_date(values.get(arg["done"])), as_of)
    return str(arg["late"] if late else arg["in_time"])


def _compute(
    spec: FieldSpec, values: Mapping[str, Any], calendar: WorkCalendar | None = None
) -> Any:
    assert spec.computed is not None
    if "workdays_after" in spec.computed or "reply_deadline" in spec.computed:
        deadline = workday_deadline(spec, values, calendar or WorkCalendar())
        return deadline.due.isoformat() if deadline else None
    if "on_time" in spec.computed:
        arg = spec.computed["on_time"]
        done, due = as_date(values.get(arg["date"])), as_date(values.get(arg["due"]))
        if done is None or due is None:
            return None
        return arg["within"] if done <= due else arg["late"]
    if "overdue" in spec.computed:
        return overdue_label(spec, values, date.today())
    if "count" in spec.computed:
        item = values.get(spec.computed["count"])
        return len(item) if isinstance(item, list) else 0
    if "first_of" in spec.computed:
        # e.g. the deadline in force: the extended deadline if any, else the original
        return next(
            (values[k] for k in spec.computed["first_of"] if not is_empty(values.get(k))), None
        )
    total = sum(values.get(k) or 0 for k in spec.computed["sum"])
    return total


def _coerce_group(
    fields: tuple[FieldSpec, ...],
    form: FormSpec | None,
    raw: Mapping[str, Any],
    existing: Mapping[str, Any],
    resolve_site: SiteResolver | None,
    prefix: str,
    label_prefix: str,
    errors: list[FieldError],
    calendar: WorkCalendar | None = None,
) -> dict[str, Any]:
    # Visibility is judged on every coerced input value first (a show_if over a choice
    # typed as a synonym, or over a field further down the form, still works), then on
    # the values kept so far.
    out: dict[str, Any] = {}
    for spec in fields:
        if spec.readonly or spec.is_repeat or spec.type in ("site", "photos"):
            continue
        if not is_empty(raw.get(spec.key)):
            with contextlib.suppress(_Bad):  # reported in the second pass
                out[spec.key] = coerce_value(spec, raw[spec.key], resolve_site)
    for spec in fields:
        if form is not None and not form.is_visible(spec, out):
            out.pop(spec.key, None)
            continue
        if form is None and spec.show_if and not spec.show_if.holds(out):
            out.pop(spec.key, None)
            continue
        if spec.computed:
            continue
        if spec.readonly:
            if not is_empty(existing.get(spec.key)):
                out[spec.key] = existing[spec.key]
            continue
        where = f"{prefix}{spec.key}"
        label = f"{label_prefix}{spec.label}"
        value = raw.get(spec.key)
        if spec.is_repeat:
            if is_empty(value):
                if spec.required:
                    errors.append(FieldError(where, label, "至少填写一行"))
                continue
            if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
                errors.append(FieldError(where, label, "应为若干行（对象列表）"))
                continue
            rows = []
            for index, row in enumerate(value, start=1):
                if all(is_empty(v) or (isinstance(v, str) and not v.strip()) for v in row.values()):
                    continue  # a blank row (e.g. one the editor added) is not an error
                unknown = set(row) - {c.key for c in spec.fields}
                for key in sorted(unknown):
                    errors.append(
                        FieldError(
                            f"{where}[{index}].{key}", f"{label}第{index}行", f"未知字段“{key}”"
                        )
                    )
                rows.append(
                    _coerce_group(
                        spec.fields,
                        None,
                        row,
                        {},
                        resolve_site,
                        f"{where}[{index}].",
                        f"{label}第{index}行",
                        errors,
                    )
                )
            rows = [r for r in rows if r]
            if rows:
                out[spec.key] = rows
            elif spec.required:
                errors.append(FieldError(where, label, "至少填写一行"))
            continue
        if is_empty(value) or (isinstance(value, str) and not value.strip()):
            out.pop(spec.key, None)
            if spec.required:
                errors.append(FieldError(where, label, "必填"))
            continue
        try:
            allowed = form.allowed_site_types(spec, out) if form is not None else None
            coerced = coerce_value(spec, value, resolve_site, allowed)
        except _Bad as bad:
            out.pop(spec.key, None)
            errors.append(FieldError(where, label, str(bad)))
            continue
        if is_empty(coerced):
            out.pop(spec.key, None)
            if spec.required:
                errors.append(FieldError(where, label, "必填"))
            continue
        out[spec.key] = coerced
    for spec in fields:
        if spec.computed and (form is None or form.is_visible(spec, out)):
            computed = _compute(spec, out, calendar)
            if is_empty(computed):
                out.pop(spec.key, None)
            else:
                out[spec.key] = computed
    _check_date_order(fields, out, prefix, label_prefix, errors)
    return out


def _check_date_order(
    fields: tuple[FieldSpec, ...],
    values: Mapping[str, Any],
    prefix: str,
    label_prefix: str,
    errors: list[FieldError],
) -> None:
    by_key = {f.key: f for f in fields}
    for spec in fields:
        if spec.not_before is None:
            continue
        mine, other = values.get(spec.key), values.get(spec.not_before)
        if isinstance(mine, str) and isinstance(other, str) and mine < other:
            errors.append(
                FieldError(
                    f"{prefix}{spec.key}",
                    f"{label_prefix}{spec.label}",
                    f"不能早于{by_key[spec.not_before].label}",
                )
            )


def check_rules(form: FormSpec, values: Mapping[str, Any]) -> list[FieldError]:
    """The form's cross-field rules over stored values (e.g. no 销号 before 已办结)."""
    errors = []
    for rule in form.rules:
        if not rule.when.holds(values):
            continue
        missing = [k for k in rule.require if is_empty(values.get(k))]
        wrong = [k for k, allowed in rule.require_values if values.get(k) not in allowed]
        if missing or wrong:
            errors.append(FieldError(rule.field, form.field(rule.field).label, rule.message))
    return errors


def dependent_default(
    spec: FieldSpec, values: Mapping[str, Any], driver: FieldSpec | None = None
) -> Any:
    """The default of ``spec`` given the field it depends on (``default_from``), or None.

    ``driver``: the spec of that field, when ``values`` are raw input whose choice may be
    a synonym (e.g. 诊所 for 医疗机构（辐射））."""
    if spec.default_from is None:
        return None
    value = values.get(spec.default_from["field"])
    if driver is not None and isinstance(value, str):
        value = driver.choice_synonyms.get(value.strip(), value.strip())
    return spec.default_from["map"].get(value)


def preview_computed(
    form: FormSpec,
    spec: FieldSpec,
    raw: Mapping[str, Any],
    calendar: WorkCalendar | None = None,
) -> Any:
    """A computed field's value over input not yet saved, for the editor to show as the
    clerk types. Inputs that cannot be read yet, and hidden fields, count as empty, as
    they would on saving."""
    values: dict[str, Any] = {}
    for source in form.fields:
        value = raw.get(source.key)
        if source.computed or is_empty(value):
            continue
        if source.is_repeat:
            values[source.key] = value  # only counted
            continue
        with contextlib.suppress(_Bad):
            values[source.key] = coerce_value(source, value, None)
    # visibility over the read values, as on saving (a choice typed as a synonym counts)
    shown = {k: v for k, v in values.items() if form.is_visible(form.field(k), values)}
    # computed fields feed later ones (a deadline feeds 是否按时), in form order
    for source in form.fields:
        if source is spec:
            break
        if source.computed and form.is_visible(source, shown):
            value = _compute(source, shown, calendar)
            if not is_empty(value):
                shown[source.key] = value
    return _compute(spec, shown, calendar)


def coerce_record(
    form: FormSpec,
    raw: Mapping[str, Any],
    resolve_site: SiteResolver | None = None,
    existing: Mapping[str, Any] | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[str, Any]:
    """Validate and convert a whole record; raises ``ValidationError`` listing every bad field.

    ``calendar``: the office's working-day calendar for deadline fields (default: the
    national calendar alone)."""
    errors: list[FieldError] = []
    known = {f.key for f in form.fields}
    for key in sorted(set(raw) - known):
        errors.append(FieldError(key, key, f"表单“{form.title}”没有这个字段"))
    values = _coerce_group(
        form.fields, form, raw, existing or {}, resolve_site, "", "", errors, calendar
    )
    if not errors:
        errors += check_rules(form, values)
    if errors:
        raise ValidationError(errors)
    return {f.key: values[f.key] for f in form.fields if f.key in values}


def default_values(form: FormSpec, today: date | None = None) -> dict[str, Any]:
    """Values a new record starts with: ``default`` of each field; ``today`` for dates."""
    today = today or date.today()
    values: dict[str, Any] = {}
    for spec in form.fields:
        if spec.default is None:
            continue
        if spec.type == "date" and spec.default == "today":
            values[spec.key] = today.isoformat()
        else:
            values[spec.key] = spec.default
    return values


def display_value(spec: FieldSpec, value: Any, site_names: Mapping[str, str] | None = None) -> str:
    """Stored value → text shown in lists, history and ledgers."""
    if is_empty(value):
        return ""
    t = spec.type
    if t == "boolean":
        return "是" if value else "否"
    if t == "multi_choice":
        return "、".join(value)
    if t == "date":
        d = date.fromisoformat(value)
        return f"{d.year}年{d.month}月{d.day}日"
    if t == "datetime":
        dt = datetime.fromisoformat(value)
        return f"{dt.year}年{dt.month}月{dt.day}日 {dt:%H:%M}"
    if t in ("site", "record"):
        return (site_names or {}).get(value, value)
    if t == "photos":
        return f"{len(value)}张"
    if t == "repeat":
        return f"{len(value)}条"
    if t == "decimal":
        return _num(value)
    return str(value)
