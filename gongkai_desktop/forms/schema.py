"""JSON Schemas for the files in ``forms/`` (checked with jsonschema at load time)."""

from __future__ import annotations

from typing import Any

from gongkai_desktop.forms.spec import FIELD_TYPES, LINES_OF_WORK

# ``description`` of a pattern: the Chinese hint the loader adds when a value breaks it
_KEY_PATTERN = "^[a-z][a-z0-9_]*$"
_KEY_WORDS = "以小写英文字母开头，只用小写英文字母、数字和下划线"
_KEY = {"type": "string", "pattern": _KEY_PATTERN, "description": _KEY_WORDS}
_KEY_NAMES = {"pattern": _KEY_PATTERN, "description": _KEY_WORDS}  # for propertyNames
_SCALAR = {"type": ["string", "number", "boolean"]}

_CONDITION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["field"],
    "properties": {
        "field": _KEY,
        "equals": _SCALAR,
        "in": {"type": "array", "items": _SCALAR, "minItems": 1},
        "filled": {"type": "boolean"},
    },
    "oneOf": [{"required": ["equals"]}, {"required": ["in"]}, {"required": ["filled"]}],
}

_CHOICE_ITEM: dict[str, Any] = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["label"],
            "properties": {
                "label": {"type": "string", "minLength": 1},
                "synonyms": {"type": "array", "items": {"type": "string"}},
            },
        },
    ]
}

_FIELD: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "label", "type"],
    "properties": {
        "key": _KEY,
        "label": {"type": "string", "minLength": 1},
        "type": {"enum": sorted(FIELD_TYPES)},
        "required": {"type": "boolean"},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "min_length": {"type": "integer", "minimum": 0},
        "max_length": {"type": "integer", "minimum": 1},
        "pattern": {"type": "string"},
        "pattern_message": {"type": "string"},
        "choices": {"type": "array", "items": _CHOICE_ITEM, "minItems": 1},
        "choices_from": {"type": "string"},
        "default": {},
        "help": {"type": "string"},
        "show_if": _CONDITION,
        "readonly": {"type": "boolean"},
        "computed": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "sum": {"type": "array", "items": _KEY, "minItems": 1},
                "count": _KEY,
                "first_of": {"type": "array", "items": _KEY, "minItems": 1},
                # 是否逾期 as of today (domain.overdue): due date, completion date, labels
                "overdue": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["due", "done", "late", "in_time"],
                    "properties": {
                        "due": _KEY,
                        "done": _KEY,
                        "late": {"type": "string"},
                        "in_time": {"type": "string"},
                    },
                },
                # working-day deadlines (domain.workdays), over the office calendar
                "workdays_after": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["from", "days"],
                    "properties": {
                        "from": _KEY,
                        "days": {"type": "integer", "minimum": 1, "maximum": 366},
                    },
                },
                "reply_deadline": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["received"],
                    "properties": {
                        "received": _KEY,
                        "corrected": _KEY,
                        "extended": _KEY,
                        "consultations": _KEY,
                    },
                },
                "on_time": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["date", "due", "within", "late"],
                    "properties": {
                        "date": _KEY,
                        "due": _KEY,
                        "within": {"type": "string", "minLength": 1},
                        "late": {"type": "string", "minLength": 1},
                    },
                },
            },
            "minProperties": 1,
            "maxProperties": 1,
        },
        "decimals": {"type": "integer", "minimum": 0, "maximum": 6},
        "unit": {"type": "string"},
        "site_types": {"type": "array", "items": {"type": "string"}},
        "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}, "minItems": 1},
        "default_from": {
            "type": "object",
            "additionalProperties": False,
            "required": ["field", "map"],
            "properties": {"field": _KEY, "map": {"type": "object"}},
        },
        "generate": {
            "type": "string",
            "pattern": "\\{seq(:0?[0-9]d)?\\}",
            "description": "须含序号 {seq}，或定长的 {seq:03d}",
        },
        "not_before": _KEY,
        "form": _KEY,
    },
}

_RULE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["when", "field", "message"],
    "properties": {
        "when": _CONDITION,
        "field": _KEY,
        "message": {"type": "string", "minLength": 1},
        "require": {"type": "array", "items": _KEY, "minItems": 1},
        "require_values": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": _SCALAR, "minItems": 1},
        },
    },
    "anyOf": [{"required": ["require"]}, {"required": ["require_values"]}],
}

