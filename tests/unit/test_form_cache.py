"""The validated-forms cache (issue 16): a start with unchanged form files neither parses
YAML nor runs JSON Schema; any change to a file is read and checked in full again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gongkai_desktop.data import migrate
from gongkai_desktop.domain.errors import FormDefinitionError
from gongkai_desktop.forms import loader, validated_cache, yaml_files
from gongkai_desktop.forms.spec import FormRegistry

REPO_FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture
def forms(tmp_path: Path) -> Path:
    copy = tmp_path / "forms"
    shutil.copytree(REPO_FORMS, copy)
    return copy


def _shape(registry: FormRegistry) -> dict[str, object]:
    """What the app uses of a registry, as plain values to compare two loads."""
    return {
        "forms": {f.id: [(x.key, x.label, x.type) for x in f.fields] for f in registry},
        "ledgers": {k: [c.label for c in v.columns] for k, v in registry.ledgers.items()},
        "lists": registry.lists,
    }


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = yaml_files.read_yaml

    def counted(path: Path, problems, name=None):  # type: ignore[no-untyped-def]
        reads.append(name or path.name)
        return real(path, problems, name)

    monkeypatch.setattr(yaml_files, "read_yaml", counted)
    return reads


def _no_schema_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> bool:
        raise AssertionError("a cached file was schema-checked again")

    monkeypatch.setattr(loader, "_schema_check", refuse)


def test_a_second_load_takes_every_file_from_the_cache(
    forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    reads = _count_reads(monkeypatch)
    first = loader.load_registry(forms, cache_dir=cache_dir)
    files = len(list(forms.glob("*.yaml"))) + len(list((forms / "ledgers").glob("*.yaml")))
    assert len(reads) == files > 20
    [stored] = list(cache_dir.glob("forms-*.json"))
    assert set(json.loads(stored.read_text("utf-8"))["docs"]) == set(reads)

    reads.clear()
    _no_schema_checks(monkeypatch)
    second = loader.load_registry(forms, cache_dir=cache_dir)
    assert reads == []
    assert _shape(second) == _shape(first)
    assert second.form("site").path == forms / "site.yaml"


def test_a_changed_file_is_read_and_checked_again(
    forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    loader.load_registry(forms, cache_dir=cache_dir)
    site = forms / "site.yaml"
    # a mistake the schema catches: the cache must not hide it
    site.write_text(site.read_text("utf-8").replace("type: choice", "type: choise", 1), "utf-8")
    reads = _count_reads(monkeypatch)
    with pytest.raises(FormDefinitionError) as caught:
        loader.load_registry(forms, cache_dir=cache_dir)
    assert "site.yaml" in reads
    assert any(p.file == "site.yaml" and p.line for p in caught.value.problems)

    # put right, the folder loads again and the cache is renewed for the new bytes
    site.write_text(site.read_text("utf-8").replace("type: choise", "type: choice"), "utf-8")
    loader.load_registry(forms, cache_dir=cache_dir)
    reads.clear()
    loader.load_registry(forms, cache_dir=cache_dir)
    assert reads == []


def test_an_added_or_removed_file_misses_the_cache(
    forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    loader.load_registry(forms, cache_dir=cache_dir)
    (forms / "ledgers" / "farm_register.yaml").unlink()
    reads = _count_reads(monkeypatch)
    registry = loader.load_registry(forms, cache_dir=cache_dir)
    assert reads and "farm_register" not in registry.ledgers


def test_a_cache_made_for_other_files_or_damaged_is_ignored(
    forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    loader.load_registry(forms, cache_dir=cache_dir)
    [stored] = list(cache_dir.glob("forms-*.json"))
    cached = json.loads(stored.read_text("utf-8"))
    cached["key"] = "0" * 64
    stored.write_text(json.dumps(cached), "utf-8")
    reads = _count_reads(monkeypatch)
    loader.load_registry(forms, cache_dir=cache_dir)
    assert reads  # read in full, and the cache written anew

    stored.write_text('{"key": "', "utf-8")  # cut short
    reads.clear()
    loader.load_registry(forms, cache_dir=cache_dir)
    assert reads


def test_the_shipped_cache_serves_a_clerk_with_an_empty_user_folder(
    forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = loader.write_shipped_cache(forms)
    assert shipped == forms / validated_cache.SHIPPED_NAME
    reads = _count_reads(monkeypatch)
    _no_schema_checks(monkeypatch)
    registry = loader.load_registry(forms, cache_dir=tmp_path / "fresh-user-cache")
    assert reads == [] and "site" in registry.forms


def test_a_shipped_cache_is_refused_for_a_broken_folder(forms: Path) -> None:
    (forms / "site.yaml").write_text("id: site\n", "utf-8")
    with pytest.raises(FormDefinitionError):
        loader.write_shipped_cache(forms)
    assert not (forms / validated_cache.SHIPPED_NAME).exists()


def test_values_json_cannot_keep_are_not_cached(tmp_path: Path) -> None:
    from datetime import date

    target = tmp_path / "c.json"
    assert not validated_cache.write(target, "k", {"a.yaml": {"when": date(2026, 1, 1)}})
    assert not target.exists()
    assert validated_cache.write(target, "k", {"a.yaml": {"id": "a"}})
    assert validated_cache.read([tmp_path / "missing.json", target], "k") == {"a.yaml": {"id": "a"}}


def test_revisions_read_from_the_scripts_match_alembic() -> None:
    scripts = migrate.script_directory()
    assert migrate.known_revisions() == {
        rev.revision: rev.down_revision for rev in scripts.walk_revisions()
    }
    assert migrate.head_revision() == scripts.get_current_head()


def test_current_revision_without_alembic(ctx) -> None:  # type: ignore[no-untyped-def]
    from alembic.runtime.migration import MigrationContext

    with ctx.engine.connect() as conn:
        expected = MigrationContext.configure(conn).get_current_revision()
    assert migrate.current_revision(ctx.engine) == expected == migrate.head_revision()
