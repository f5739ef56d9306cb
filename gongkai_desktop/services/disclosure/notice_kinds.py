"""The kinds of 依申请公开 notice, apart from the notices module (which needs python-docx
and the database) so that ``gongkai notice --help`` can name them without loading either."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoticeKind:
    id: str  # ascii, for the command line
    name: str  # what the clerk calls it
    title: str  # the document's title


NOTICE_KINDS: tuple[NoticeKind, ...] = (
    NoticeKind("correction", "补正告知书", "政府信息公开申请补正告知书"),
    NoticeKind("extension", "延期答复告知书", "政府信息公开申请延期答复告知书"),
    NoticeKind("reply", "答复书", "政府信息公开申请答复书"),
    NoticeKind("receipt", "送达回证", "送达回证"),
)
