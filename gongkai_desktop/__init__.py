"""乡镇生态环境政务公开台账 — desktop data entry, ledgers and reports."""

__version__ = "0.1.0"
APP_NAME = "乡镇生态环境政务公开台账"
