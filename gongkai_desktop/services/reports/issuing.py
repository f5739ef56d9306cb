"""What every 公文 of the reports needs before it is written: the default 成文日期 and
the warnings about settings it cannot do without (单位名称, 主送机关)."""

from __future__ import annotations

from datetime import date

from gongkai_desktop.domain.periods import Period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.deadlines import office_calendar
from gongkai_desktop.services.settings import load_settings


def document_warnings(ctx: AppContext, *, addressee: bool = True) -> list[str]:
    """What to tell the clerk before a 公文 is written: an empty 单位名称 (no 署名, no
    发文机关 in the title) or an empty 主送机关."""
    settings = load_settings(ctx)
    warnings = []
    if not settings.get("unit_name", "").strip():
        warnings.append("“单位名称”未填写：文件将没有发文机关署名。请在“设置”中填写。")
    county = settings.get("county", "").strip()
    if addressee and not settings.get("addressee", "").strip():
        instead = f"报告将主送“{county}委、{county}政府”" if county else "报告将没有主送机关"
        warnings.append(f"“主送机关”未填写：{instead}。请在“设置”中填写（如“县委、县政府”）。")
    return warnings


def default_made_on(ctx: AppContext, period: Period) -> date:
    """The default 成文日期: the last working day of the period (office calendar)."""
    return office_calendar(ctx).last_workday_until(period.end)
