"""报送包 (``.gkpkg``): one zip file that carries a township's period upward.

Members:
- ``manifest.json``: format and version, township code and name, period, created time
  (UTC), app version, form files with their versions and SHA-256, record counts per form,
  the SHA-256 of every other member, and the head of the township's audit chain
  (``audit_chain``: entry count, last id and hash, the hashes now at earlier packages'
  heads), so the county can see that the township's history is unbroken;
- ``signature.json``: HMAC-SHA256 of ``manifest.json``'s bytes with the township's 报送密钥
  (so the manifest's member hashes vouch for every member);
- ``records.jsonl``: the period's records and the records they reference (sites, linked
  records), one JSON object per line with id, version and times;
- ``audit.jsonl``: the audit entries of those records, each with its chain hash and the
  previous entry's (``hash``, ``prev_hash``; data/hashing.py);
- ``attachments/<path>``: their photos, under the path the records name.

A package is read only through ``read_package``, which checks everything before anything
is returned: a package whose hashes, members, signature or format version do not check
is refused with a Chinese message naming what is wrong.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gongkai_desktop import __version__
from gongkai_desktop.data import repository
from gongkai_desktop.data.hashing import GENESIS
from gongkai_desktop.data.integrity import chain_head
from gongkai_desktop.data.models import AuditEntry, Record, ReturnedRecord, Submission
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.periods import Period
from gongkai_desktop.forms.spec import FormSpec
from gongkai_desktop.forms.values import field_values
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.file_output import ExportError, write_atomically
from gongkai_desktop.services.io.hashing import file_sha256
from gongkai_desktop.services.ledgers.export import ExportCancelled, safe_file_name
from gongkai_desktop.services.submission.keys import sign, signature_matches, stored_key

PACKAGE_FORMAT = "gongkai-package"
PACKAGE_FORMAT_VERSION = 1
PACKAGE_SUFFIX = ".gkpkg"
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
RECORDS = "records.jsonl"
AUDIT = "audit.jsonl"
ATTACHMENTS = "attachments/"

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


class PackageError(GongkaiError):
    """A package that cannot be written or is refused; the message says what is wrong."""


@dataclass(frozen=True)
class BuiltPackage:
    path: Path
    sha256: str
    record_count: int
    form_counts: dict[str, int]
    missing_attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifiedPackage:
    """A package whose every member and signature checked."""

    path: Path
    sha256: str  # of the whole file
    manifest: dict[str, Any]
    records: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    attachments: dict[str, bytes] = field(repr=False)  # path in the records → bytes

    @property
    def township_code(self) -> str:
        return str(self.manifest["township_code"])

    @property
    def period(self) -> str:
        return str(self.manifest["period"]["key"])

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created_at"])


# ---- periods -------------------------------------------------------------------------------
def period_key(period: Period) -> str:
    """``2026-11``, ``2026-Q4`` or ``2026``; a free date range cannot be submitted."""
    start, end = period.start, period.end
    if start.day == 1 and end.year == start.year:
        if end.month == start.month and (end + timedelta(days=1)).day == 1:
            return f"{start.year}-{start.month:02d}"
        if (
            start.month % 3 == 1
            and end.month == start.month + 2
            and (end + timedelta(days=1)).day == 1
        ):
            return f"{start.year}-Q{(start.month + 2) // 3}"
        if (start.month, end.month, end.day) == (1, 12, 31):
            return f"{start.year}"
    raise PackageError(f"报送期间应为一个月、一个季度或一年，不能是“{period.label}”。")


# ---- what a record refers to -----------------------------------------------------------------
def references(form: FormSpec, data: Mapping[str, Any]) -> set[str]:
    """Ids of the records ``data`` points at (site and linked-record fields)."""
    return {
        value
        for spec, value in field_values(form, data)
        if spec.type in ("site", "record") and isinstance(value, str) and value
    }


def photo_files(form: FormSpec, data: Mapping[str, Any]) -> list[str]:
    """The attachment paths (relative to the attachment folder) a record's photos name."""
    files = []
    for spec, value in field_values(form, data):
        if spec.type == "photos" and isinstance(value, list):
            files += [str(e["file"]) for e in value if isinstance(e, dict) and e.get("file")]
    return files


