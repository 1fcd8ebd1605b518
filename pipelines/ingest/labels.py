"""Value labels as files give them: codes, Vietnamese labels (base/labels.py) or a user's own.

Matching folds case, spaces and diacritics like headers do.
"""

from __future__ import annotations

import pandas as pd

from base.labels import VALUE_LABELS
from pipelines.ingest.headers import HeaderMapping, header_key


def label_frame(mapping: HeaderMapping | None = None) -> pd.DataFrame:
    """(field, label_key, code) rows for the staging join: codes, Vietnamese labels, user labels."""
    rows = []
    for field_name, labels in VALUE_LABELS.items():
        for code, vietnamese in labels.items():
            rows.append((field_name, header_key(code), code))
            rows.append((field_name, header_key(vietnamese), code))
    if mapping:
        for field_name, labels in mapping.values.items():
            rows.extend((field_name, header_key(theirs), code) for theirs, code in labels.items())
    frame = pd.DataFrame(rows, columns=["field", "label_key", "code"])
    # A user's label overrides a built-in one with the same key.
    return frame.drop_duplicates(["field", "label_key"], keep="last")
