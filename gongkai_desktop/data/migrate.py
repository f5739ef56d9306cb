"""Schema versions through Alembic, run programmatically on the app's own engine."""

from __future__ import annotations

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from gongkai_desktop import paths
from gongkai_desktop.domain.errors import DatabaseVersionError


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    return cfg


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_empty_database(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def check_known_revision(engine: Engine) -> None:
    """Refuse a database written by a newer version of the app."""
    current = current_revision(engine)
    if current is None:
        if not is_empty_database(engine):
            raise DatabaseVersionError("该文件不是本软件的数据库（缺少版本信息），已拒绝打开。")
        return
    known = {rev.revision for rev in script_directory().walk_revisions()}
    if current not in known:
        raise DatabaseVersionError(
            f"数据库由更新版本的软件创建（数据库版本 {current}，本软件最高支持 {head_revision()}）。"
            "请安装新版软件后再打开，本软件不会修改该数据库。"
        )


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