# ---- rows as JSON ------------------------------------------------------------------------------
def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def record_json(row: Record) -> dict[str, Any]:
    return {
        "id": row.id,
        "form_id": row.form_id,
        "title": row.title,
        "record_date": _iso(row.record_date),
        "site_id": row.site_id,
        "status": row.status,
        "data": row.data,
        "search_text": row.search_text,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "author": row.author,
        "version": row.version,
        "deleted": bool(row.deleted),
        "deleted_at": _iso(row.deleted_at),
    }


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": _iso(entry.at),
        "os_user": entry.os_user,
        "filler": entry.filler,
        "record_id": entry.record_id,
        "form_id": entry.form_id,
        "action": entry.action,
        "field": entry.field,
        "old_value": entry.old_value,
        "new_value": entry.new_value,
        "origin": entry.origin,
        "origin_id": entry.origin_id,
        "hash": entry.hash,
    }


def _chain_links(session: Session, audit: list[dict[str, Any]]) -> None:
    """Each packaged entry with the hash of the entry before it (``prev_hash``), so the
    county can recompute every entry's chain hash from what it receives."""
    wanted = sorted({e["id"] - 1 for e in audit} - {0})
    hashes: dict[int, str | None] = {}
    for chunk in range(0, len(wanted), 500):
        rows = session.execute(
            select(AuditEntry.id, AuditEntry.hash).where(
                AuditEntry.id.in_(wanted[chunk : chunk + 500])
            )
        )
        hashes.update({r.id: r.hash for r in rows})
    for e in audit:
        e["prev_hash"] = GENESIS if e["id"] == 1 else hashes.get(e["id"] - 1)


def chain_head_json(session: Session) -> dict[str, Any]:
    """The manifest's ``audit_chain``: the township's whole audit log as it stands (count,
    last id and its hash), and the hash now at the head of every package built before
    (``anchors``), which the county compares with the heads it received."""
    last_id, last_hash = chain_head(session)
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    earlier = session.scalars(
        select(Submission.audit_last_id).where(Submission.audit_last_id.is_not(None))
    ).all()
    wanted = sorted({i for i in earlier if i is not None and 0 < i <= last_id})
    anchors = {}
    for chunk in range(0, len(wanted), 500):
        rows = session.execute(
            select(AuditEntry.id, AuditEntry.hash).where(
                AuditEntry.id.in_(wanted[chunk : chunk + 500])
            )
        )
        anchors.update({str(r.id): r.hash for r in rows})
    return {"count": int(count), "last_id": last_id, "hash": last_hash, "anchors": anchors}


def _jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    lines = (json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for r in rows)
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- writing ---------------------------------------------------------------------------------
def _period_records(session: Session, period: Period) -> list[Record]:
    """The period's records (dated in it), every record changed since it began (a site, a
    record fixed after it was returned, a later edit of an earlier month), and, repeatedly,
    what those refer to."""
    # stored times are naive UTC; the period begins at local midnight (UTC+8: 16:00 the
    # day before), so an edit in the small hours of the 1st is not missed
    start = (
        datetime.combine(period.start, datetime.min.time())
        .astimezone()
        .astimezone(UTC)
        .replace(tzinfo=None)
    )
    rows = session.scalars(
        select(Record).where(
            or_(
                Record.record_date.between(period.start, period.end),
                Record.updated_at >= start,
            )
        )
    ).all()
    return list(rows)


def _with_references(ctx: AppContext, session: Session, rows: list[Record]) -> list[Record]:
    chosen = {r.id: r for r in rows}
    wanted = set()
    for row in rows:
        if row.form_id in ctx.registry.forms:
            wanted |= references(ctx.registry.form(row.form_id), row.data)
    while wanted - chosen.keys():
        missing = wanted - chosen.keys()
        found = session.scalars(select(Record).where(Record.id.in_(missing))).all()
        wanted = set()
        for row in found:
            chosen[row.id] = row
            if row.form_id in ctx.registry.forms:
                wanted |= references(ctx.registry.form(row.form_id), row.data)
        if not found:
            break  # a reference to a record that no longer exists
    return sorted(chosen.values(), key=lambda r: r.id)


def _form_files(ctx: AppContext) -> dict[str, dict[str, Any]]:
    files = {}
    for form in ctx.registry:
        digest = _sha(form.path.read_bytes()) if form.path and form.path.is_file() else ""
        files[form.id] = {"version": form.version, "sha256": digest}
    return files


