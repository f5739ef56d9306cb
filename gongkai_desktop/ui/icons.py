"""Icons of the navigation and the toolbar: SVGs of the Heroicons outline set (MIT
licence, resources/icons/LICENSE-heroicons.txt) bundled in resources/icons/, so no
network is needed; a missing file gives an empty icon rather than an error."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from gongkai_desktop import paths

# module title (untranslated) → icon file
MODULE_ICONS = {
    "工作台": "home",
    "巡查检查": "clipboard-document-check",
    "宣传活动": "megaphone",
    "整改任务": "wrench-screwdriver",
    "其他工作": "briefcase",
    "信息公开": "document-text",
    "监管对象": "building-office",
    "台账导出": "table-cells",
    "报表": "chart-bar",
    "设置": "cog-6-tooth",
    "回收站": "trash",
    "报送情况": "clipboard-document-list",
    "接收报送包": "inbox-arrow-down",
    "冲突处理": "exclamation-triangle",
    "乡镇管理": "building-library",
}


@cache
def icon(name: str) -> QIcon:
    path = paths.resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def module_icon(title: str) -> QIcon:
    return icon(MODULE_ICONS.get(title, ""))
