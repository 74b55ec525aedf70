"""CSV and Excel files that a spreadsheet opens without running anything someone typed.

Every export that may end up in a spreadsheet writes through here (the summary's CSV zip and
workbook, the moderation log, the audit log): each cell goes through the one shared
``workshop.text.spreadsheet_cell``, and Excel cells holding text are written as text, never as
formulas (openpyxl otherwise makes a formula of any string that starts with "=").
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workshop.text import spreadsheet_cell

Rows = Iterable[Sequence[Any]]


def cell(value: Any) -> Any:
    """One value, ready for a cell: plain Python, empty for nothing, text neutralised."""
    if isinstance(value, str):
        return spreadsheet_cell(value)
    if hasattr(value, "item") and not isinstance(value, bytes):
        value = value.item()  # numpy and pandas scalars
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return spreadsheet_cell(value)


def csv_text(columns: Sequence[str], rows: Rows, *, lineterminator: str = "\r\n") -> str:
    """A header row and the rows as CSV; empty cells for nothing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([cell(name) for name in columns])
    for row in rows:
        writer.writerow(["" if (value := cell(raw)) is None else value for raw in row])
    return out.getvalue()


def _excel_row(sheet: Any, values: Iterable[Any], bold: Any = None) -> list[Any]:
    """A row for a write-only sheet: text as text cells (never formulas), numbers as numbers."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for raw in values:
        value = cell(raw)
        if isinstance(value, str):
            written = WriteOnlyCell(sheet, value=value)
            written.data_type = "s"  # openpyxl would make a formula of "=…"; text it stays
            if bold is not None:
                written.font = bold
            cells.append(written)
        else:
            cells.append(value)
    return cells


def xlsx_bytes(sheets: Mapping[str, tuple[Sequence[str], Rows]]) -> bytes:
    """One workbook, one sheet per entry (name → header and rows); headers in bold.

    Numbers stay numbers; text is always a text cell (``data_type "s"``), so no cell is ever a
    formula, whatever it says.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (columns, rows) in sheets.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(_excel_row(sheet, columns, bold))
        for row in rows:
            sheet.append(_excel_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- a workbook people read ---------------------------------------------------------------------

#: Column kinds of a readable workbook: how a cell is written and how wide its column starts.
TEXT, LONG_TEXT, NUMBER, PERCENT, DATE, DATETIME = (
    "text",
    "long_text",
    "number",
    "percent",
    "date",
    "datetime",
)
_MAX_WIDTH = {TEXT: 40, LONG_TEXT: 60, NUMBER: 14, PERCENT: 12, DATE: 12, DATETIME: 17}


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


@dataclass(frozen=True)
class Sheet:
    """One sheet of a readable workbook: a title, labelled columns and rows of plain values
    (``datetime.date``/``datetime`` for dates, numbers for numbers, text for text)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]


def readable_xlsx_bytes(
    sheets: Sequence[Sheet], *, date_format: str, datetime_format: str, percent_format: str = "0%"
) -> bytes:
    """A workbook for reading: bold frozen header, columns as wide as their text (long text
    wraps), dates as date cells in ``date_format`` (Excel codes, e.g. ``dd.mm.yyyy``), shares as
    percentages. Text is always a text cell, never a formula, whatever it says."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        for index, column in enumerate(spec.columns, 1):
            written = sheet.cell(row=1, column=index, value=cell(column.label))
            written.data_type = "s"
            written.font = bold
            written.alignment = wrap
        widths = [max(8, len(column.label) + 2) for column in spec.columns]
        for row_number, row in enumerate(spec.rows, 2):
            for index, (column, raw) in enumerate(zip(spec.columns, row, strict=True), 1):
                value = raw if column.kind in (DATE, DATETIME) else cell(raw)
                written = sheet.cell(row=row_number, column=index, value=value)
                if isinstance(value, str):
                    written.data_type = "s"  # never a formula
                    longest = max((len(line) for line in value.splitlines()), default=0)
                    widths[index - 1] = max(widths[index - 1], longest + 2)
                elif value is not None:
                    widths[index - 1] = max(widths[index - 1], _MAX_WIDTH[column.kind])
                if column.kind == DATE:
                    written.number_format = date_format
                elif column.kind == DATETIME:
                    written.number_format = datetime_format
                elif column.kind == PERCENT:
                    written.number_format = percent_format
                written.alignment = wrap if column.kind in (TEXT, LONG_TEXT) else top
        for index, column in enumerate(spec.columns, 1):
            limit = max(_MAX_WIDTH[column.kind], len(column.label) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = min(widths[index - 1], limit)
        sheet.freeze_panes = "A2"
        if spec.columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{len(spec.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
