"""The key behind customer_key (keyed HMAC-SHA256): from COMPLAINTS_PSEUDONYM_KEY, else a key
file in $COMPLAINTS_HOME created on first run with mode 0600. Without the key, a customer_key
cannot be traced back to a customer; with the same key, repeat complainants match."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from base.settings import Settings

KEY_FILE = "pseudonym.key"
_BLOCK = 64  # SHA-256 block size in bytes


def pseudonym_key(settings: Settings) -> bytes:
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode("utf-8")
    path = Path(settings.home) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def hmac_pads(key: bytes) -> tuple[str, str]:
    """The outer and inner pads of RFC 2104, hex-encoded, for the SQL macro hmac_sha256."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x5C for b in key).hex(), bytes(b ^ 0x36 for b in key).hex()
