"""Hostile XLSX files built in code (zipfile + raw XML), for tests/test_input_hostile.py and
bench/hostile_files.py: the audit's list (issue 10, finding 1)."""

from __future__ import annotations

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEETML}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEETML}.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""


def workbook(sheet_data: str | bytes, dimension: str | None = None, shared: str | bytes | None = None,
             prologue: str = "", compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An XLSX whose first sheet holds ``sheet_data`` (the ``<row>`` elements) as written."""
    body = sheet_data.encode() if isinstance(sheet_data, str) else sheet_data
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet xmlns="{MAIN}">{dim}<sheetData>'.encode()
             + body + b"</sheetData></worksheet>")
    strings = shared if shared is not None else f'<sst xmlns="{MAIN}" count="0" uniqueCount="0"></sst>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", strings)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def header_row(*names: str) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{n}</t></is></c>' for i, n in enumerate(names))
    return f'<row r="1">{cells}</row>'


def far_right_cells(rows: int = 5_000) -> bytes:
    """The audit's 30 KB file: a header ``month`` and ``rows`` rows each with one cell in column XFD."""
    body = header_row("month") + "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, rows + 2))
    return workbook(body)


def full_width_row() -> bytes:
    """One row of 16,384 cells (every column Excel has)."""
    return workbook(header_row("month") + '<row r="2">' + "<c><v>1</v></c>" * 16_384 + "</row>")


def declared_dimension() -> bytes:
    """A small sheet declaring it spans A1:XFD5000."""
    return workbook(header_row("month", "radio") + '<row r="2"><c r="A2"><v>1</v></c></row>', dimension="A1:XFD5000")


def zip_bomb(megabytes: int = 50) -> bytes:
    """A sheet of ``megabytes`` MB of one repeated character: a few dozen KB packed."""
    return workbook(b"0" * (megabytes * 1_000_000))


def ratio_bomb() -> bytes:
    """Under the unpacked cap of the CLI's limits, but 30 MB packed at a ratio near 1,000."""
    return workbook(b"<row/>" * 5_000_000)


LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY a "lollollollollollollollollollol">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>")


def billion_laughs() -> bytes:
    """Nested entities that expand to 3 GB of text if resolved."""
    return workbook(header_row("month") + '<row r="2"><c r="A2" t="inlineStr"><is><t>&j;</t></is></c></row>',
                    prologue=LAUGHS)


def external_entity() -> bytes:
    """XXE: a cell whose text would be the server's /etc/passwd."""
    return workbook(header_row("month") + '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
                    prologue='<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


def huge_shared_strings(megabytes: int = 25) -> bytes:
    """A shared-string table of ``megabytes`` MB (openpyxl loads it whole before any cell)."""
    count = megabytes * 1_000_000 // 40
    items = "".join(f"<si><t>string number {i:012d}</t></si>" for i in range(count))
    table = f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'
    return workbook(header_row("month"), shared=table)


def bzip2_parts() -> bytes:
    """A valid workbook whose parts use a compression Excel never writes (and that packs far tighter)."""
    return workbook(header_row("month", "radio"), compression=zipfile.ZIP_BZIP2)


HOSTILE = {
    "far-right cells (XFD, 5,000 rows)": far_right_cells,
    "16,384 columns in a row": full_width_row,
    "declared dimension A1:XFD5000": declared_dimension,
    "zip bomb (50 MB of zeros)": zip_bomb,
    "ratio bomb (30 MB, ~1000x)": ratio_bomb,
    "billion laughs": billion_laughs,
    "external entity (XXE)": external_entity,
    "huge shared strings (25 MB)": huge_shared_strings,
    "bzip2-compressed parts": bzip2_parts,
}
