"""Numbers in the reader's language: kept for old imports; the one formatting module is
:mod:`workshop.i18n.formats` (dates, times and numbers)."""

from __future__ import annotations

from workshop.i18n.formats import LOCALES, decimal, number, percent

__all__ = ["LOCALES", "decimal", "number", "percent"]
