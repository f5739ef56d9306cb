"""Test data for the 依申请公开 register, shared by the unit and GUI tests."""

from __future__ import annotations

from typing import Any

from gongkai_desktop.services.records.service import RecordService


def request(
    records: RecordService,
    received: str,
    applicant_type: str,
    outcome: str | None = None,
    reply: str | None = None,
    **extra: Any,
) -> str:
    """A request received on ``received``; answered on ``reply`` with ``outcome`` if given."""
    values: dict[str, Any] = {
        "channel": "当面提交",
        "received_date": received,
        "applicant": "申请人",
        "applicant_type": applicant_type,
        "content": "申请公开某文件",
        **extra,
    }
    if reply:
        values.update(outcome=outcome, reply_date=reply, status="已办结")
    return records.create("disclosure_request", values).id
