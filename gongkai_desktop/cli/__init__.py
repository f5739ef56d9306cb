"""The ``gongkai`` command line: one module per line of work (records, maintenance,
ledgers, imports, reports, calendar, notices), the shared conventions in ``common``, and
the parser and exit codes in ``main``."""

from gongkai_desktop.cli.main import main

__all__ = ["main"]
