"""Fixtures of the printed-document tests: a QGuiApplication (pytest-qt's ``qapp``) and
the in-process CLI runner shared with the unit tests."""

from __future__ import annotations

from ..unit.work_helpers import fresh_log_handler, run  # noqa: F401 - shared CLI fixtures
