"""County mode: is a township's audit history unbroken? (issue 11, item 4)

A 报送包 carries the head of the township's audit chain (``audit_chain`` in its manifest)
and, with each audit entry, its chain hash and the previous entry's. On receiving, the
county checks that
- the township's log has no gap (entry count = last id),
- every received entry hashes to its stored hash from its content and the previous hash,
  consecutive received entries link up, and none lies beyond the head,
- the log continues the one received before from that township: the hash the township
  now holds at the previous package's head is the hash that package carried.
What does not check is reported with the receive result and kept with the received
package; the records are received all the same (the county decides what to do).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai_desktop.data.hashing import audit_values, chain_hash
from gongkai_desktop.data.models import ReceivedPackage
from gongkai_desktop.services.maintenance.tamper import local_time
from gongkai_desktop.services.submission.package import VerifiedPackage

log = logging.getLogger(__name__)


def chain_head(package: VerifiedPackage) -> Mapping[str, Any] | None:
    head = package.manifest.get("audit_chain")
    return head if isinstance(head, dict) else None


def _entry_values(entry: Mapping[str, Any]) -> list[Any]:
    at = entry.get("at")
    values = dict(entry)
    values["at"] = datetime.fromisoformat(at) if isinstance(at, str) else at
    return audit_values(values)


def _entries_problem(package: VerifiedPackage, last_id: int, last_hash: str) -> str | None:
    """The first received entry that does not check against the chain, if any."""
    by_id = {int(e["id"]): e for e in package.audit}
    for entry_id in sorted(by_id):
        entry = by_id[entry_id]
        where = f"第 {entry_id} 条修改记录（{local_time(str(entry.get('at') or ''))}）"
        stored, previous = entry.get("hash"), entry.get("prev_hash")
        if not isinstance(stored, str):
            return f"{where}没有校验值"
        if not isinstance(previous, str):
            return f"{where}的前一条（id {entry_id - 1}）在乡镇已不存在"
        try:
            recomputed = chain_hash(previous, _entry_values(entry))
        except (TypeError, ValueError):
            recomputed = ""
        if recomputed != stored:
            return f"{where}的内容与其校验值不符"
        before = by_id.get(entry_id - 1)
        if before is not None and before.get("hash") != previous:
            return f"{where}与前一条接不上"
        if entry_id > last_id:
            return f"{where}在所报的最后一条（id {last_id}）之后"
        if entry_id == last_id and stored != last_hash:
            return f"{where}与所报的修改记录末尾校验值不符"
    return None


def _previous(session: Session, package: VerifiedPackage) -> ReceivedPackage | None:
    """The package from the same township created last before this one, with a head."""
    return session.scalars(
        select(ReceivedPackage)
        .where(
            ReceivedPackage.township_code == package.township_code,
            ReceivedPackage.audit_last_id.is_not(None),
            ReceivedPackage.created_at < package.created_at.replace(tzinfo=None),
        )
        .order_by(ReceivedPackage.created_at.desc())
        .limit(1)
    ).first()


def history_problem(session: Session, package: VerifiedPackage) -> str | None:
    """What of the township's audit history does not check (Chinese), or None."""
    head = chain_head(package)
    if head is None:
        return None  # a package from a version before the chain: nothing to compare
    problems = []
    try:
        last_id, count = int(head["last_id"]), int(head["count"])
        last_hash = str(head["hash"])
        anchors = {int(k): str(v) for k, v in dict(head.get("anchors") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return "乡镇修改记录的历史无法核对：报送包中的修改记录末尾信息不完整。"
    if count != last_id:
        problems.append(
            f"乡镇的修改记录共 {count} 条而最后一条为 id {last_id}，中间有 {last_id - count} 条"
            "被删除"
            if count < last_id
            else f"乡镇的修改记录共 {count} 条而最后一条为 id {last_id}，编号不连续"
        )
    if (entries := _entries_problem(package, last_id, last_hash)) is not None:
        problems.append(entries)
    previous = _previous(session, package)
    if previous is not None and previous.audit_last_id is not None:
        before = previous.audit_last_id
        if before > last_id:
            problems.append(
                f"本报送包的修改记录只到 id {last_id}，少于此前接收的报送包（{previous.period}，"
                f"到 id {before}）：乡镇的修改记录被删除，或数据库被恢复为较早的备份"
            )
        elif before not in anchors:
            problems.append(
                f"无法核对与此前接收的报送包（{previous.period}，到 id {before}）是否连续："
                "本报送包没有带该处的校验值（乡镇数据库可能被恢复为较早的备份）"
            )
        elif anchors[before] != previous.audit_hash:
            problems.append(
                f"与此前接收的报送包（{previous.period}）不连续：乡镇 id {before} 及以前的"
                "修改记录在那次报送之后被改动或删除"
            )
    if not problems:
        return None
    text = "修改记录的历史不完整：" + "；".join(problems) + "。"
    log.warning("package %s from %s: %s", package.path.name, package.township_code, text)
    return text
