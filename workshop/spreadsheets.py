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
