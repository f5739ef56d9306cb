"""Can Qt open a window here? Checked before the QApplication exists, because Qt's own
answer to a Linux desktop that lacks the window plugin's system libraries is an abort
(exit 134) with an English line naming one library, and nothing in the log.

No Qt is imported here: the plugin's file is found through PySide6's package folder and
its missing libraries are read from ``ldd``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# "libxcb-icccm.so.4 => not found"
_NOT_FOUND = re.compile(r"^\s*(\S+\.so(?:\.\d+)*)\s*=>\s*not found", re.MULTILINE)
_SONAME = re.compile(r"^lib(.+?)\.so\.(\d+)")


def xcb_plugin() -> Path | None:
    """PySide6's X11 window plugin (libqxcb.so), where the installed or bundled
    PySide6 has it; None when there is none."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_libraries(library: Path, ldd: str = "ldd") -> list[str]:
    """The shared libraries ``library`` needs that the system cannot find, in the order
    ``ldd`` names them, each once; [] when ``ldd`` is not there or fails."""
    try:
        run = subprocess.run(
            [ldd, str(library)], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    found: list[str] = []
    for name in _NOT_FOUND.findall(run.stdout):
        if name not in found:
            found.append(name)
    return found


# libraries whose package does not follow the naming rule below
_PACKAGES = {"libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0"}
_MISSING_SO = re.compile(r"(lib[\w.+-]+\.so(?:\.\d+)*): cannot open shared object file")


def debian_package(soname: str) -> str:
    """The Debian package that ships a library, by Debian's naming rule: the name in
    lower case, then the soname version, with a hyphen when the name ends in a digit
    (libxcb-icccm.so.4 → libxcb-icccm4, libxkbcommon-x11.so.0 → libxkbcommon-x11-0)."""
    if soname in _PACKAGES:
        return _PACKAGES[soname]
    m = _SONAME.match(soname)
    if m is None:
        return soname
    name, version = m[1].lower(), m[2]
    return f"lib{name}{'-' if name[-1].isdigit() else ''}{version}"


def window_problem(
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    plugin: Path | None = None,
    ldd: str = "ldd",
) -> str | None:
    """A Chinese message saying why Qt cannot open a window on this Linux desktop, with
    the command that fixes it; None when it can (or it cannot be told, or Qt is asked
    for another platform such as offscreen or wayland)."""
    env = os.environ if env is None else env
    if not platform.startswith("linux"):
        return None
    requested = env.get("QT_QPA_PLATFORM", "")
    if requested and not requested.startswith("xcb"):
        return None
    if not env.get("DISPLAY"):
        if env.get("WAYLAND_DISPLAY") and not requested:
            return None  # Qt may use the Wayland plugin
        return (
            "无法启动图形界面：没有找到图形桌面（环境变量 DISPLAY 未设置）。"
            "请在桌面环境中启动本程序；命令行功能仍可使用（gongkai --help）。"
        )
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    missing = missing_libraries(plugin, ldd)
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(debian_package(name) for name in missing))
    return (
        f"无法启动图形界面：缺少 Qt 窗口所需的系统库 {'、'.join(missing)}。\n"
        f"请安装后再启动（Debian/Ubuntu，需管理员权限）：sudo apt-get install {packages}"
    )


def qt_import_problem(exc: ImportError) -> str | None:
    """The Chinese message for Qt failing to load because a system library is missing
    (a minimal Linux without GLib, say): it fails before the window check can run."""
    found = _MISSING_SO.search(str(exc))
    if found is None:
        return None
    library = found[1]
    return (
        f"无法启动图形界面：缺少 Qt 所需的系统库 {library}。\n"
        "请安装后再启动（Debian/Ubuntu，需管理员权限）："
        f"sudo apt-get install {debian_package(library)}"
    )