_ACTION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label", "target"],
    "properties": {
        "id": _KEY,
        "label": {"type": "string", "minLength": 1},
        "target": _KEY,
        "show_if": _CONDITION,
        "values": {"type": "object", "propertyNames": _KEY_NAMES},
        "copy": {"type": "object", "additionalProperties": _KEY},
    },
}

# A record's state against its deadline, read as of today in SQL for the lists.
_DEADLINE_STATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["due", "done"],
    "properties": {
        "due": _KEY,
        "done": _KEY,
        "soon_days": {"type": "integer", "minimum": 1, "maximum": 60},
    },
}
# Named styles only: the colours themselves belong to the window, not to the form files.
ROW_STATES = ("overdue", "due_soon")
ROW_STYLES = ("red", "amber")
_ROW_STYLE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {state: {"enum": list(ROW_STYLES)} for state in ROW_STATES},
}

_PATROL: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type_field", "site_field", "site_types"],
    "properties": {
        "type_field": _KEY,
        "site_field": _KEY,
        "site_types": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
    },
}

FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "version", "title_field", "sections"],
    "$defs": {"field": _FIELD},
    "properties": {
        "id": _KEY,
        "title": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "title_field": {"oneOf": [_KEY, {"type": "array", "items": _KEY, "minItems": 1}]},
        "date_field": _KEY,
        "site_field": _KEY,
        "status_field": _KEY,
        "list_columns": {"type": "array", "items": _KEY},
        "list_filters": {"type": "array", "items": _KEY, "uniqueItems": True},
        "line_of_work": {"enum": list(LINES_OF_WORK)},
        # what the list's search box suggests typing ("编号、问题描述、村…")
        "search_hint": {"type": "string", "minLength": 1, "maxLength": 40},
        "deadline_state": _DEADLINE_STATE,
        "row_style": _ROW_STYLE,
        "rules": {"type": "array", "items": _RULE},
        "patrol": _PATROL,
        "actions": {"type": "array", "items": _ACTION},
        "not_copied": {"type": "array", "items": _KEY},
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "fields"],
                "properties": {
                    "title": {"type": "string", "minLength": 1},
                    "show_if": _CONDITION,
                    "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}, "minItems": 1},
                },
            },
        },
    },
}

LISTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["lists"],
    "properties": {
        "lists": {
            "type": "object",
            "propertyNames": _KEY_NAMES,
            "additionalProperties": {"type": "array", "items": _CHOICE_ITEM, "minItems": 1},
        }
    },
}

LEDGER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "form", "columns", "natural_key"],
    "properties": {
        "id": _KEY,
        "title": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "form": _KEY,
        "date_field": _KEY,
        "filter": {
            "type": "object",
            "additionalProperties": {
                "oneOf": [_SCALAR, {"type": "array", "items": _SCALAR, "minItems": 1}]
            },
        },
        "natural_key": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "columns": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["field"],
                "properties": {
                    "field": {
                        "type": "string",
                        "pattern": "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?$",
                        "description": "来源表单的字段名，或“监管对象字段.其字段名”（如 site.village）",
                    },
                    "label": {"type": "string", "minLength": 1},
                    "width": {"type": "number", "minimum": 2, "maximum": 120},
                    "group": {"type": "string"},
                    # printed parts: this column starts a new page across (wide ledgers)
                    "new_page": {"type": "boolean"},
                    "synonyms": {"type": "array", "items": {"type": "string"}},
                    "detail_field": {
                        "type": "string",
                        "pattern": "^[a-z][a-z0-9_]*$",
                        "description": "导入时，选项列中描述问题的文字记入的文本字段",
                    },
                    "problem_choice": {
                        "type": "string",
                        "minLength": 1,
                        "description": "描述问题的文字按哪个选项导入（须与 detail_field 同用）",
                    },
                    "from_site": {
                        "type": "string",
                        "pattern": "^[a-z][a-z0-9_]*$",
                        "description": "记录未填本列时，取所巡查监管对象的这个字段（如 protection_level）",
                    },
                    "total": {
                        "type": "boolean",
                        "description": "导出时在表格下方的“合计”行中合计本列（只用于数字列）",
                    },
                },
                "dependentRequired": {"problem_choice": ["detail_field"]},
            },
        },
    },
}
