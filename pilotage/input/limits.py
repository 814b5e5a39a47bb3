"""Size caps of the files the product reads: what a file may hold before it is refused.

Checked before or while reading (bytes on disk, the XLSX archive's declared unpacked sizes, the
header's width, every cell reference while streaming), never after the whole file is in memory.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # the file as given
    max_rows: int  # data rows (the header excluded)
    max_columns: int
    max_unpacked_bytes: int  # an XLSX: the sum of its parts' declared sizes once unzipped
    max_ratio: int = 200  # an XLSX part: unpacked / packed, for parts over RATIO_FLOOR bytes

    @property
    def max_megabytes(self) -> int:
        return max(1, self.max_bytes // 1_000_000)


RATIO_FLOOR = 1_000_000  # small parts may compress very well (a sheet of zeros); only big ones are bombs

# Files a data team loads with the CLI: a few million rows; OxCGRT-like files have a column per day.
FILES = Limits(max_bytes=4_000_000_000, max_rows=50_000_000, max_columns=5_000,
               max_unpacked_bytes=8_000_000_000)

# A plan uploaded in the app: months x channels, a few hundred cells.
UPLOADS = Limits(max_bytes=2_000_000, max_rows=5_000, max_columns=200, max_unpacked_bytes=20_000_000)
