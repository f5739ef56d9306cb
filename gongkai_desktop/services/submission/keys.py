"""报送密钥: the HMAC key a county issues to each township, and the signatures made with it.

The county writes a key file (``.gkkey``, JSON) per township; the township imports it in
设置. Both ends then hold the same secret: the township signs its 报送包 with it and the
county signs the 回执 it sends back, so each side can check the other's file came from the
holder of the key and was not changed on the way. The key is never shown on screen.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import AuditEntry
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.file_output import write_bytes_atomically

KEY_FORMAT = "gongkai-key"
KEY_FORMAT_VERSION = 1
KEY_SETTING = "submission_key"  # the imported key file's JSON, in the settings table
KEY_BYTES = 32


class SubmissionKeyError(GongkaiError):
    """A key file that cannot be used, or a missing key; the message says why in Chinese."""


@dataclass(frozen=True)
class KeyInfo:
    township_code: str
    township_name: str
    county_name: str
    issued_at: datetime  # UTC
    key: str  # base64

    def describe(self) -> str:
        """What 设置 shows: for whom and by whom, never the key."""
        local = self.issued_at.replace(tzinfo=UTC).astimezone()
        return (
            f"{self.township_name}（{self.township_code}），{self.county_name}"
            f"于{local:%Y-%m-%d %H:%M}签发"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": KEY_FORMAT,
            "format_version": KEY_FORMAT_VERSION,
            "township_code": self.township_code,
            "township_name": self.township_name,
            "county_name": self.county_name,
            "issued_at": self.issued_at.isoformat(),
            "key": self.key,
        }


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def sign(key: str, data: bytes) -> str:
    return hmac.new(base64.b64decode(key), data, hashlib.sha256).hexdigest()


def signature_matches(key: str, data: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(key, data), signature)


def key_from_json(data: Any, source: str) -> KeyInfo:
    """The key a key file (or the stored setting) holds; ``source`` names it in messages."""
    if not isinstance(data, dict) or data.get("format") != KEY_FORMAT:
        raise SubmissionKeyError(f"“{source}”不是报送密钥文件。")
    if data.get("format_version") != KEY_FORMAT_VERSION:
        raise SubmissionKeyError(
            f"“{source}”的格式版本为{data.get('format_version')}，本软件只能读取版本"
            f"{KEY_FORMAT_VERSION}。请安装新版软件。"
        )
    try:
        key = str(data["key"])
        if len(base64.b64decode(key, validate=True)) != KEY_BYTES:
            raise ValueError
        return KeyInfo(
            township_code=str(data["township_code"]),
            township_name=str(data["township_name"]),
            county_name=str(data.get("county_name", "")),
            issued_at=datetime.fromisoformat(str(data["issued_at"])),
            key=key,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise SubmissionKeyError(
            f"“{source}”已损坏（缺少或无法读取密钥内容），请向县级重新索取。"
        ) from exc


def write_key_file(target: Path, info: KeyInfo) -> None:
    text = json.dumps(info.to_json(), ensure_ascii=False, indent=2) + "\n"
    write_bytes_atomically(target, text.encode("utf-8"))


def read_key_file(path: Path) -> KeyInfo:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SubmissionKeyError(
            f"无法读取密钥文件“{path.name}”（{exc.strerror or exc}）。"
        ) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SubmissionKeyError(f"“{path.name}”不是报送密钥文件。") from exc
    return key_from_json(data, path.name)


def stored_key(session: Session) -> KeyInfo | None:
    text = repository.get_settings(session).get(KEY_SETTING, "")
    return key_from_json(json.loads(text), "已导入的报送密钥") if text else None


def current_key(ctx: AppContext) -> KeyInfo | None:
    with ctx.transaction() as session:
        return stored_key(session)


def import_key_file(ctx: AppContext, path: Path) -> KeyInfo:
    """Take the county's key file into 设置. The key must be for this township: when
    设置 has a 统计用区划代码 it must match; when it has none, the key's code is taken."""
    from gongkai_desktop.services.settings import put_settings_audited

    info = read_key_file(Path(path))
    with ctx.transaction() as session:
        settings = repository.get_settings(session)
        code = settings.get("township_code", "")
        if code and code != info.township_code:
            raise SubmissionKeyError(
                f"该密钥是签发给{info.township_name}（{info.township_code}）的，"
                f"与本单位的统计用区划代码 {code} 不符，未导入。"
            )
        if not code:
            put_settings_audited(ctx, session, {"township_code": info.township_code})
        repository.put_setting(session, KEY_SETTING, json.dumps(info.to_json()))
        user, filler = ctx.identity(session)
        # the audit says a key was imported and whose, not the secret itself
        repository.add_audit(
            session,
            [
                AuditEntry(
                    at=datetime.now(UTC).replace(tzinfo=None),
                    os_user=user,
                    filler=filler,
                    record_id="settings",
                    form_id="settings",
                    action="修改",
                    field=KEY_SETTING,
                    old_value=None,
                    new_value=json.dumps(info.describe(), ensure_ascii=False),
                )
            ],
        )
    return info
