"""Before Qt is started on a Linux desktop, the window plugin's missing system libraries
are named in Chinese with the command that installs them (Qt would abort instead)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gongkai_desktop.qt_platform import debian_package, missing_libraries, window_problem

# what ldd prints for PySide6's libqxcb.so on a desktop without two xcb libraries
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffc1e5f4000)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


@pytest.fixture
def fake_ldd(tmp_path: Path) -> str:
    script = tmp_path / "ldd"
    out = tmp_path / "ldd.out"
    out.write_text(LDD_OUTPUT, encoding="utf-8")
    script.write_text(f"#!/bin/sh\ncat '{out}'\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    path = tmp_path / "libqxcb.so"
    path.write_bytes(b"\x7fELF")
    return path


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
    ],
)
def test_debian_package_names(soname: str, package: str) -> None:
    assert debian_package(soname) == package


def test_missing_libraries_are_read_from_ldd(plugin: Path, fake_ldd: str) -> None:
    assert missing_libraries(plugin, fake_ldd) == [
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libxkbcommon-x11.so.0",
    ]
    assert missing_libraries(plugin, str(plugin.parent / "no-ldd")) == []


def test_a_desktop_without_the_libraries_gets_the_install_command(
    plugin: Path, fake_ldd: str
) -> None:
    message = window_problem({"DISPLAY": ":0"}, "linux", plugin, fake_ldd)
    assert message == (
        "无法启动图形界面：缺少 Qt 窗口所需的系统库 "
        "libxcb-icccm.so.4、libxcb-keysyms.so.1、libxkbcommon-x11.so.0。\n"
        "请安装后再启动（Debian/Ubuntu，需管理员权限）：sudo apt-get install "
        "libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0"
    )
    # asked for xcb by name: the same check
    assert window_problem({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", plugin, fake_ldd)


def test_no_check_where_it_does_not_apply(plugin: Path, fake_ldd: str) -> None:
    assert window_problem({"DISPLAY": ":0"}, "win32", plugin, fake_ldd) is None
    offscreen = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}
    assert window_problem(offscreen, "linux", plugin, fake_ldd) is None
    assert window_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", plugin, fake_ldd) is None


def test_no_display_at_all_is_said_plainly(plugin: Path, fake_ldd: str) -> None:
    message = window_problem({}, "linux", plugin, fake_ldd)
    assert message is not None and "DISPLAY 未设置" in message and "gongkai --help" in message


def test_glib_is_named_by_its_debian_package() -> None:
    from gongkai_desktop.qt_platform import debian_package

    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"


def test_qt_failing_to_load_for_a_missing_system_library_says_which_and_how() -> None:
    from gongkai_desktop.qt_platform import qt_import_problem

    # what PySide6 raises on a minimal Debian without GLib (seen in a debootstrap root)
    exc = ImportError("libglib-2.0.so.0: cannot open shared object file: No such file or directory")
    assert qt_import_problem(exc) == (
        "无法启动图形界面：缺少 Qt 所需的系统库 libglib-2.0.so.0。\n"
        "请安装后再启动（Debian/Ubuntu，需管理员权限）：sudo apt-get install libglib2.0-0"
    )
    assert qt_import_problem(ImportError("No module named 'PySide6'")) is None
