"""An XLSX file's zip archive, checked before anything in it is inflated.

The directory is read first (entry count, size, no zip64), then every entry's declared size,
compression and packing ratio; a part is inflated in chunks and cut off if it turns out larger
than it said. So neither a zip bomb nor a lying header can make a worker inflate more than
IMPORT_MAX_UNCOMPRESSED_BYTES.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO

from django.utils.translation import gettext as _

from subscription.ui.tables import MB, TableError, TableLimits

CHUNK = 16 * 1024
END_RECORD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
MAX_DIRECTORY_ENTRY = 1024  # bytes of the central directory per entry, names included
RATIO_FLOOR = MB  # parts smaller than this cannot be bombs whatever their ratio
# What zipfile and zlib raise on a damaged archive.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, struct.error)


def unreadable() -> TableError:
    """The error for a file that is damaged or not an XLSX workbook at all."""
    return TableError(_("The file is not a readable XLSX spreadsheet."))


class Archive:
    """An XLSX zip whose directory and declared sizes were checked before anything is inflated.

    Raises TableError if the archive is damaged, encrypted, too large or packed like a bomb.
    """

    def __init__(self, file: IO[bytes], limits: TableLimits) -> None:
        self.limits = limits
        _check_directory(file, limits)
        try:
            self.zip = zipfile.ZipFile(file)
            infos = self.zip.infolist()
        except ZIP_ERRORS as error:
            raise unreadable() from error
        self.names = {info.filename for info in infos}
        for info in infos:
            if info.flag_bits & 1:
                raise TableError(_("The file is protected by a password; save it without one and upload it again."))
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise unreadable()
            if info.file_size > RATIO_FLOOR and info.file_size > info.compress_size * limits.max_compression_ratio:
                raise TableError(
                    _(
                        "The file is packed far more tightly than a spreadsheet (a zip bomb?), so it was not "
                        "opened. Save it again from Excel as an .xlsx workbook."
                    )
                )
        if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
            raise TableError(
                _("The file unpacks to more than %(limit)d MB. Split it into smaller files.")
                % {"limit": limits.max_uncompressed_bytes // MB}
            )

    def chunks(self, name: str, *, max_bytes: int, too_large: Callable[[], TableError] = unreadable) -> Iterator[bytes]:
        """The inflated bytes of a part, refused if it declares or turns out to be larger than allowed."""
        try:
            info = self.zip.getinfo(name)
        except KeyError as error:
            raise unreadable() from error
        if info.file_size > max_bytes:
            raise too_large()
        return self._inflate(info)

    def _inflate(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        read = 0
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(CHUNK):
                    read += len(chunk)
                    if read > info.file_size:  # more than declared: zipfile stops itself, this says so
                        raise unreadable()
                    yield chunk
        except ZIP_ERRORS as error:
            raise unreadable() from error

    def part_exists(self, name: str) -> bool:
        return name in self.names


def _check_directory(file: IO[bytes], limits: TableLimits) -> None:
    """Refuse archives with too many entries or a zip64 directory before zipfile loads the directory."""
    file.seek(0, 2)
    size = file.tell()
    tail_size = min(size, 22 + 0xFFFF)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    file.seek(0)
    at = tail.rfind(END_RECORD)  # as zipfile finds it
    if at < 0 or at + 22 > len(tail):
        raise unreadable()
    _disks, _start, here, entries, directory_size, _offset, _comment = struct.unpack_from("<4H2LH", tail, at + 4)
    if max(here, entries) > limits.max_entries or directory_size > limits.max_entries * MAX_DIRECTORY_ENTRY:
        raise TableError(
            _("The file holds more than %(limit)d parts, which no spreadsheet needs. Save it again from Excel.")
            % {"limit": limits.max_entries}
        )
    if at >= 20 and tail[at - 20 : at - 16] == ZIP64_LOCATOR:
        raise unreadable()  # zip64 is for archives of gigabytes