def package_file_name(unit_name: str, period: Period) -> str:
    return safe_file_name(f"{unit_name}_{period.label}_报送包") + PACKAGE_SUFFIX


def build_package(
    ctx: AppContext,
    period: Period,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    now: datetime | None = None,
) -> BuiltPackage:
    """Write the period's 报送包 into ``out_dir`` (atomically), re-read and verify it, and
    note it as a submission. Raises PackageError when 设置 lacks the township code or the
    报送密钥, or when the written file does not verify."""
    key = period_key(period)
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    with ctx.transaction() as session:
        settings = repository.get_settings(session)
        info = stored_key(session)
        code = settings.get("township_code", "")
        if not code:
            raise PackageError("请先在“设置”中填写本乡镇的统计用区划代码，再生成报送包。")
        if info is None:
            raise PackageError("尚未导入报送密钥：请在“设置 → 报送密钥”中导入县级签发的密钥文件。")
        if info.township_code != code:
            raise PackageError(
                f"已导入的报送密钥属于 {info.township_code}，与本单位的统计用区划代码 {code} 不符。"
            )
        rows = _with_references(ctx, session, _period_records(session, period))
        records = [record_json(r) for r in rows]
        ids = [r.id for r in rows]
        audit: list[dict[str, Any]] = []
        for chunk in range(0, len(ids), 500):
            entries = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.record_id.in_(ids[chunk : chunk + 500]))
                .order_by(AuditEntry.id)
            ).all()
            audit += [audit_json(e) for e in entries]
        audit.sort(key=lambda e: e["id"])
        _chain_links(session, audit)
        chain = chain_head_json(session)
        unit_name = (
            settings.get("unit_name", "") or settings.get("township", "") or info.township_name
        )
        township_name = settings.get("township", "") or info.township_name
    photos: dict[str, Path] = {}
    for row in rows:
        if row.form_id in ctx.registry.forms:
            for rel in photo_files(ctx.registry.form(row.form_id), row.data):
                photos[rel] = ctx.attachments_dir / PurePosixPath(rel)
    form_counts: dict[str, int] = {}
    for r in records:
        form_counts[r["form_id"]] = form_counts.get(r["form_id"], 0) + 1

    target = Path(out_dir) / package_file_name(unit_name, period)
    total = len(photos) + 2
    missing: list[str] = []

    def write(fh: BinaryIO) -> None:
        members: dict[str, str] = {}
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in ((RECORDS, _jsonl(records)), (AUDIT, _jsonl(audit))):
                zf.writestr(name, data)
                members[name] = _sha(data)
            for done, (rel, path) in enumerate(sorted(photos.items()), start=1):
                if cancelled is not None and cancelled():
                    raise ExportCancelled
                if progress is not None:
                    progress(done, total, f"照片 {done}/{len(photos)}")
                try:
                    data = path.read_bytes()
                except OSError:
                    missing.append(rel)
                    continue
                name = ATTACHMENTS + rel
                # photos are already compressed: stored, not deflated again
                zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
                members[name] = _sha(data)
            manifest = {
                "format": PACKAGE_FORMAT,
                "format_version": PACKAGE_FORMAT_VERSION,
                "township_code": code,
                "township_name": township_name,
                "unit_name": unit_name,
                "period": {
                    "key": key,
                    "label": period.label,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                },
                "created_at": created.isoformat(),
                "app_version": __version__,
                "forms": _form_files(ctx),
                "record_counts": dict(sorted(form_counts.items())),
                "audit_count": len(audit),
                "audit_chain": chain,
                "members": dict(sorted(members.items())),
                "missing_attachments": sorted(missing),
            }
            manifest_bytes = json.dumps(
                manifest, ensure_ascii=False, sort_keys=True, indent=1
            ).encode("utf-8")
            zf.writestr(MANIFEST, manifest_bytes)
            signature = {
                "algorithm": "HMAC-SHA256",
                "signed": MANIFEST,
                "signature": sign(info.key, manifest_bytes),
            }
            zf.writestr(SIGNATURE, json.dumps(signature, indent=1).encode("utf-8"))

    try:
        write_atomically(target, write)
    except ExportError as exc:
        raise PackageError(str(exc)) from exc
    if progress is not None:
        progress(total - 1, total, "校验报送包")
    digest = file_sha256(target)
    # re-read what is on the stick, exactly as the county will
    read_package(target, {code: info.key})
    with ctx.transaction() as session:
        existing = session.get(Submission, digest)
        if existing is None:
            session.add(
                Submission(
                    package_sha256=digest,
                    period=key,
                    file_name=target.name,
                    created_at=created,
                    record_count=len(records),
                    audit_last_id=chain["last_id"],
                )
            )
        _clear_returns(session, {r["id"]: r["version"] for r in records}, digest)
    if progress is not None:
        progress(total, total, "报送包已校验")
    return BuiltPackage(target, digest, len(records), form_counts, tuple(sorted(missing)))


