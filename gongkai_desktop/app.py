"""Composition root of the desktop app: QApplication, logging, fonts, error hook, main window."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from gongkai_desktop import APP_NAME, __version__, paths
from gongkai_desktop.domain.errors import DatabaseDamagedError, GongkaiError
from gongkai_desktop.heap import settle_after_start
from gongkai_desktop.logging_setup import setup_logging
from gongkai_desktop.qt_platform import window_problem
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.main_window import MODULES, MainWindow
from gongkai_desktop.ui.single_instance import ALREADY_OPEN, SingleInstance

if TYPE_CHECKING:
    from gongkai_desktop.services.context import AppContext
    from gongkai_desktop.ui.records.editor import RecordEditor

log = logging.getLogger(__name__)

# First found wins; the rest stay as fallbacks for characters a font lacks.
CJK_FONTS = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "SimHei",
    "SimSun",
)
MIN_POINT_SIZE = 10.0  # Chinese characters below 10 pt are hard to read on office screens


def configure_application(app: QApplication) -> None:
    """Names, Chinese Qt dialogs (buttons of message boxes), a CJK font, the icon."""
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                       folder):  # fmt: skip
        app.installTranslator(translator)
    families = set(QFontDatabase.families())
    font = app.font()
    font.setFamilies([f for f in CJK_FONTS if f in families] + font.families())
    if 0 < font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
    app.setFont(font)
    icon = paths.resources_dir() / "app_icon.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))


_showing_error = False


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """An exception escaping a slot: log it and tell the clerk, instead of a silent exit."""
    global _showing_error
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.error("uncaught exception", exc_info=(exc_type, exc, tb))
    if _showing_error or QApplication.instance() is None:
        return  # an error while showing an error: the log has it
    _showing_error = True
    try:
        show_error(QApplication.activeWindow(), exc.with_traceback(tb))
    finally:
        _showing_error = False


def run_gui(db_path: Path | None) -> int:
    """Show the window, then open the database in it: importing SQLAlchemy and opening
    the file take longer than showing the window, and the clerk sees the app start at
    once. The daily backup follows on a worker (``MainWindow.start_daily_backup``)."""
    setup_logging()
    if QApplication.instance() is None:
        problem = window_problem()
        if problem:  # Qt itself would abort without a word in the log
            log.error("%s", problem)
            print(problem, file=sys.stderr)
            return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    configure_application(app)
    previous_hook, sys.excepthook = sys.excepthook, _excepthook
    db_path = Path(db_path or paths.default_db_path())
    guard = SingleInstance(db_path)
    if not guard.claim():
        # the window already open on this database has come forward: that is the answer
        log.info("%s（%s）", ALREADY_OPEN, db_path)
        print(ALREADY_OPEN, file=sys.stderr)
        sys.excepthook = previous_hook
        return 0
    had_data = db_path.exists() and db_path.stat().st_size > 0
    window = MainWindow()
    guard.raise_requested.connect(window.bring_forward)
    try:
        window.show()
        log.info("主窗口已显示")

        def open_database() -> None:
            from gongkai_desktop.services.io.untrusted_files import check_xml_defences
            from gongkai_desktop.services.startup import open_context

            try:
                check_xml_defences()  # imported Excel files are untrusted: no XML entities
                # the daily backup waits for the window (below): it grows with the data
                ctx = open_context(db_path, auto_backup=False)
            except DatabaseDamagedError as exc:  # offered: 用最近的备份恢复 (or close)
                window.offer_restore(exc)
                return
            except Exception as exc:  # newer database, broken form file, disk: say so, stop
                show_error(window, exc, app.translate("app", "无法打开数据库"))
                app.exit(1)
                return
            window.attach(ctx)
            log.info("数据库已打开")
            settle_after_start()
            if ctx.opened_notes:
                window.statusBar().showMessage("；".join(ctx.opened_notes), 15000)
            if had_data:  # the backup follows a passed quick_check (never of damage)
                window.start_quick_check(then=window.start_daily_backup)

        QTimer.singleShot(0, open_database)  # once the window is painted
        code = app.exec()
        if window.attached:
            window.ctx.close()
        elif code == 0:
            code = 1  # closed without a database (a damaged one not restored): a failure
        return code
    finally:
        guard.close()
        window.hide()
        window.deleteLater()
        sys.excepthook = previous_hook


def _ensure_platform() -> None:
    # No display on a Linux build machine: use the offscreen platform instead of aborting.
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def gui_selftest() -> list[str]:
    """Build the main window and a record editor on a temporary database (nothing shown)."""
    _ensure_platform()
    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise GongkaiError("自检失败：已有非图形界面的 Qt 应用实例，无法检查图形界面")
    app = existing or QApplication(sys.argv[:1])
    if existing is None:
        configure_application(app)
    steps: list[str] = [f"图形界面：Qt 平台 {app.platformName()}"]
    from gongkai_desktop.services.startup import open_context
    from gongkai_desktop.ui.records.editor import RecordEditor

    with tempfile.TemporaryDirectory(prefix="gongkai-gui-", ignore_cleanup_errors=True) as tmp:
        ctx = open_context(Path(tmp) / "gui-selftest.db", auto_backup=False)
        window: MainWindow | None = None
        editor: RecordEditor | None = None
        try:
            window = MainWindow(ctx)
            steps.append(f"主窗口创建成功（{len(MODULES)} 个模块）")
            page = window.list_page("site")  # built before the save: refreshed by it
            editor = RecordEditor(window.service, "site", parent=window)
            editor.set_field_value("site_type", "饮用水水源地")
            editor.set_field_value("name", "界面自检水源地")
            editor.set_field_value("village", "自检村")
            if not editor.is_field_shown("served_population"):
                raise GongkaiError("自检失败：按类型显示的字段没有显示")
            made = window.service.create("site", editor.raw_values())
            steps.append(
                f"监管对象编辑窗口生成 {len(editor.editors)} 个字段，保存记录“{made.title}”成功"
            )
            window.refresh_lists()
            if page is None or page.model.total_count != 1:
                raise GongkaiError("自检失败：监管对象列表没有显示刚保存的记录")
            steps.append("监管对象列表显示新记录")
            steps.append(_selftest_pdf(ctx, Path(tmp)))
        finally:
            if editor is not None:
                editor.done(0)
            if window is not None:
                window.close()  # closes its AppContext
            ctx.close()
            del editor, window
            app.processEvents()
    return steps


def _selftest_pdf(ctx: AppContext, tmp: Path) -> str:
    """The monthly summary as PDF: a CJK font is found (the system's or the bundled one)
    and embedded."""
    from gongkai_desktop.domain.periods import parse_period
    from gongkai_desktop.render.fonts import print_font
    from gongkai_desktop.render.monthly_pdf import write_monthly_pdf
    from gongkai_desktop.services.reports.monthly import monthly_summary

    out = tmp / "自检月度小结.pdf"
    write_monthly_pdf(monthly_summary(ctx, parse_period(f"{date.today():%Y-%m}")), out)
    data = out.read_bytes()
    if not data.startswith(b"%PDF") or b"/FontFile" not in data:
        raise GongkaiError("自检失败：月度小结 PDF 没有嵌入字体")
    font = print_font()
    source = "程序自带" if font.bundled else "系统"
    return f"月度小结 PDF 生成成功（{source}字体：{font.families[0]}）"
