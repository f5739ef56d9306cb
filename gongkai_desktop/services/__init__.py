"""Use cases. Each public method is one user action and owns one transaction;
the UI and the CLI get plain dataclasses, never live ORM objects."""