def _clear_returns(session: Session, versions: Mapping[str, int], digest: str) -> None:
    """A returned record carried again with a newer version is no longer 退回待改."""
    open_returns = session.scalars(
        select(ReturnedRecord).where(ReturnedRecord.cleared_by.is_(None))
    ).all()
    for row in open_returns:
        if versions.get(row.record_id, 0) > row.version_returned:
            row.cleared_by = digest


# ---- reading ---------------------------------------------------------------------------------
def _refuse(path: Path, what: str) -> PackageError:
    return PackageError(f"报送包“{path.name}”{what}，已拒收，未写入任何数据。")


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest only, unchecked (to find whose key to check it with)."""
    try:
        with zipfile.ZipFile(path) as zf:
            data = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError as exc:
        raise _refuse(path, "缺少 manifest.json") from exc
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(path, "不是完整的报送包文件（无法打开或已损坏）") from exc
    if not isinstance(data, dict) or data.get("format") != PACKAGE_FORMAT:
        raise _refuse(path, "不是本软件的报送包")
    return data


def read_package(path: Path, keys: Mapping[str, str]) -> VerifiedPackage:
    """Open and check a package: format version, signature with the township's key
    (``keys``: code → key), the hash of every member, no member missing or extra."""
    path = Path(path)
    manifest = read_manifest(path)
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > PACKAGE_FORMAT_VERSION:
        raise _refuse(
            path,
            f"的格式版本为{version}，本软件最高支持{PACKAGE_FORMAT_VERSION}（请安装新版软件）",
        )
    code = str(manifest.get("township_code", ""))
    name = manifest.get("township_name", "")
    if code not in keys:
        raise _refuse(path, f"来自未登记的乡镇 {name}（{code}），请先在乡镇管理中添加并发放密钥")
    try:
        with zipfile.ZipFile(path) as zf:
            manifest_bytes = zf.read(MANIFEST)
            try:
                signature = json.loads(zf.read(SIGNATURE).decode("utf-8"))
            except KeyError as exc:
                raise _refuse(path, "没有签名（缺少 signature.json）") from exc
            if not isinstance(signature, dict) or not signature_matches(
                keys[code], manifest_bytes, str(signature.get("signature", ""))
            ):
                raise _refuse(
                    path, f"的签名与{name}（{code}）的报送密钥不符（密钥不对，或清单被改动过）"
                )
            members: dict[str, str] = manifest.get("members", {})
            present = set(zf.namelist()) - {MANIFEST, SIGNATURE}
            if missing := sorted(set(members) - present):
                raise _refuse(path, f"缺少文件：{'、'.join(missing[:5])}")
            if extra := sorted(present - set(members)):
                raise _refuse(path, f"含有清单以外的文件：{'、'.join(extra[:5])}")
            contents: dict[str, bytes] = {}
            for member, digest in members.items():
                data = zf.read(member)
                if _sha(data) != digest:
                    raise _refuse(path, f"中的“{member}”与清单中的校验值不符（文件被改动或损坏）")
                contents[member] = data
    except PackageError:
        raise
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(path, "已损坏，无法读取") from exc
    try:
        records = _read_jsonl(contents[RECORDS])
        audit = _read_jsonl(contents[AUDIT])
    except (KeyError, ValueError) as exc:
        raise _refuse(path, "的记录内容无法读取") from exc
    attachments = {
        name.removeprefix(ATTACHMENTS): data
        for name, data in contents.items()
        if name.startswith(ATTACHMENTS)
    }
    return VerifiedPackage(path, file_sha256(path), manifest, records, audit, attachments)


def _read_jsonl(data: bytes) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in io.StringIO(data.decode("utf-8")) if line.strip()]
    if not all(isinstance(r, dict) for r in rows):
        raise ValueError("not an object per line")
    return rows
