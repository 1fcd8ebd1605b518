"""Value labels as files give them: codes, Vietnamese labels (base/labels.py) or a user's own.

Matching folds case, spaces and diacritics like headers do. A mapping's label may also be a
prefix ('Employee*') or a regular expression ('/^employee (rude|late)/') over the folded value.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from base.labels import VALUE_LABELS
from pipelines.ingest.headers import HeaderMapping, header_key, label_rule, pattern_regex


def label_frame(mapping: HeaderMapping | None = None) -> pd.DataFrame:
    """(field, label_key, code) rows for the staging join: codes, Vietnamese labels, user labels."""
    rows = []
    for field_name, labels in VALUE_LABELS.items():
        for code, vietnamese in labels.items():
            rows.append((field_name, header_key(code), code))
            rows.append((field_name, header_key(vietnamese), code))
    if mapping:
        for field_name, labels in mapping.values.items():
            for theirs, code in labels.items():
                kind, text = label_rule(theirs)
                if kind == "exact":
                    rows.append((field_name, text, code))
    frame = pd.DataFrame(rows, columns=["field", "label_key", "code"])
    # A user's label overrides a built-in one with the same key.
    return frame.drop_duplicates(["field", "label_key"], keep="last")


def pattern_frame(mapping: HeaderMapping | None = None) -> pa.Table:
    """(field, pattern, code, rank) rows: the mapping's prefix and regex labels as RE2
    patterns over the folded value, in the order written (the first that matches wins; an
    exact label wins over every pattern)."""
    rows: list[tuple[str, str, str, int]] = []
    for field_name, labels in (mapping.values if mapping else {}).items():
        for theirs, code in labels.items():
            kind, text = label_rule(theirs)
            if kind != "exact":
                rows.append((field_name, pattern_regex(kind, text), code, len(rows)))
    return pa.table(
        {
            "field": pa.array([r[0] for r in rows], pa.string()),
            "pattern": pa.array([r[1] for r in rows], pa.string()),
            "code": pa.array([r[2] for r in rows], pa.string()),
            "rank": pa.array([r[3] for r in rows], pa.int64()),
        }
    )
