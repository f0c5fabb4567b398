"""A batch's inputs as plain rows: a DataFrame's rows (missing cells are absent fields, not
NaN; numpy scalars unwrapped) or a list of dicts, every bad row named at once."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from wfbench.errors import UsageError

__all__ = ["normalise_inputs"]


def _plain(value: Any) -> Any:
    """A cell as JSON-ready Python: numpy scalars unwrapped, timestamps as ISO text."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, list | dict | str):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def normalise_inputs(inputs: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """``(labels, inputs)``: a DataFrame's rows (missing cells are absent fields, not NaN)
    or a list of dicts; refuses anything else, naming every bad row at once."""
    if isinstance(inputs, pd.DataFrame):
        bad = [str(c) for c in inputs.columns if not isinstance(c, str)]
        if bad:
            raise UsageError(f"input columns must be field names (text); got {', '.join(bad)}")
        rows = [
            {str(k): _plain(v) for k, v in rec.items() if not _missing(v)}
            # a column of whole numbers with gaps stays whole (not 1.0 with NaN)
            for rec in inputs.convert_dtypes().to_dict(orient="records")
        ]
        return list(inputs.index), rows
    if isinstance(inputs, Mapping) or not isinstance(inputs, Iterable):
        raise UsageError("inputs must be a DataFrame or a list of dicts (one run each)")
    rows = list(inputs)
    bad = [str(i) for i, r in enumerate(rows) if not isinstance(r, Mapping)]
    if bad:
        raise UsageError(
            f"inputs must be dicts (one run each); row(s) {', '.join(bad[:10])} are not"
        )
    return list(range(len(rows))), [{str(k): v for k, v in r.items()} for r in rows]
