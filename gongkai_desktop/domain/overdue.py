"""逾期 (overdue): the one definition of a late rectification task.

As of a day, a task is overdue when its deadline in force has passed and it is not done
by then, or when it was done after that deadline. A task without a deadline is never
overdue; a task done on its deadline day is on time. The rectification ledger's 是否逾期
column (the form's computed ``overdue`` field) and the progress report use this rule;
``services.records.sql.task_overdue_sql`` states it in SQL for the grouped counts.
"""

from __future__ import annotations

from datetime import date


def is_overdue(deadline: date | None, completed: date | None, as_of: date) -> bool:
    if deadline is None:
        return False
    if completed is not None and completed <= as_of:
        return completed > deadline
    return deadline < as_of
