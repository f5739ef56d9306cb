"""SQLAlchemy models, the SQLite engine, repositories and Alembic migrations."""
