"""Hostile files (issue 10, finding 1): each refused with a clear message before it can hold a worker.

Each file is built in code (tests/hostile_xlsx.py). Times and memory are measured by
``bench/hostile_files.py``, not here.
"""

from __future__ import annotations

import pytest

from pilotage.input import FILES, UPLOADS, InputError, read_table
from pilotage.input.sandbox import read_upload
from tests import hostile_xlsx as hostile


def refusal(data: bytes, limits=UPLOADS) -> InputError:
    with pytest.raises(InputError) as caught:
        read_table(data, name="plan.xlsx", limits=limits)
    assert "plan.xlsx" in str(caught.value)
    return caught.value


def test_a_cell_in_column_xfd_is_refused_when_it_is_met():
    """The audit's 30 KB file held a worker 212 s: the cap was checked after openpyxl padded every row."""
    error = refusal(hostile.far_right_cells())
    assert (error.code, error.line, error.column) == ("input.too_many_columns", 2, "XFD")
    assert error.params == {"limit": 200} and "beyond the last column allowed (GR)" in str(error)


def test_a_row_of_16384_cells_is_refused_at_the_first_cell_past_the_cap():
    error = refusal(hostile.full_width_row())
    assert (error.code, error.line, error.column) == ("input.too_many_columns", 2, "GS")


def test_the_declared_dimension_is_checked_before_streaming():
    error = refusal(hostile.declared_dimension())
    assert error.code == "input.too_many_columns" and "declares 16,384 columns" in str(error)


def test_a_zip_bomb_is_refused_from_its_declared_sizes():
    error = refusal(hostile.zip_bomb())
    assert error.code == "input.unpacked_too_large" and "unpacks to 50 MB, more than the 20 MB allowed" in str(error)


def test_a_part_packed_a_thousand_times_is_refused_even_under_the_cli_caps():
    error = refusal(hostile.ratio_bomb(), limits=FILES)
    assert error.code == "input.zip_ratio" and "xl/worksheets/sheet1.xml" in str(error)


@pytest.mark.parametrize("build", [hostile.billion_laughs, hostile.external_entity])
def test_entities_are_refused(build):
    error = refusal(build(), limits=FILES)
    assert error.code == "input.xml_forbidden" and "entities" in str(error)


def test_a_huge_shared_string_table_is_refused_before_it_is_loaded():
    assert refusal(hostile.huge_shared_strings()).code == "input.unpacked_too_large"


def test_parts_in_a_compression_excel_never_writes_are_refused():
    assert "compression Excel does not write" in str(refusal(hostile.bzip2_parts(), limits=FILES))


def test_the_upload_sandbox_refuses_the_same_files_with_the_same_fields():
    with pytest.raises(InputError) as caught:
        read_upload(hostile.far_right_cells(), "plan.xlsx")
    assert (caught.value.code, caught.value.line, caught.value.column) == ("input.too_many_columns", 2, "XFD")


def test_the_upload_sandbox_bounds_time_and_memory():
    good = hostile.workbook(hostile.header_row("month", "radio") + '<row r="2"><c r="A2"><v>1</v></c></row>')
    assert read_upload(good, "plan.xlsx").frame.to_dict("records") == [{"_line": 2, "month": "1", "radio": ""}]
    with pytest.raises(InputError) as slow:
        read_upload(good, "plan.xlsx", seconds=0.001)
    assert slow.value.code == "input.too_slow"
    with pytest.raises(InputError) as costly:
        read_upload(good, "plan.xlsx", memory_mb=20)  # the child cannot even start its interpreter in 20 MB
    assert costly.value.code == "input.too_costly"
