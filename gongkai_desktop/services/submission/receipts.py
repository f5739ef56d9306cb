"""回执 (``.gkrcpt``): what the county sends back for a received 报送包, signed with the
township's key, and the 退回修改 notes of its reviewers.

The file is JSON: ``{"receipt": {...}, "signature": "<HMAC-SHA256 hex>"}``, the signature
taken over the receipt's canonical JSON (sorted keys, no spaces, UTF-8). The county writes
it (``write_receipt``); the township imports it (``import_receipt``): its submission shows
as 已接收 and returned records become 退回待改.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import (
    ReceivedPackage,
    Record,
    RecordOrigin,
    ReturnedRecord,
    ReturnNote,
    Submission,
    Township,
)
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.file_output import write_bytes_atomically
from gongkai_desktop.services.ledgers.export import safe_file_name
from gongkai_desktop.services.submission.keys import sign, signature_matches, stored_key

RECEIPT_FORMAT = "gongkai-receipt"
RECEIPT_FORMAT_VERSION = 1
RECEIPT_SUFFIX = ".gkrcpt"


class ReceiptError(GongkaiError):
    """A receipt that cannot be written or is refused; Chinese message."""


@dataclass(frozen=True)
class ReturnEntry:
    record_id: str
    form_id: str
    title: str
    note: str


@dataclass(frozen=True)
class ReceiptView:
    path: Path
    township_code: str
    period: str
    package_sha256: str
    received_at: datetime  # UTC
    records: int
    accepted: int
    conflicts: int
    returns: tuple[ReturnEntry, ...]
    new_returns: int  # returned records this import added (0 when imported before)


def _canonical(receipt: dict[str, Any]) -> bytes:
    return json.dumps(receipt, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# ---- county side ---------------------------------------------------------------------------------
def add_return_note(ctx: AppContext, record_id: str, note: str) -> int:
    """A reviewer's 退回修改 note on a received record; it goes out with the next 回执
    to its township. Returns the note's id."""
    note = note.strip()
    if not note:
        raise ReceiptError("退回意见不能为空，请写明需要修改的内容。")
    with ctx.transaction() as session:
        row = session.get(Record, record_id)
        if row is None or not row.township_code:
            raise ReceiptError(f"记录 {record_id} 不是从乡镇接收的记录，无法退回。")
        origin = session.get(RecordOrigin, record_id)
        user, filler = ctx.identity(session)
        entry = ReturnNote(
            township_code=row.township_code,
            record_id=record_id,
            note=note,
            record_version=origin.received_version if origin else row.version,
            created_at=_utcnow(),
            author=filler or user,
        )
        session.add(entry)
        session.flush()
        return entry.id


def write_receipt(ctx: AppContext, package_sha256: str, out_dir: Path) -> Path:
    """Write the 回执 of a received package into ``out_dir``: its counts, and every
    退回 note for that township not yet sent (or sent with this package's 回执 before,
    so writing it again gives the same notes)."""
    with ctx.transaction() as session:
        package = session.get(ReceivedPackage, package_sha256)
        if package is None:
            raise ReceiptError("该报送包尚未接收，无法出具回执。")
        township = session.get(Township, package.township_code)
        assert township is not None
        notes = session.scalars(
            select(ReturnNote)
            .where(
                ReturnNote.township_code == package.township_code,
                or_(
                    ReturnNote.receipt_sha256.is_(None),
                    ReturnNote.receipt_sha256 == package_sha256,
                ),
            )
            .order_by(ReturnNote.id)
        ).all()
        records = {
            r.id: r
            for r in session.scalars(
                select(Record).where(Record.id.in_([n.record_id for n in notes]))
            )
        }
        returns = []
        for note in notes:
            note.receipt_sha256 = package_sha256
            record = records.get(note.record_id)
            returns.append(
                {
                    "record_id": note.record_id,
                    "form_id": record.form_id if record else "",
                    "title": record.title if record else "",
                    "note": note.note,
                    "noted_at": note.created_at.isoformat(),
                }
            )
        county = repository.get_settings(session).get("unit_name", "")
        receipt = {
            "format": RECEIPT_FORMAT,
            "format_version": RECEIPT_FORMAT_VERSION,
            "township_code": township.code,
            "township_name": township.name,
            "county_name": county,
            "package_sha256": package_sha256,
            "period": package.period,
            "package_created_at": package.created_at.isoformat(),
            "received_at": package.received_at.isoformat(),
            "counts": {
                "records": package.record_count,
                "added": package.added,
                "replaced": package.replaced,
                "unchanged": package.unchanged,
                "conflicts": package.conflicts,
            },
            "returns": returns,
        }
        document = {"receipt": receipt, "signature": sign(township.key, _canonical(receipt))}
    target = Path(out_dir) / (
        safe_file_name(f"{township.name}_{package.period}_回执_{package_sha256[:8]}")
        + RECEIPT_SUFFIX
    )
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    write_bytes_atomically(target, text.encode("utf-8"))
    return target


