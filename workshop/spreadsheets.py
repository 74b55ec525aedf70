"""CSV and Excel files that a spreadsheet opens without running anything someone typed.

Every export that may end up in a spreadsheet writes through here (the summary's CSV zip and
workbook, the moderation log, the audit log): each cell goes through the one shared
``workshop.text.spreadsheet_cell``, and Excel cells holding text are written as text, never as
formulas (openpyxl otherwise makes a formula of any string that starts with "="); there the
text stays as typed, marked with Excel's quote prefix where it would run (:func:`excel_cell`).
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


def csv_text(
    columns: Sequence[str], rows: Rows, *, lineterminator: str = "\r\n", delimiter: str = ","
) -> str:
    """A header row and the rows as CSV; empty cells for nothing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator, delimiter=delimiter)
    writer.writerow([cell(name) for name in columns])
    for row in rows:
        writer.writerow(["" if (value := cell(raw)) is None else value for raw in row])
    return out.getvalue()


def reader_csv(lang: str, columns: Sequence[str], rows: Rows) -> str:
    """A CSV for a person to open in a spreadsheet in ``lang``: a UTF-8 byte-order mark (so
    that Excel reads æ, ø and å as such, not "Ã¦") and the fields split as the reader's
    spreadsheet splits them (";" in Danish and Norwegian Excel, where "," is the decimal
    sign). A machine's CSV (raw data, ``samskab export-audit``) keeps plain commas."""
    from workshop.i18n import formats

    return "\ufeff" + csv_text(columns, rows, delimiter=formats.list_separator(lang))


def excel_cell(raw: Any) -> tuple[Any, bool]:
    """One value for an Excel cell, and whether the cell needs Excel's quote prefix.

    An Excel text cell is never a formula, so text is kept as typed (a CSV cannot say "text",
    and there the apostrophe stays). Text a spreadsheet would run is marked as Excel marks text
    typed after an apostrophe (``quotePrefix``): shown as typed, without the apostrophe the
    council read in front of a citizen's words, and still text when someone edits the cell."""
    value = cell(raw)
    if isinstance(raw, str) and value != raw:
        return raw, True
    return value, False


def _text(written: Any, quote: bool) -> None:
    written.data_type = "s"  # openpyxl would make a formula of "=…"; text it stays
    if quote:
        written.quotePrefix = True


def _excel_row(sheet: Any, values: Iterable[Any], bold: Any = None) -> list[Any]:
    """A row for a write-only sheet: text as text cells (never formulas), numbers as numbers."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for raw in values:
        value, quote = excel_cell(raw)
        if isinstance(value, str):
            written = WriteOnlyCell(sheet, value=value)
            _text(written, quote)
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


def _text_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapping cell ``width`` characters wide (a generous estimate,
    so that a row is never too low to show all of its text)."""
    per_line = max(1, int(width * 0.9) - 1)
    return sum(max(1, math.ceil(len(line) / per_line)) for line in text.splitlines() or [""])


def readable_xlsx_bytes(
    sheets: Sequence[Sheet], *, date_format: str, datetime_format: str, percent_format: str = "0%"
) -> bytes:
    """A workbook for reading: bold frozen header, columns as wide as their text (long text
    wraps, and each row is tall enough for all of it), dates as date cells in ``date_format``
    (Excel codes, e.g. ``dd.mm.yyyy``), shares as percentages; printed landscape, one page wide,
    the header on every page. Text is always a text cell, never a formula, whatever it says."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    formats = {DATE: date_format, DATETIME: datetime_format, PERCENT: percent_format}
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        cells = [
            [
                (raw, False) if column.kind in (DATE, DATETIME) else excel_cell(raw)
                for column, raw in zip(spec.columns, row, strict=True)
            ]
            for row in spec.rows
        ]
        rows = [[value for value, _ in row] for row in cells]
        widths: list[float] = []
        for index, column in enumerate(spec.columns):
            needed = len(column.label) + 2
            for row in rows:
                value = row[index]
                if isinstance(value, str):
                    longest = max((len(line) for line in value.splitlines()), default=0)
                    needed = max(needed, longest + 2)
                elif value is not None:
                    needed = max(needed, _MAX_WIDTH[column.kind])
            limit = max(_MAX_WIDTH[column.kind], min(len(column.label) + 2, 30))
            widths.append(max(8, min(needed, limit)))
        header_lines = max(
            (_text_lines(c.label, w) for c, w in zip(spec.columns, widths, strict=True)),
            default=1,
        )
        for index, column in enumerate(spec.columns, 1):
            label, quote = excel_cell(column.label)
            written = sheet.cell(row=1, column=index, value=label)
            _text(written, quote)
            written.font = bold
            written.alignment = wrap
            sheet.column_dimensions[get_column_letter(index)].width = widths[index - 1]
        sheet.row_dimensions[1].height = 15 * header_lines
        for row_number, row in enumerate(cells, 2):
            lines = 1
            for index, (column, (value, quote)) in enumerate(
                zip(spec.columns, row, strict=True), 1
            ):
                written = sheet.cell(row=row_number, column=index, value=value)
                if isinstance(value, str):
                    _text(written, quote)  # never a formula
                    lines = max(lines, _text_lines(value, widths[index - 1]))
                if column.kind in formats:
                    written.number_format = formats[column.kind]
                written.alignment = wrap if column.kind in (TEXT, LONG_TEXT) else top
            sheet.row_dimensions[row_number].height = 15 * lines
        sheet.freeze_panes = "A2"
        # Printed: landscape, as wide as the paper, the header on every page.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.print_title_rows = "1:1"
        if spec.columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{len(rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
