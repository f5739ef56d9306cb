"""County mode: receiving 报送包 and merging them by (township code, record id).

- A package is verified whole before anything is written; a refused one writes nothing.
- A record new to the county is added; a newer township version replaces an older one, with
  the change in the county's audit log; an older or equal version changes nothing. So the
  same package received again, or packages in any order, give the same database.
- A record changed at the county since it was received (its version differs from the
  township version it was taken from, ``record_origins``) and changed again at the township
  is a conflict: kept in ``merge_conflicts`` for a person to decide, field by field.
- Attachments are stored once, by their SHA-256, and the received records name them there.
- The township's audit entries are copied with their origin, each once.

Every package is one transaction, written with bulk statements (200 townships × 5,000
records must go in about a minute).
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gongkai_desktop.data import repository
from gongkai_desktop.data.bulk import insert_many
from gongkai_desktop.data.hashing import record_checksum
from gongkai_desktop.data.models import (
    AuditEntry,
    MergeConflict,
    ReceivedPackage,
    Record,
    RecordOrigin,
    Township,
)
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext, os_user
from gongkai_desktop.services.county.history import chain_head, history_problem
from gongkai_desktop.services.county.townships import key_for
from gongkai_desktop.services.io.file_output import error_message, write_bytes_atomically
from gongkai_desktop.services.ledgers.export import ExportCancelled
from gongkai_desktop.services.records.writing import derived_columns_in
from gongkai_desktop.services.submission.package import (
    PackageError,
    VerifiedPackage,
    file_sha256,
    read_package,
)

RECEIVED_FOLDER = "received"  # attachments by hash: received/ab/abcdef….jpg
ACTION_RECEIVE = "接收报送"
ACTION_RECEIVE_UPDATE = "接收更新"
ACTION_RESOLVE = "处理冲突"
_CHUNK = 500

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

# the record columns a package carries, besides id (whose values can differ)
_RECORD_COLUMNS = (
    "form_id",
    "title",
    "record_date",
    "site_id",
    "status",
    "data",
    "search_text",
    "created_at",
    "updated_at",
    "author",
    "version",
    "deleted",
    "deleted_at",
)


@dataclass(frozen=True)
class ReceiveResult:
    path: Path
    package_sha256: str = ""
    township_code: str = ""
    township_name: str = ""
    period: str = ""
    records: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    conflicts: int = 0
    already_received: bool = False
    receipt_path: Path | None = None
    error: str | None = None  # the package was refused: nothing of it was written
    receipt_error: str | None = None  # received, but its 回执 could not be written
    # received, but the township's audit history does not check (services/county/history.py)
    history_problem: str | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _date(text: Any) -> date | None:
    return date.fromisoformat(text) if text else None


def _datetime(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _row_values(incoming: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, Any]:
    """A package's record as column values, its photos pointing at the county's copies."""
    return {
        "id": incoming["id"],
        "form_id": incoming["form_id"],
        "title": incoming.get("title") or "",
        "record_date": _date(incoming.get("record_date")),
        "site_id": incoming.get("site_id"),
        "status": incoming.get("status"),
        "data": _relink(incoming.get("data") or {}, files) if files else incoming.get("data") or {},
        "search_text": incoming.get("search_text") or "",
        "created_at": _datetime(incoming["created_at"]),
        "updated_at": _datetime(incoming["updated_at"]),
        "author": incoming.get("author") or "",
        "version": int(incoming["version"]),
        "deleted": bool(incoming.get("deleted")),
        "deleted_at": _datetime(incoming.get("deleted_at")),
    }


def _relink(value: Any, files: Mapping[str, str]) -> Any:
    """``value`` with every photo entry's ``file`` replaced by the county's stored path."""
    if isinstance(value, dict):
        out = {k: _relink(v, files) for k, v in value.items()}
        if isinstance(out.get("file"), str) and out["file"] in files:
            out["file"] = files[out["file"]]
        return out
    if isinstance(value, list):
        return [_relink(v, files) for v in value]
    return value


def _store_attachments(ctx: AppContext, attachments: Mapping[str, bytes]) -> dict[str, str]:
    """Each photo once by its hash; returns the township path → the county path."""
    files = {}
    for rel, data in attachments.items():
        digest = hashlib.sha256(data).hexdigest()
        suffix = PurePosixPath(rel).suffix.lower()
        stored = PurePosixPath(RECEIVED_FOLDER, digest[:2], digest + suffix)
        target = ctx.attachments_dir / stored
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomically(target, data)
        files[rel] = stored.as_posix()
    return files


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of what differs: data fields by key, then the deleted flag."""
    changes = []
    old_data, new_data = old.get("data") or {}, new.get("data") or {}
    for key in sorted(set(old_data) | set(new_data)):
        if old_data.get(key) != new_data.get(key):
            changes.append((key, old_data.get(key), new_data.get(key)))
    if bool(old.get("deleted")) != bool(new.get("deleted")):
        changes.append(("deleted", bool(old.get("deleted")), bool(new.get("deleted"))))
    return changes


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _existing(session: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """What the county holds of these ids. Most ids of a package are new: the ids are
    looked up alone first, and only the rows found are read whole."""
    present: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        present += session.scalars(select(Record.id).where(Record.id.in_(chunk))).all()
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(present), _CHUNK):
        chunk = present[start : start + _CHUNK]
        rows = session.execute(
            select(
                Record.id,
                Record.version,
                Record.township_code,
                Record.data,
                Record.deleted,
                RecordOrigin.received_version,
            )
            .outerjoin(RecordOrigin, RecordOrigin.record_id == Record.id)
            .where(Record.id.in_(chunk))
        ).all()
        for r in rows:
            found[r.id] = {
                "version": r.version,
                "township_code": r.township_code,
                "data": r.data,
                "deleted": r.deleted,
                "received_version": r.received_version,
            }
    return found


