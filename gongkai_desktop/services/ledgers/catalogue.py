"""The ledgers as the 台账导出 page lists them: grouped by the line of work of their form
(``line_of_work`` in the form file, in the order of ``LINES_OF_WORK``), and within a
group in the order of the form files: by form, then by where the ledger's filter value
stands in the form's choices (the inspection types as inspection.yaml lists them), not
by the English ids of the ledger files."""

from __future__ import annotations

from dataclasses import dataclass

from gongkai_desktop.forms.spec import LINES_OF_WORK, FormRegistry, LedgerSpec


@dataclass(frozen=True)
class LedgerGroup:
    line_of_work: str
    ledgers: tuple[LedgerSpec, ...]


def _position_in_choices(registry: FormRegistry, ledger: LedgerSpec) -> int:
    """Where the ledger's filter value stands among its field's choices (0 if none)."""
    form = registry.forms.get(ledger.form)
    for key, values in ledger.filter.items():
        choices: tuple[str, ...] = ()
        if form is not None and any(f.key == key for f in form.fields):
            choices = tuple(form.field(key).choices)
        if not choices:  # e.g. site_type: a field of the site form, from a shared list
            choices = next((c for c in registry.lists.values() if values and values[0] in c), ())
        if values and values[0] in choices:
            return choices.index(values[0])
    return 0


def ledger_groups(registry: FormRegistry) -> list[LedgerGroup]:
    form_order = {form_id: i for i, form_id in enumerate(registry.forms)}
    by_line: dict[str, list[LedgerSpec]] = {}
    for ledger in registry.ledgers.values():
        form = registry.forms.get(ledger.form)
        line = form.line_of_work if form is not None else LINES_OF_WORK[-1]
        by_line.setdefault(line, []).append(ledger)
    groups = []
    for line in LINES_OF_WORK:
        ledgers = sorted(
            by_line.get(line, []),
            key=lambda ledger: (
                form_order.get(ledger.form, len(form_order)),
                _position_in_choices(registry, ledger),
            ),
        )
        if ledgers:
            groups.append(LedgerGroup(line, tuple(ledgers)))
    return groups
