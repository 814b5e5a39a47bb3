"""Dates and numbers typed column by column: how a column writes them is decided once, from all its values.

Reading a cell alone cannot tell ``2/1/2018`` (1 February or 2 January?) nor ``1,234`` (one thousand
two hundred and thirty-four, or 1.234?). Guessing per cell silently swaps days and months or scales
amounts by a thousand, so the convention is a property of the column in the file:

Dates (``date_order``: ``dmy``, ``mdy``, ``ymd``)
    ISO dates (``2024-03-31``, with or without a time), year-first dates (``2024/03/31``), ``31Mar2024``
    and Excel serial numbers are unambiguous. For year-last dates (``31/03/2024``, ``03-31-2024 14:30``,
    ``31.03.2024``, zero padding optional), a value whose first part is above 12 proves day/month
    (``dmy``), one whose second part is above 12 proves month/day (``mdy``). Otherwise the order given by
    the caller (``--date-order``, the mapping file) decides; without one the file is refused
    (:class:`InputError` naming the column and two example values), as it is when the values prove
    both orders. A given order always wins over the values: the cells that do not fit it are rejected
    one by one, with the order in the reason.

Numbers (``decimal``: ``point`` or ``comma``)
    Spaces (also non-breaking), currency signs and ``%`` are ignored. The decimal mark is proved by a
    value with both marks (the last one is the decimal: ``1.234,5``, ``1,234.5``), a mark repeated
    (``12,345,678``: the other one is the decimal), or a single mark that cannot group thousands: not
    followed by exactly three digits (``1,5``, ``12.25``), or after more than three digits or a lone
    zero (``1234,567``, ``0.125``). A column whose only marks are single ones followed by three digits
    after one to three digits (``1,234``, ``2.500``) is ambiguous: the caller's ``decimal`` decides,
    else the file is refused, as it is when its values prove both marks. Plain integers need no
    decision. Once decided, a thousands mark must group digits by three (``1,23,4`` is rejected).

Everything is vectorised (pandas): the decisions read the column's distinct values, the parsing is
one pass per spelling, so a million cells take well under a second per column. Babel's
``parse_decimal`` works one string at a time and would take seconds per column; pandas'
``to_datetime`` (with the decided format) and ``to_numeric`` do the parsing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import partial

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pilotage.input.errors import InputError

DATE_ORDERS = ("dmy", "mdy", "ymd")
DECIMALS = {"point": ".", "comma": ","}

# Spellings per order: the first unparsed cell's spelling is found among them, then applied to the
# whole rest of the column at once (trying every spelling on every cell would cost seconds per million).
YEAR_FIRST = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m")
ORDER_FORMATS = {
    "dmy": ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"),
    "mdy": ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"),
    "ymd": (),
}
ANY_ORDER = ("%d%b%Y",)  # 31Mar2024: the month is a word
TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S", " %H:%M:%S.%f", "T%H:%M:%S.%f")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIAL_RANGE = (1, 2958465)  # 1900-01-01 .. 9999-12-31
MAX_SPELLINGS = 12  # distinct spellings looked for in one column before giving up

YEAR_LAST = r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-][0-9]{4}"
ORDER_NAMES = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}
DECIMAL_HINT = "give --decimal point|comma (or decimal in the mapping file)"
REWRITE_HINT = "write its amounts with a decimal mark that cannot be a thousands separator (1234.50 or 1234,50)"
IGNORED_IN_NUMBERS = "[ \t\u00a0\u202f€$£%]"  # real characters, not escapes: RE2 (pyarrow) runs it


@dataclass(frozen=True)
class Conventions:
    """How a file writes dates and numbers, when its values alone cannot tell: for the whole file
    (``date_order``, ``decimal``) and per column (``date_orders``, ``decimals``, which win)."""

    date_order: str | None = None
    decimal: str | None = None
    date_orders: dict[str, str] = field(default_factory=dict)
    decimals: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for order in (self.date_order, *self.date_orders.values()):
            if order is not None and order not in DATE_ORDERS:
                raise ValueError(f"date order {order!r}: expected one of {', '.join(DATE_ORDERS)}")
        for mark in (self.decimal, *self.decimals.values()):
            if mark is not None and mark not in DECIMALS:
                raise ValueError(f"decimal {mark!r}: expected one of {', '.join(DECIMALS)}")

    def order_for(self, column: str) -> str | None:
        return self.date_orders.get(column, self.date_order)

    def decimal_for(self, column: str) -> str | None:
        return self.decimals.get(column, self.decimal)


def _examples(values, count: int = 2) -> str:
    return " and ".join(repr(v) for v in list(values)[:count])


# --- dates ------------------------------------------------------------------------------------------

def date_order(text: pd.Series, given: str | None = None, *, file: str = "", column: str = "") -> str | None:
    """The column's date order: ``given`` if any, else the one its values prove; ``None`` when no value
    needs one (ISO, year-first, serials). Raises :class:`InputError` when the values cannot decide."""
    if given is not None:
        return given
    heads = pd.Series(pd.unique(text.astype(str).str.strip().str.slice(0, 10)), dtype=str)
    parts = heads.str.extract(YEAR_LAST).dropna()
    if parts.empty:
        return None
    first, second = parts[0].astype(int), parts[1].astype(int)
    day_first = (first > 12) & (second <= 12)
    month_first = (second > 12) & (first <= 12)
    if day_first.any() and month_first.any():
        examples = [heads[day_first[day_first].index[0]], heads[month_first[month_first].index[0]]]
        raise InputError(file, "one date order per column, but its values mix day/month/year and "
                               f"month/day/year ({_examples(examples)})", column=column, value=examples[0],
                         code="input.date_order_mixed", params={"examples": examples})
    if day_first.any():
        return "dmy"
    if month_first.any():
        return "mdy"
    examples = heads[parts.index].tolist()
    raise InputError(file, f"one reading of its dates, but {_examples(examples)} fit both day/month/year and "
                           "month/day/year; give --date-order dmy|mdy (or date_order in the mapping file)",
                     column=column, value=examples[0], code="input.date_order_ambiguous",
                     params={"examples": examples[:2]})


def _by_distinct(text: pd.Series, parse) -> pd.Series:
    """``parse`` run on the distinct values only, spread back to every cell: a column holds far fewer
    distinct dates or amounts than cells (pandas' own cache does not serve pyarrow strings)."""
    codes, distinct = pd.factorize(text)
    parsed = parse(pd.Series(distinct, dtype=text.dtype))
    return pd.Series(parsed.to_numpy()[codes], index=text.index)


def _format_of(sample: str, formats: list[str]) -> str | None:
    for candidate in formats:
        try:
            dt.datetime.strptime(sample, candidate)
            return candidate
        except ValueError:
            continue
    return None


def _excel_serials(text: pd.Series) -> pd.Series:
    """Excel serial day numbers, with a fractional part for the time of day."""
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    days = numbers[numbers.between(*EXCEL_SERIAL_RANGE)]
    return (EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[us]")


def iso_dates(text: pd.Series) -> pd.Series | None:
    """The dates of a column of stripped text whose every cell is empty (NaT) or an ISO 8601 date or
    timestamp without a zone, as most exports write them; None for any other column. pyarrow's cast
    reads such a column ten times faster than pandas, to the same values: it accepts a subset of
    what :func:`parse_dates` reads as ISO (no zone, at most six decimals, valid days and times) and
    refuses the whole column for any other cell, which the rules of :func:`parse_dates` then read."""
    cells = pa.array(text)
    empty = pc.equal(cells, "")
    if pc.any(empty).as_py():
        cells = pc.if_else(empty, pa.scalar(None, cells.type), cells)
    try:
        stamps = pc.cast(cells, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    # to_numpy has made the one copy (NaT for the nulls): the Series takes it as it is.
    return pd.Series(stamps.to_numpy(zero_copy_only=False), index=text.index, dtype="datetime64[us]", copy=False)


def parse_dates(text: pd.Series, order: str | None = None, *, file: str = "", column: str = "") -> pd.Series:
    """Dates (with their time, if written) of a column of text; NaT where a cell fits no spelling of
    the column's order. ``order`` is the caller's (see :func:`date_order` for when it is needed)."""
    text = text.astype(str).str.strip()
    iso = iso_dates(text)
    if iso is not None:
        return iso
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    todo = text != ""
    if not todo.any():
        return result
    order = date_order(text[todo], order, file=file, column=column)
    iso = todo & text.str.match("[0-9]{4}-[0-9][0-9]-[0-9][0-9]")
    if iso.any():
        # pandas' ISO parser is compiled and fast: parsing a value costs less than finding it among the
        # distinct ones (timestamps to the second are mostly distinct anyway).
        parsed = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
        hit = parsed[parsed.notna()]
        result[hit.index] = hit.astype("datetime64[us]")
        todo[hit.index] = False
    formats = [f + suffix for f in (*YEAR_FIRST, *ORDER_FORMATS.get(order or "ymd", ()), *ANY_ORDER)
               for suffix in TIME_SUFFIXES]
    for _attempt in range(MAX_SPELLINGS):
        if not todo.any():
            break
        sample = text[todo].iloc[0]
        spelling = _format_of(sample, formats)
        if spelling is None:
            serial = _excel_serials(text[todo])
            result[serial.index] = serial
            todo[serial.index] = False
            todo &= text != sample  # the sample is no date of this column: leave it (and its twins) NaT
            continue
        parsed = _by_distinct(text[todo], partial(pd.to_datetime, format=spelling, errors="coerce"))
        hit = parsed[parsed.notna()]
        result[hit.index] = hit.astype("datetime64[us]")
        todo[hit.index] = False
    return result


def date_expected(order: str | None, with_time: bool = False) -> str:
    """What a cell of a date column must look like, for a rejected row's reason."""
    what = "a date and time" if with_time else "a date"
    if order in ("dmy", "mdy"):
        written = "DD/MM/YYYY" if order == "dmy" else "MM/DD/YYYY"
        return f"{what} ({ORDER_NAMES[order]} as in this column: {written}, YYYY-MM-DD or an Excel serial number)"
    return f"{what} (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or an Excel serial number)"


# --- numbers ----------------------------------------------------------------------------------------

def _evidence(values: pd.Series, mark: str) -> pd.Series:
    """For each cleaned value, whether it proves ``mark`` to be the decimal mark. Regular expressions
    RE2 runs (``[0-9]``, no ``\\d`` or ``\\s``), so pandas' pyarrow strings do it without Python loops."""
    m, o = re.escape(mark), re.escape("," if mark == "." else ".")
    last_of_both = values.str.contains(f"{o}.*{m}[^{o}]*$")
    other_repeated = values.str.contains(f"^[^{m}]*{o}[^{m}]*{o}[^{m}]*$")
    single = values.str.fullmatch(f"[-+]?[0-9]*{m}[0-9]*")
    could_group = values.str.fullmatch(f"[-+]?[1-9][0-9]{{0,2}}{m}[0-9]{{3}}")
    return last_of_both | other_repeated | (single & ~could_group)


def decimal_mark(text: pd.Series, given: str | None = None, *, file: str = "", column: str = "",
                 hint: str = DECIMAL_HINT) -> str:
    """The column's decimal mark (``point`` or ``comma``): ``given`` if any, else the one its values
    prove; raises :class:`InputError` when they prove both or neither while some value needs one."""
    if given is not None:
        return given
    values = pd.Series(pd.unique(text.astype(str)), dtype=str).str.replace(IGNORED_IN_NUMBERS, "", regex=True)
    marked = values[values.str.contains(r"[.,]")]
    if marked.empty:
        return "point"
    point, comma = _evidence(marked, "."), _evidence(marked, ",")
    if point.any() and comma.any():
        examples = [marked[point].iloc[0], marked[comma].iloc[0]]
        raise InputError(file, f"one decimal mark per column, but its values use both ({_examples(examples)})",
                         column=column, value=examples[0], code="input.decimal_mixed",
                         params={"examples": examples})
    if point.any():
        return "point"
    if comma.any():
        return "comma"
    examples = marked.tolist()
    raise InputError(file, f"one reading of its numbers, but {_examples(examples)} fit both a thousands "
                           f"separator and a decimal mark; {hint}",
                     column=column, value=examples[0], code="input.decimal_ambiguous",
                     params={"examples": examples[:2]})


def parse_numbers(text: pd.Series, decimal: str | None = None, *, file: str = "", column: str = "",
                  hint: str = DECIMAL_HINT) -> pd.Series:
    """Floats of a column of text, its decimal mark decided by :func:`decimal_mark`; NaN where a cell
    is empty or no number (the caller tells those apart). ``hint`` ends the refusal's message: how
    the person can say which mark the file uses. Every step reads the column's distinct values: the
    mark is decided from them, and each cell's number depends on its text alone."""
    return _by_distinct(text.astype(str), partial(_distinct_numbers, decimal=decimal, file=file, column=column,
                                                  hint=hint))


def _distinct_numbers(text: pd.Series, decimal: str | None, *, file: str, column: str, hint: str) -> pd.Series:
    marked = text.str.contains("[.,]")
    mark = DECIMALS[decimal_mark(text[marked], decimal, file=file, column=column, hint=hint)] if marked.any() else "."
    if mark == ",":
        return _localised(text, ",")
    plain = pd.to_numeric(text, errors="coerce").astype(float)  # plain numbers
    rest = plain.isna() & (text.str.strip() != "")
    if rest.any():
        plain[rest] = _localised(text[rest], ".")
    return plain


def _localised(text: pd.Series, mark: str) -> pd.Series:
    group = "," if mark == "." else "."
    cleaned = text.str.replace(IGNORED_IN_NUMBERS, "", regex=True)
    grouped = cleaned.str.contains(group, regex=False)
    g, m = re.escape(group), re.escape(mark)
    pattern = f"[-+]?[0-9]{{1,3}}({g}[0-9]{{3}})+({m}[0-9]*)?"
    well_grouped = cleaned.str.fullmatch(pattern)
    cleaned = cleaned.str.replace(group, "", regex=False).str.replace(mark, ".", regex=False)
    return pd.to_numeric(cleaned.where(~grouped | well_grouped, None), errors="coerce").astype(float)