def _merge(
    ctx: AppContext, session: Session, package: VerifiedPackage, files: Mapping[str, str]
) -> tuple[int, int, int, int]:
    """Merge the package's records and audit entries; (added, replaced, unchanged, conflicts)."""
    code = package.township_code
    now = _utcnow()
    user, filler = ctx.identity(session)
    incoming = {r["id"]: _row_values(r, files) for r in package.records}
    existing = _existing(session, list(incoming))
    new_rows, new_origins, audit = [], [], []
    added = replaced = unchanged = conflicts = 0
    for record_id, row in incoming.items():
        have = existing.get(record_id)
        if have is None:
            new_rows.append({**row, "township_code": code})
            new_origins.append(
                {"record_id": record_id, "township_code": code, "received_version": row["version"]}
            )
            added += 1
            continue
        if have["township_code"] != code:
            raise PackageError(
                f"报送包“{package.path.name}”中的记录 {record_id} 在本库中属于另一乡镇"
                f"（{have['township_code'] or '本级录入'}），已拒收，未写入任何数据。"
            )
        received = have["received_version"]
        if received is None or row["version"] <= received:
            unchanged += 1
            continue
        if have["version"] != received:  # changed at the county since it was received
            if _add_conflict(session, package, row, have, now):
                conflicts += 1
            else:
                unchanged += 1
            continue
        session.execute(
            update(Record)
            .where(Record.id == record_id)
            .values(
                {
                    **{c: row[c] for c in _RECORD_COLUMNS},
                    "checksum": record_checksum({**row, "township_code": code}),
                }
            )
        )
        session.execute(
            update(RecordOrigin)
            .where(RecordOrigin.record_id == record_id)
            .values(received_version=row["version"])
        )
        for key, old, new in _changes(have, row) or [("", None, None)]:
            audit.append(
                {
                    "at": now,
                    "os_user": user,
                    "filler": filler,
                    "record_id": record_id,
                    "form_id": row["form_id"],
                    "action": ACTION_RECEIVE_UPDATE,
                    "field": key,
                    "old_value": _json_text(old),
                    "new_value": _json_text(new),
                }
            )
        replaced += 1
    insert_many(session, Record, new_rows)
    insert_many(session, RecordOrigin, new_origins)
    repository.add_audit_rows(session, audit)
    repository.add_audit_rows(session, _township_audit(session, code, package.audit))
    return added, replaced, unchanged, conflicts


