"""台账导出's order (issue 13, item 8): ledgers grouped by the line of work their form
file declares, in the order of the form files; a form's line of work is checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai_desktop.domain.errors import FormDefinitionError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.problems import ProblemCode as C
from gongkai_desktop.services.ledgers.catalogue import ledger_groups

from .conftest import REPO_FORMS
from .test_form_files import BASE_FORM, BASE_LEDGER, write_forms


def test_real_ledgers_by_line_of_work() -> None:
    groups = ledger_groups(load_registry(REPO_FORMS))
    assert [(g.line_of_work, [ledger.id for ledger in g.ledgers]) for g in groups] == [
        (
            "生态环境巡查",
            [
                "water_source_patrol",
                "enterprise_safety_check",
                "farm_patrol",
                "river_patrol",
                "straw_burning_patrol",
                "radiation_check",
                "other_patrol",
            ],
        ),
        ("宣传", ["outreach_events"]),
        ("整改", ["rectification_tasks"]),
        ("信息公开", ["disclosure_items", "disclosure_requests", "review_cases"]),
        ("监管对象", ["enterprise_register", "farm_register"]),
    ]


def test_a_form_without_a_line_of_work_is_under_other_work(tmp_path: Path) -> None:
    root = write_forms(
        tmp_path / "forms", {"demo.yaml": BASE_FORM, "ledgers/demo_ledger.yaml": BASE_LEDGER}
    )
    [group] = ledger_groups(load_registry(root))
    assert group.line_of_work == "其他工作"
    assert [ledger.id for ledger in group.ledgers] == ["demo_ledger"]


def test_an_unknown_line_of_work_is_refused(tmp_path: Path) -> None:
    text = BASE_FORM.replace("version: 1\n", "version: 1\nline_of_work: 环境巡查\n")
    root = write_forms(tmp_path / "forms", {"demo.yaml": text})
    with pytest.raises(FormDefinitionError) as info:
        load_registry(root)
    [problem] = info.value.problems
    assert problem.code == C.NOT_ALLOWED and problem.file == "demo.yaml"
    assert "line_of_work" in str(problem) and "环境巡查" in str(problem)


def test_ledgers_of_one_form_follow_its_choices(tmp_path: Path) -> None:
    form = BASE_FORM.replace("version: 1\n", "version: 1\nline_of_work: 宣传\n")
    files = {"demo.yaml": form}
    # file names in the reverse of the choices' order (乙类 sorts after 甲类 in the form)
    for name, kind in (("a_second", "乙类"), ("b_first", "甲类")):
        files[f"ledgers/{name}.yaml"] = BASE_LEDGER.replace("id: demo_ledger", f"id: {name}")
        files[f"ledgers/{name}.yaml"] += f"filter: {{kind: {kind}}}\n"
    root = write_forms(tmp_path / "forms", files)
    [group] = ledger_groups(load_registry(root))
    assert group.line_of_work == "宣传"
    assert [ledger.id for ledger in group.ledgers] == ["b_first", "a_second"]
