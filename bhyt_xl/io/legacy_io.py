"""Legacy-encoded (TCVN3 / VNI) text columns of a list read, converted to Unicode for the engine.

The conversion itself is :mod:`bhyt_xl.core.legacy`. Here it is applied to the
identity text columns of an :class:`~bhyt_xl.io.read.InputTable` before the
engine normalises them. The table as read is kept as it is (the input file is
never touched, and the result sheet shows the cells as written); the converted
text is shown next to it in new columns "<column> (Unicode)", and the columns
converted are reported.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from bhyt_xl.core.legacy import detect_legacy, legacy_candidates, report_text, to_unicode

#: The fields whose text is compared or shown by the engine (codes and dates are ASCII).
TEXT_FIELDS = ("full_name", "address", "sex", "male_mark", "female_mark")

UNICODE_SUFFIX = " (Unicode)"


@dataclasses.dataclass(frozen=True)
class LegacyReport:
    """The columns converted: column label -> encoding ("TCVN3" / "VNI"), and their converted values."""

    encodings: dict[str, str] = dataclasses.field(default_factory=dict)
    converted: dict[str, pd.Series] = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.encodings)

    def lines(self) -> list[str]:
        """One Vietnamese sentence per converted column."""
        return report_text(self.encodings)

    def shown_columns(self) -> pd.DataFrame:
        """The converted columns as they are added to the result sheet ("Họ và tên (Unicode)", …)."""
        return pd.DataFrame({f"{col}{UNICODE_SUFFIX}": values for col, values in self.converted.items()})


def unicode_table(table):
    """``(table for the engine, LegacyReport)``: legacy text columns of ``table`` converted to Unicode.

    Without a legacy column the same table object comes back (nothing copied).
    Detection is per column and by content (:func:`~bhyt_xl.core.legacy.detect_legacy`);
    conversion per value, so Unicode cells of a mixed column stay as they are.
    """
    labels = list(dict.fromkeys(table.columns[f] for f in TEXT_FIELDS if f in table.columns))
    encodings, converted = {}, {}
    for label in labels:
        values = table.data[label]
        if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
            continue
        candidates = legacy_candidates(values)
        encoding = detect_legacy(values[candidates]) if candidates.any() else None
        if encoding is None:
            continue
        encodings[label] = encoding
        converted[label] = to_unicode(values, encoding)
    if not encodings:
        return table, LegacyReport()
    data = table.data.assign(**{label: values for label, values in converted.items()})
    return dataclasses.replace(table, data=data), LegacyReport(encodings, converted)
