"""Pure-Python domain: value types, rules and errors. No Qt, no database."""
