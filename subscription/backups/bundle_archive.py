"""Reading a company bundle as hostile input: the zip's directory, sizes and packing are checked before
anything is inflated, members are inflated in chunks and cut off past their declared size, and every
CSV is checked against the manifest's SHA-256 while it is read (mirrors subscription/ui/xlsx_archive.py).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from subscription.backups.bundle import FORMAT, FORMAT_VERSION, MANIFEST, README, TABLES_DIR

MAX_ENTRIES = 200
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
RATIO_FLOOR = 1024 * 1024  # members smaller than this cannot be bombs whatever their ratio
CHUNK = 64 * 1024
MAX_LINE_CHARS = 4 * 1024 * 1024
MEMBER = re.compile(r"^tables/[a-z0-9_]{1,100}\.csv$")
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, struct.error)


class BundleRefused(Exception):
    """A bundle that cannot be imported; the message says why (nothing was changed)."""


def _unreadable() -> BundleRefused:
    return BundleRefused(_("The file is not a readable company bundle (a zip made by export_company)."))


class Bundle:
    """A company bundle whose archive and manifest were checked. Raises BundleRefused."""

    def __init__(self, path: Path) -> None:
        size = path.stat().st_size
        if size > settings.BUNDLE_MAX_BYTES:
            raise BundleRefused(
                _("The bundle is larger than %(limit)d MB (BUNDLE_MAX_BYTES).")
                % {"limit": settings.BUNDLE_MAX_BYTES // 2**20}
            )
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except ZIP_ERRORS as error:
            raise _unreadable() from error
        if len(infos) > MAX_ENTRIES:
            raise BundleRefused(_("The bundle holds more than %(limit)d files.") % {"limit": MAX_ENTRIES})
        self.infos = {}
        for info in infos:
            self._check_member(info)
            self.infos[info.filename] = info
        if sum(info.file_size for info in infos) > settings.BUNDLE_MAX_UNCOMPRESSED_BYTES:
            raise BundleRefused(
                _("The bundle unpacks to more than %(limit)d MB (BUNDLE_MAX_UNCOMPRESSED_BYTES).")
                % {"limit": settings.BUNDLE_MAX_UNCOMPRESSED_BYTES // 2**20}
            )
        self.manifest = self._manifest()

    def _check_member(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        if name not in (MANIFEST, README) and not MEMBER.fullmatch(name):
            raise BundleRefused(_("The bundle holds a file it should not: %(name)s.") % {"name": name[:100]})
        if name in getattr(self, "infos", {}):
            raise BundleRefused(_("The bundle holds %(name)s twice.") % {"name": name})
        if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unreadable()
        if info.file_size > RATIO_FLOOR and info.file_size > max(info.compress_size, 1) * settings.BUNDLE_MAX_RATIO:
            raise BundleRefused(_("%(name)s is packed far more tightly than data (a zip bomb?).") % {"name": name})

    def chunks(self, name: str, max_bytes: int | None = None) -> Iterator[bytes]:
        """The inflated bytes of a member, cut off if it turns out larger than it declared."""
        info = self.infos.get(name)
        if info is None:
            raise BundleRefused(_("The bundle has no %(name)s.") % {"name": name})
        if max_bytes is not None and info.file_size > max_bytes:
            raise BundleRefused(_("%(name)s is too large.") % {"name": name})
        read = 0
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(CHUNK):
                    read += len(chunk)
                    if read > info.file_size:
                        raise _unreadable()
                    yield chunk
        except ZIP_ERRORS as error:
            raise _unreadable() from error

    def _manifest(self) -> dict:
        try:
            manifest = json.loads(b"".join(self.chunks(MANIFEST, MAX_MANIFEST_BYTES)))
        except (ValueError, UnicodeDecodeError) as error:
            raise BundleRefused(_("manifest.json is not valid JSON.")) from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleRefused(_("manifest.json does not describe a company bundle."))
        version = manifest.get("format_version")
        if not isinstance(version, int):
            raise BundleRefused(_("manifest.json has no format version."))
        if version > FORMAT_VERSION:
            raise BundleRefused(
                _(
                    "The bundle was made by a newer version of MedRep (bundle format %(found)d; this one reads up to "
                    "%(known)d). Update MedRep, then import it."
                )
                % {"found": version, "known": FORMAT_VERSION}
            )
        tables, references = manifest.get("tables"), manifest.get("references", {})
        if not isinstance(tables, dict) or not isinstance(references, dict):
            raise BundleRefused(_("manifest.json lists no tables."))
        for table, entry in tables.items():
            if not (
                isinstance(entry, dict)
                and entry.get("file") == f"{TABLES_DIR}{table}.csv"
                and isinstance(entry.get("rows"), int)
                and isinstance(entry.get("sha256"), str)
                and isinstance(entry.get("columns"), list)
            ):
                raise BundleRefused(_("manifest.json describes table %(table)s wrongly.") % {"table": str(table)[:100]})
        return manifest

    def rows(self, table: str) -> Iterator[list[str]]:
        """The data rows of a table's CSV (after checking its header); the SHA-256 and count are checked at the end."""
        entry = self.manifest["tables"][table]
        digest = hashlib.sha256()

        def text() -> Iterator[str]:
            decoder = codecs.getincrementaldecoder("utf-8")()
            for chunk in self.chunks(entry["file"]):
                digest.update(chunk)
                yield decoder.decode(chunk)
            yield decoder.decode(b"", final=True)

        reader = csv.reader(_lines(text()))
        count = 0
        try:
            header = next(reader, None)
            if header != entry["columns"]:
                raise BundleRefused(
                    _("%(table)s.csv does not start with the columns the manifest names.") % {"table": table}
                )
            for row in reader:
                count += 1
                yield row
        except (csv.Error, UnicodeDecodeError) as error:
            raise BundleRefused(
                _("%(table)s.csv cannot be read: %(error)s") % {"table": table, "error": error}
            ) from error
        if digest.hexdigest() != entry["sha256"] or count != entry["rows"]:
            raise BundleRefused(
                _(
                    "%(table)s.csv does not match the manifest's checksum or row count: the bundle was changed or damaged."
                )
                % {"table": table}
            )


def _lines(chunks: Iterator[str]) -> Iterator[str]:
    """Lines of text from decoded chunks (csv.reader reads line by line; a quoted value may span lines)."""
    pending = ""
    for chunk in chunks:
        parts = (pending + chunk).split("\n")
        pending = parts.pop()
        if len(pending) > MAX_LINE_CHARS:
            raise BundleRefused(
                _("A line of the bundle is longer than %(limit)d characters.") % {"limit": MAX_LINE_CHARS}
            )
        for part in parts:
            yield part + "\n"
    if pending:
        yield pending
