"""User strings (labels, names, design values) made inert for each output format.

A label is text the user chose; in a report it must read as that text, never as markup:
not as HTML or Markdown in ``summary.md``, not as a formula when ``runs.csv`` is opened
in a spreadsheet, not as a link in a Plotly hover box. Each writer calls the function
for its format at the point where it writes the string.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

# Markdown's inline markup characters; "_" only where it can start or end emphasis.
_MARKDOWN = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def markdown_text(value: Any) -> str:
    """``value`` as literal text on one line of Markdown (a heading, a table cell)."""
    text = " ".join(str(value).split())  # a newline would end the table row
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def _looks_like_formula(text: str) -> bool:
    # A leading quote is itself quoted when what follows needs quoting, so reading back
    # is exact: "=x" <-> "'=x", "'=x" <-> "''=x", "'a" stays "'a".
    return text.startswith(_FORMULA_START) or (
        text.startswith("'") and _looks_like_formula(text[1:])
    )


def csv_text(value: Any) -> Any:
    """A string cell a spreadsheet would run as a formula, quoted with a leading ``'``."""
    if isinstance(value, str) and _looks_like_formula(value):
        return "'" + value
    return value


def csv_plain(value: Any) -> Any:
    """The inverse of :func:`csv_text`, for reading dsegym's own CSV files back."""
    if isinstance(value, str) and value.startswith("'") and _looks_like_formula(value[1:]):
        return value[1:]
    return value


def _map_text(df: pd.DataFrame, fn: Any) -> pd.DataFrame:
    text_columns = [
        c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])
    ]
    if not text_columns:
        return df
    out = df.copy()
    for c in text_columns:
        out[c] = out[c].map(fn)
    return out


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every string cell passed through :func:`csv_text` (numbers untouched)."""
    return _map_text(df, csv_text)


def read_csv(path: Any) -> pd.DataFrame:
    """A CSV file written through :func:`csv_safe`, with the user's strings as they were."""
    return _map_text(pd.read_csv(path), csv_plain)


def plotly_text(value: Any) -> str:
    """``value`` for Plotly text (legend names, hover boxes), which renders some HTML tags."""
    return html.escape(str(value))