def _township_audit(
    session: Session, code: str, entries: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The package's audit entries the county does not hold yet, with their origin."""
    ids = [int(e["id"]) for e in entries]
    seen: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        seen |= set(
            session.scalars(
                select(AuditEntry.origin_id).where(
                    AuditEntry.origin == code, AuditEntry.origin_id.in_(ids[start : start + _CHUNK])
                )
            )
        )
    rows = []
    for e in entries:
        if int(e["id"]) in seen:
            continue
        seen.add(int(e["id"]))
        rows.append(
            {
                "at": _datetime(e["at"]),
                "os_user": e.get("os_user") or "",
                "filler": e.get("filler") or "",
                "record_id": e["record_id"],
                "form_id": e["form_id"],
                "action": e["action"],
                "field": e.get("field") or "",
                "old_value": e.get("old_value"),
                "new_value": e.get("new_value"),
                "origin": code,
                "origin_id": int(e["id"]),
            }
        )
    return rows


def _add_conflict(
    session: Session,
    package: VerifiedPackage,
    row: Mapping[str, Any],
    have: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Keep a conflict once per (record, township version); False when already kept."""
    known = session.scalar(
        select(MergeConflict.id).where(
            MergeConflict.record_id == row["id"],
            MergeConflict.incoming_version == row["version"],
        )
    )
    if known is not None:
        return False
    fields = [
        {"field": key, "county": old, "township": new} for key, old, new in _changes(have, row)
    ]
    stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
    session.add(
        MergeConflict(
            township_code=package.township_code,
            record_id=row["id"],
            form_id=row["form_id"],
            package_sha256=package.sha256,
            incoming_version=row["version"],
            incoming=stored,
            fields=fields,
            found_at=now,
        )
    )
    return True


def receive_package(ctx: AppContext, path: Path, receipts_dir: Path | None = None) -> ReceiveResult:
    """Verify and merge one package; a refused package raises PackageError and writes
    nothing. The 回执 goes to ``receipts_dir`` (default: beside the package, on the
    township's stick)."""
    [result] = _receive(ctx, [Path(path)], receipts_dir, None, None, raise_refusal=True)
    return result


def receive_packages(
    ctx: AppContext,
    paths: Iterable[Path],
    receipts_dir: Path | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[ReceiveResult]:
    """Receive each package on its own terms: a refused one is reported (``error``) and
    writes nothing, and does not stop the others. Verified packages are merged in
    batches, each batch one transaction (committing 200 small transactions costs more
    than merging them); a cancel keeps the batches already committed."""
    return _receive(ctx, [Path(p) for p in paths], receipts_dir, progress, cancelled)


# a batch is committed when it holds this many records or attachment bytes
BATCH_RECORDS = 100_000
BATCH_BYTES = 200 * 1024 * 1024
READ_AHEAD = 2  # packages verified ahead of the merge (their photos are held in memory)

_Read = tuple[str, VerifiedPackage | None, str | None]  # sha256, package, refusal


def _read(path: Path, keys: Mapping[str, str], known: frozenset[str]) -> _Read:
    """Hash, and unless already received, open and verify a package (in the reader thread)."""
    try:
        digest = file_sha256(path)
    except OSError as exc:
        return "", None, f"无法读取报送包“{path.name}”（{exc.strerror or exc}），未接收。"
    if digest in known:  # byte for byte a package verified and merged before
        return digest, None, None
    try:
        return digest, read_package(path, keys), None
    except GongkaiError as exc:
        return digest, None, str(exc)


def _receive(
    ctx: AppContext,
    paths: list[Path],
    receipts_dir: Path | None,
    progress: Progress | None,
    cancelled: Cancelled | None,
    raise_refusal: bool = False,
) -> list[ReceiveResult]:
    """Packages are read and verified in a second thread while the previous one is
    merged (hashing, unzipping and SQLite's work leave the interpreter free), and merged
    in batches: one transaction per batch, a savepoint per package."""
    keys = key_for(ctx)
    with ctx.transaction() as session:
        known = frozenset(session.scalars(select(ReceivedPackage.package_sha256)))
    results: dict[int, ReceiveResult] = {}
    merged: list[tuple[int, Path, str]] = []  # in the open batch
    session = ctx.session_factory()
    session.begin()
    size = [0, 0]  # records, attachment bytes in the open batch

    def commit() -> None:
        session.commit()
        for index, path, digest in merged:
            results[index] = _result_of(ctx, path, digest, receipts_dir, already=False)
        merged.clear()
        size[:] = [0, 0]
        session.begin()

    try:
        # the merge looks up ids all over the records index: keep it in memory
        session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify") as reader:
            pending = deque(
                (i, p, reader.submit(_read, p, keys, known))
                for i, p in enumerate(paths[:READ_AHEAD])
            )
            upcoming = iter(list(enumerate(paths))[READ_AHEAD:])
            while pending:
                index, path, future = pending.popleft()
                if (following := next(upcoming, None)) is not None:
                    pending.append((*following, reader.submit(_read, following[1], keys, known)))
                if cancelled is not None and cancelled():
                    commit()
                    raise ExportCancelled
                if progress is not None:
                    progress(index, len(paths), f"正在接收 {path.name}")
                digest, package, refusal = future.result()
                if refusal is not None:
                    if raise_refusal:
                        raise PackageError(refusal)
                    results[index] = ReceiveResult(path=path, error=refusal)
                    continue
                if package is None or session.get(ReceivedPackage, digest) is not None:
                    commit()
                    results[index] = _result_of(ctx, path, digest, receipts_dir, already=True)
                    continue
                try:
                    with session.begin_nested():
                        _merge_package(ctx, session, package)
                except PackageError as exc:  # a record of another township: this one only
                    if raise_refusal:
                        raise
                    results[index] = ReceiveResult(path=path, error=str(exc))
                    continue
                merged.append((index, path, digest))
                size[0] += len(package.records)
                size[1] += sum(len(b) for b in package.attachments.values())
                if size[0] >= BATCH_RECORDS or size[1] >= BATCH_BYTES:
                    commit()
            commit()
    finally:
        session.rollback()
        session.connection().exec_driver_sql("PRAGMA cache_size=-2000")
        session.close()
    if progress is not None:
        progress(len(paths), len(paths), "接收完成")
    return [results[i] for i in range(len(paths))]


def _merge_package(ctx: AppContext, session: Session, package: VerifiedPackage) -> None:
    files = _store_attachments(ctx, package.attachments)
    problem = history_problem(session, package)  # before this package is among the received
    head = chain_head(package) or {}
    added, replaced, unchanged, conflicts = _merge(ctx, session, package, files)
    session.add(
        ReceivedPackage(
            package_sha256=package.sha256,
            township_code=package.township_code,
            period=package.period,
            created_at=package.created_at.replace(tzinfo=None),
            received_at=_utcnow(),
            app_version=str(package.manifest.get("app_version", "")),
            record_count=len(package.records),
            added=added,
            replaced=replaced,
            unchanged=unchanged,
            conflicts=conflicts,
            form_counts=dict(package.manifest.get("record_counts", {})),
            audit_last_id=_int_or_none(head.get("last_id")),
            audit_hash=str(head["hash"]) if head.get("hash") else None,
            audit_count=_int_or_none(head.get("count")),
            audit_problem=problem,
        )
    )
    session.flush()


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _result_of(
    ctx: AppContext, path: Path, digest: str, receipts_dir: Path | None, already: bool
) -> ReceiveResult:
    """The result of a merged package, as stored, with its 回执 written."""
    from gongkai_desktop.services.submission.receipts import write_receipt

    with ctx.transaction() as session:
        stored = session.get(ReceivedPackage, digest)
        assert stored is not None
        township = session.get(Township, stored.township_code)
        result = ReceiveResult(
            path=path,
            package_sha256=digest,
            township_code=stored.township_code,
            township_name=township.name if township else stored.township_code,
            period=stored.period,
            records=stored.record_count,
            added=0 if already else stored.added,
            replaced=0 if already else stored.replaced,
            unchanged=stored.record_count if already else stored.unchanged,
            conflicts=0 if already else stored.conflicts,
            already_received=already,
            history_problem=stored.audit_problem,
        )
    # the package is in; a 回执 that cannot be written is said, and can be written again
    folder = receipts_dir or path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        receipt = write_receipt(ctx, digest, folder)
    except (OSError, GongkaiError) as exc:
        message = str(exc) if isinstance(exc, GongkaiError) else error_message(folder, exc)
        return replace(result, receipt_error=message)
    return replace(result, receipt_path=receipt)


# ---- conflicts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConflictField:
    field: str
    label: str
    county: Any
    township: Any


@dataclass(frozen=True)
class ConflictView:
    id: int
    township_code: str
    township_name: str
    record_id: str
    form_id: str
    title: str
    incoming_version: int
    found_at: datetime
    fields: tuple[ConflictField, ...]


def _label(ctx: AppContext, form_id: str, key: str) -> str:
    if key == "deleted":
        return "已删除"
    form = ctx.registry.forms.get(form_id)
    if form is not None:
        try:
            return form.field(key).label
        except Exception:  # a field the county's form files do not have
            return key
    return key


def list_conflicts(ctx: AppContext, include_resolved: bool = False) -> list[ConflictView]:
    with ctx.transaction() as session:
        stmt = select(MergeConflict).order_by(MergeConflict.id)
        if not include_resolved:
            stmt = stmt.where(MergeConflict.resolved_at.is_(None))
        names = {t.code: t.name for t in session.scalars(select(Township))}
        return [
            ConflictView(
                id=c.id,
                township_code=c.township_code,
                township_name=names.get(c.township_code, c.township_code),
                record_id=c.record_id,
                form_id=c.form_id,
                title=str(c.incoming.get("title", "")),
                incoming_version=c.incoming_version,
                found_at=c.found_at,
                fields=tuple(
                    ConflictField(
                        f["field"], _label(ctx, c.form_id, f["field"]), f["county"], f["township"]
                    )
                    for f in c.fields
                ),
            )
            for c in session.scalars(stmt)
        ]


def resolve_conflict(ctx: AppContext, conflict_id: int, choices: Mapping[str, str]) -> None:
    """Decide a conflict: ``choices`` maps each differing field to "township" or "county".

    All "township": the record becomes the township's version exactly. Otherwise the
    county's record takes the chosen township values as a county change (a new version),
    so the township's next change of it is again a conflict, not silently taken.
    """
    with ctx.transaction() as session:
        conflict = session.get(MergeConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise GongkaiError(f"没有待处理的冲突 {conflict_id}。")
        keys = [f["field"] for f in conflict.fields]
        missing = [k for k in keys if choices.get(k) not in ("township", "county")]
        if missing:
            labels = "、".join(_label(ctx, conflict.form_id, k) for k in missing)
            raise GongkaiError(f"请为每个不一致的字段选择采用县级值或乡镇值：{labels}")
        row = session.get(Record, conflict.record_id)
        origin = session.get(RecordOrigin, conflict.record_id)
        assert row is not None and origin is not None
        incoming = conflict.incoming
        user, filler = ctx.identity(session)
        now = _utcnow()
        taken = [k for k in keys if choices[k] == "township"]
        before = {"data": dict(row.data), "deleted": row.deleted}
        if len(taken) == len(keys):
            values = _row_values(incoming, {})
            values["data"] = incoming["data"]  # already relinked when it was kept
            for column in _RECORD_COLUMNS:
                setattr(row, column, values[column])
        else:
            data = dict(row.data)
            for key in taken:
                if key == "deleted":
                    row.deleted = bool(incoming.get("deleted"))
                    row.deleted_at = _datetime(incoming.get("deleted_at"))
                elif key in incoming["data"]:
                    data[key] = incoming["data"][key]
                else:
                    data.pop(key, None)
            row.data = data
            form = ctx.registry.forms.get(row.form_id)
            if form is not None:  # title, date, status… follow the merged values
                for column, value in derived_columns_in(session, form, data).items():
                    setattr(row, column, value)
            row.version = max(row.version, int(incoming["version"])) + 1
            row.updated_at = now
        origin.received_version = max(origin.received_version, int(incoming["version"]))
        entries = [
            AuditEntry(
                at=now,
                os_user=user,
                filler=filler,
                record_id=row.id,
                form_id=row.form_id,
                action=ACTION_RESOLVE,
                field=key,
                old_value=_json_text(old),
                new_value=_json_text(new),
            )
            for key, old, new in _changes(before, {"data": row.data, "deleted": row.deleted})
        ]
        repository.add_audit(session, entries)
        conflict.resolved_at = now
        chosen = (
            "全部采用乡镇报送值"
            if len(taken) == len(keys)
            else (f"采用乡镇值：{'、'.join(taken)}" if taken else "全部保留县级值")
        )
        conflict.resolution = f"{chosen}（{filler or os_user()}）"[:200]
