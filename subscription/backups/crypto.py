"""Backups at rest: streaming AES-256-GCM encryption with a key derived from BACKUP_KEY, and SHA-256 of files.

The file is a header (magic, salt, key check, nonce prefix) and chunks of at most 1 MiB, each sealed
with its own nonce (prefix, chunk number, a last-chunk flag) and the header as associated data, so a
chunk cannot be changed, moved, dropped or cut off without decryption failing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

from subscription.storage import ProvisioningError

MAGIC = b"MRBK\x01"
CHUNK = 1024 * 1024
TAG = 16
HEADER = len(MAGIC) + 16 + 8 + 7
SUFFIX = ".enc"


class BackupUnreadable(ProvisioningError):
    """A backup file that cannot be decrypted or read (wrong key, damaged, cut off); the message says which."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _key(secret: str, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"medrep backup v1").derive(secret.encode())


def _check(key: bytes) -> bytes:
    return hmac.new(key, b"key check", hashlib.sha256).digest()[:8]


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _chunks(handle: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The file's chunks, each with whether it is the last (an empty file is one empty last chunk)."""
    current = handle.read(CHUNK)
    while True:
        following = handle.read(CHUNK)
        yield current, not following
        if not following:
            return
        current = following


def encrypt_file(source: Path, target: Path, secret: str) -> None:
    """Write `source` encrypted to `target`, reading and writing a chunk at a time."""
    salt, prefix = os.urandom(16), os.urandom(7)
    key = _key(secret, salt)
    header = MAGIC + salt + _check(key) + prefix
    cipher = AESGCM(key)
    with open(source, "rb") as reading, open(target, "wb") as writing:
        writing.write(header)
        for number, (chunk, last) in enumerate(_chunks(reading)):
            sealed = cipher.encrypt(_nonce(prefix, number, last), chunk, header)
            writing.write(len(sealed).to_bytes(4, "big") + sealed)


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def decrypt_file(source: Path, target: Path, secret: str) -> None:
    """Write the plain backup of `source` to `target`. Raises BackupUnreadable (wrong key, damage, cut off)."""
    if not secret:
        raise BackupUnreadable(
            _("%(path)s is encrypted and BACKUP_KEY is not set: set the key it was made with.") % {"path": source}
        )
    with open(source, "rb") as reading, open(target, "wb") as writing:
        header = reading.read(HEADER)
        if len(header) != HEADER or not header.startswith(MAGIC):
            raise BackupUnreadable(_("%(path)s is not an encrypted backup of this project.") % {"path": source})
        salt, check, prefix = header[5:21], header[21:29], header[29:36]
        key = _key(secret, salt)
        if not hmac.compare_digest(check, _check(key)):
            raise BackupUnreadable(
                _("%(path)s was encrypted with another BACKUP_KEY: set the key it was made with.") % {"path": source}
            )
        cipher = AESGCM(key)
        number, last = 0, False
        while not last:
            size = reading.read(4)
            if len(size) != 4:
                raise BackupUnreadable(_("%(path)s is cut off: its last part is missing.") % {"path": source})
            sealed = reading.read(int.from_bytes(size, "big"))
            following = reading.peek(1)[:1] if hasattr(reading, "peek") else b""
            last = not following
            try:
                writing.write(cipher.decrypt(_nonce(prefix, number, last), sealed, header))
            except InvalidTag:
                raise BackupUnreadable(
                    _("%(path)s is damaged: part %(number)d does not decrypt.") % {"path": source, "number": number + 1}
                ) from None
            number += 1
