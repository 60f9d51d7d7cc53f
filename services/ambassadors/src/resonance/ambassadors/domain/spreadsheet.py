"""Cells a spreadsheet would not run (pure): CSV/formula injection (OWASP)."""

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: str) -> str:
    """`value`, prefixed with a quote when a spreadsheet would evaluate it; the quote is what
    spreadsheets themselves use to mark a cell as text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
