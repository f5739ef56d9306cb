"""Table 三 over random two-year request registers: every cell equals a count made here,
一 + 二 = （七）总计 + 四 in every column, 总计 = the six applicant columns, and 2024's
上年结转 is 2023's 结转下年度. Requests are inserted with sqlite3 in the shape
RecordService stores them (as tests/benchmarks/report_world.py does), so an example
takes milliseconds."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.disclosure import report as dr

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
OUTCOMES = [  # forms/lists.yaml request_outcomes, and the table row each counts in
    ("（一）予以公开", ("三、本年度办理结果", "（一）予以公开")),
    (
        "（二）部分公开",
        ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ),
    ("（三）1.属于国家秘密", ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密")),
    ("（三）8.属于行政查询事项", ("三、本年度办理结果", "（三）不予公开", "8.属于行政查询事项")),
    (
        "（四）3.补正后申请内容仍不明确",
        ("三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ),
    ("（五）2.重复申请", ("三、本年度办理结果", "（五）不予处理", "2.重复申请")),
    ("（六）3.其他", ("三、本年度办理结果", "（六）其他处理", "3.其他")),
]
FIRST = date(2022, 11, 1)

requests = st.lists(
    st.fixed_dictionaries(
        {
            "received": st.integers(0, 800),  # days after FIRST: late 2022 to early 2025
            "answered_after": st.one_of(st.none(), st.integers(0, 400)),
            "applicant": st.sampled_from(APPLICANTS),
            "outcome": st.integers(0, len(OUTCOMES) - 1),
            "deleted": st.sampled_from([False, False, False, True]),
        }
    ),
    max_size=30,
)


def insert(ctx: AppContext, generated: list[dict[str, Any]]) -> None:
    conn = sqlite3.connect(ctx.db_path)
    with conn:
        conn.execute("DELETE FROM records")
        for g in generated:
            received = FIRST + timedelta(days=g["received"])
            data: dict[str, Any] = {
                "channel": "当面提交",
                "received_date": received.isoformat(),
                "applicant": "某人",
                "applicant_type": g["applicant"],
                "content": "申请",
            }
            status = "办理中"
            if g["answered_after"] is not None:
                data["reply_date"] = (received + timedelta(days=g["answered_after"])).isoformat()
                data["outcome"] = OUTCOMES[g["outcome"]][0]
                status = "已办结"
            data["status"] = status
            conn.execute(
                "INSERT INTO records (id, form_id, title, record_date, site_id, status, data,"
                " search_text, created_at, updated_at, author, version, deleted)"
                " VALUES (?, 'disclosure_request', '', ?, NULL, ?, ?, '', '2024-01-01 00:00:00',"
                " '2024-01-01 00:00:00', '', 1, ?)",
                (
                    str(uuid.uuid4()),
                    received.isoformat(),
                    status,
                    json.dumps(data, ensure_ascii=False),
                    1 if g["deleted"] else 0,
                ),
            )
    conn.close()


def expected_cells(generated: list[dict[str, Any]], year: int) -> dict[tuple[str, ...], list[int]]:
    """Table 三 counted request by request, from the rules as written."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    cells: dict[tuple[str, ...], list[int]] = {}

    def add(path: tuple[str, ...], applicant: str) -> None:
        row = cells.setdefault(path, [0] * 7)
        row[APPLICANTS.index(applicant)] += 1
        row[6] += 1

    for g in generated:
        if g["deleted"]:
            continue
        received = FIRST + timedelta(days=g["received"])
        answered = (
            None if g["answered_after"] is None else received + timedelta(days=g["answered_after"])
        )
        who = g["applicant"]
        if start <= received <= end:
            add(("一、本年新收政府信息公开申请数量",), who)
        if received < start and (answered is None or answered >= start):
            add(("二、上年结转政府信息公开申请数量",), who)
        if answered is not None and start <= answered <= end:
            add(OUTCOMES[g["outcome"]][1], who)
            add(("三、本年度办理结果", "（七）总计"), who)
        if received <= end and (answered is None or answered > end):
            add(("四、结转下年度继续办理",), who)
    return cells


@settings(
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(generated=requests)
def test_table3_over_two_years(ctx: AppContext, generated: list[dict[str, Any]]) -> None:
    insert(ctx, generated)
    reports = {year: dr.disclosure_report(ctx, year) for year in (2023, 2024)}
    for year, report in reports.items():
        expected = expected_cells(generated, year)
        for path in dr.T3_ROWS:
            assert list(report.table3[path]) == expected.get(path, [0] * 7), (year, path)
        t3 = report.table3
        for i in range(7):
            assert (
                t3[dr.ROW_NEW][i] + t3[dr.ROW_CARRIED_IN][i]
                == t3[dr.ROW_TOTAL][i] + t3[dr.ROW_CARRIED_OUT][i]
            )
        for path in dr.T3_ROWS:
            assert t3[path][6] == sum(t3[path][:6])
        assert dr.check(report) == []
    assert reports[2024].table3[dr.ROW_CARRIED_IN] == reports[2023].table3[dr.ROW_CARRIED_OUT]
