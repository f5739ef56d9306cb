"""``gongkai --help`` and a mistyped command answer at once: building the parser and
refusing bad arguments import neither Qt nor the database, spreadsheet or document
libraries; each command imports what it needs when it runs (issue 16, item 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("PySide6", "sqlalchemy", "openpyxl", "docx", "alembic", "PIL", "jsonschema", "yaml")

PROBE = f"""
import contextlib, io, json, sys
HEAVY = {HEAVY!r}
from gongkai_desktop.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps([code, sorted(m for m in HEAVY if m in sys.modules)]))
"""


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--help"], 0),
        (["county", "--help"], 0),
        (["report", "annual", "--help"], 0),
        (["export"], 2),  # a required argument missing
        (["nonsense"], 2),
    ],
)
def test_help_and_argument_errors_import_nothing_heavy(argv: list[str], code: int) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == [code, []]
