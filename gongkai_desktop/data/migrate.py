"""Schema versions through Alembic, run programmatically on the app's own engine."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from gongkai_desktop import paths
from gongkai_desktop.data.engine import READ_ONLY
from gongkai_desktop.domain.errors import DatabaseVersionError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# Alembic (and Mako, Pygments through it) costs ~0.1-0.2 s to import: a start whose
# database is current reads the revisions from the scripts' own lines and the stored one
# with plain SQL, and imports Alembic only to migrate.
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*=\s*(None|[\"']([^\"']+)[\"'])", re.M)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


@functools.cache
def known_revisions() -> dict[str, str | None]:
    """revision -> down_revision of every migration script (read as text, not run)."""
    found: dict[str, str | None] = {}
    for script in sorted((paths.migrations_dir() / "versions").glob("*.py")):
        values = {m[0]: m[2] or None for m in _REVISION_LINE.findall(script.read_text("utf-8"))}
        if "revision" in values and values["revision"] is not None:
            found[values["revision"]] = values.get("down_revision")
    return found


def head_revision() -> str:
    """The one revision no other script builds on."""
    revisions = known_revisions()
    heads = set(revisions) - {down for down in revisions.values() if down}
    if len(heads) != 1:
        raise DatabaseVersionError(f"迁移脚本有误：应有唯一的最新版本，实为 {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database (None: never migrated)."""
    # read-only: opening must not wait for the write lock of another process's import
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_empty_database(engine: Engine) -> bool:
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        return not inspect(conn).get_table_names()


def check_known_revision(engine: Engine) -> None:
    """Refuse a database written by a newer version of the app."""
    current = current_revision(engine)
    if current is None:
        if not is_empty_database(engine):
            raise DatabaseVersionError("该文件不是本软件的数据库（缺少版本信息），已拒绝打开。")
        return
    if current not in known_revisions():
        raise DatabaseVersionError(
            f"数据库由更新版本的软件创建（数据库版本 {current}，本软件最高支持 {head_revision()}）。"
            "请安装新版软件后再打开，本软件不会修改该数据库。"
        )


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate in one write transaction: it begins IMMEDIATE, so two processes opening an
    old database together migrate it once (the second finds it current)."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
