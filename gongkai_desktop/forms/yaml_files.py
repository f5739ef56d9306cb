"""Reading one form file with PyYAML: duplicate keys refused, problems recorded.

Apart from the loader so that a start from the validated cache never imports PyYAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gongkai_desktop.forms.problems import ProblemCode, Problems

C = ProblemCode


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


def read_yaml(path: Path, problems: Problems, name: str | None = None) -> Any:
    """The parsed file, or None after recording why it cannot be used."""
    name = name or path.name
    try:
        with path.open(encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=_UniqueKeyLoader)  # a SafeLoader
    except _DuplicateKeyError as dup:
        field = f"字段“{dup.owner}”" if dup.owner else ""
        where = f"{field}中" if field else ""
        problems.add(
            C.DUPLICATE_KEY, name, f"{where}“{dup.key}”重复出现", line=dup.line, field=field
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        # PyYAML's own words (English), without the file and line it repeats
        detail = "，".join(str(p) for p in (exc.context, exc.problem) if p) or str(exc)
        problems.add(C.YAML_SYNTAX, name, f"无法读取，YAML 写法有误（{detail}）", line=line)
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.add(C.UNREADABLE, name, f"无法读取（{exc}）")
        return None
    problems.read(name, path, doc)
    if doc is None:
        problems.add(C.EMPTY_FILE, name, "文件为空")
    return doc