# ---- township side -------------------------------------------------------------------------------
def read_receipt(path: Path, key: str) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_bytes().decode("utf-8"))
        receipt = document["receipt"]
        signature = str(document["signature"])
    except OSError as exc:
        raise ReceiptError(f"无法读取回执“{Path(path).name}”（{exc.strerror or exc}）。") from exc
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ReceiptError(f"“{Path(path).name}”不是回执文件或已损坏。") from exc
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise ReceiptError(f"“{Path(path).name}”不是回执文件。")
    if receipt.get("format_version") != RECEIPT_FORMAT_VERSION:
        raise ReceiptError(
            f"回执“{Path(path).name}”的格式版本为{receipt.get('format_version')}，请安装新版软件。"
        )
    if not signature_matches(key, _canonical(receipt), signature):
        raise ReceiptError(
            f"回执“{Path(path).name}”的签名与本单位的报送密钥不符（不是县级签发，或已被改动），未导入。"
        )
    return receipt


def import_receipt(ctx: AppContext, path: Path) -> ReceiptView:
    """Mark the submission 已接收 and add the returned records (both once)."""
    with ctx.transaction() as session:
        key = stored_key(session)
        if key is None:
            raise ReceiptError("尚未导入报送密钥，无法核验回执：请先在“设置 → 报送密钥”中导入。")
        receipt = read_receipt(Path(path), key.key)
        code = repository.get_settings(session).get("township_code", "")
        if receipt["township_code"] != code:
            raise ReceiptError(
                f"这份回执是给{receipt['township_name']}（{receipt['township_code']}）的，"
                "不是本单位的，未导入。"
            )
        submission = session.get(Submission, receipt["package_sha256"])
        if submission is None:
            raise ReceiptError(
                f"这份回执对应的报送包（{receipt['period']}）不是本机生成的，未导入。"
            )
        counts = receipt["counts"]
        received_at = datetime.fromisoformat(receipt["received_at"])
        submission.received_at = received_at
        submission.receipt_sha256 = receipt["package_sha256"]
        submission.accepted = (
            int(counts["added"]) + int(counts["replaced"]) + int(counts["unchanged"])
        )
        submission.conflicts = int(counts["conflicts"])
        returns = tuple(
            ReturnEntry(r["record_id"], r["form_id"], r["title"], r["note"])
            for r in receipt["returns"]
        )
        new = 0
        for entry in returns:
            known = session.scalar(
                select(ReturnedRecord.id).where(
                    ReturnedRecord.record_id == entry.record_id, ReturnedRecord.note == entry.note
                )
            )
            if known is not None:
                continue
            record = session.get(Record, entry.record_id)
            session.add(
                ReturnedRecord(
                    record_id=entry.record_id,
                    package_sha256=receipt["package_sha256"],
                    note=entry.note,
                    version_returned=record.version if record else 0,
                    returned_at=datetime.fromisoformat(receipt["received_at"]),
                )
            )
            new += 1
        return ReceiptView(
            path=Path(path),
            township_code=code,
            period=str(receipt["period"]),
            package_sha256=str(receipt["package_sha256"]),
            received_at=received_at,
            records=int(counts["records"]),
            accepted=submission.accepted,
            conflicts=submission.conflicts,
            returns=returns,
            new_returns=new,
        )
