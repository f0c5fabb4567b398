"""A DataFrame column of JSON values, decoded when a value is read (issue 12, item 4).

``wb.runs()`` over a million runs spent half its time turning ``input``, ``output``
and ``reasons`` from JSON text into Python objects, most of which nobody reads.
:class:`JsonArray` keeps the text as DuckDB hands it over (an Arrow string array,
no copy) and decodes a value when it is read: ``frame.input[0]`` is a ``dict``,
iterating, ``tolist()``, ``apply``, ``astype(object)`` and ``to_json`` see
decoded values, a missing value is ``None``. Filtering, slicing and sorting the
frame move the text, never decode it. A value is decoded again on each read, so
change a copy (``dict(frame.input[0])``), not the cell.

Imported only by the readers that build frames (it needs pandas and pyarrow).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype
from pandas.api.indexers import check_array_indexer


@register_extension_dtype
class JsonDtype(ExtensionDtype):
    """The dtype of a :class:`JsonArray` column (shown as ``json``)."""

    name = "json"
    type = object
    kind = "O"
    na_value = None

    @classmethod
    def construct_array_type(cls) -> builtins.type[JsonArray]:
        return JsonArray


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class JsonArray(ExtensionArray):
    """JSON texts in an Arrow string array, decoded value by value when read.

    The texts stay in the chunks DuckDB handed over (a :class:`pyarrow.ChunkedArray`):
    joining a million rows' chunks into one array copied every text (issue 22)."""

    def __init__(self, texts: Any) -> None:
        if not isinstance(texts, pa.ChunkedArray):
            texts = pa.chunked_array([texts], type=texts.type)
        if not pa.types.is_string(texts.type) and not pa.types.is_large_string(texts.type):
            texts = texts.cast(pa.string())
        self._texts: pa.ChunkedArray = texts

    # ------------------------------------------------------------------ construction
    @classmethod
    def _from_sequence(
        cls, scalars: Sequence[Any], *, dtype: Any = None, copy: bool = False
    ) -> JsonArray:
        if isinstance(scalars, JsonArray):
            return scalars
        texts = [None if v is None else json.dumps(v, default=str) for v in scalars]
        return cls(pa.array(texts, pa.string()))

    @classmethod
    def _from_factorized(cls, values: np.ndarray, original: JsonArray) -> JsonArray:
        return cls(pa.array(list(values), pa.string()))

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[JsonArray]) -> JsonArray:
        if not to_concat:
            return cls(pa.array([], pa.string()))
        kind = (
            pa.large_string()
            if any(pa.types.is_large_string(a._texts.type) for a in to_concat)
            else pa.string()
        )
        chunks = [c.cast(kind) for a in to_concat for c in a._texts.chunks]
        return cls(pa.chunked_array(chunks, type=kind))

    # ------------------------------------------------------------------ reading
    @property
    def dtype(self) -> JsonDtype:
        return JsonDtype()

    @property
    def nbytes(self) -> int:
        return int(self._texts.nbytes)

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, int | np.integer):
            return _decode(self._texts[int(item)].as_py())
        if isinstance(item, slice):
            return JsonArray(self._texts[item])
        item = check_array_indexer(self, item)
        if item.dtype == bool:
            return JsonArray(self._texts.filter(pa.array(item)))
        return JsonArray(self._texts.take(pa.array(item)))

    def __iter__(self) -> Iterator[Any]:
        for text in self._texts.to_pylist():
            yield _decode(text)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        for i, value in enumerate(self):
            out[i] = value
        return out

    def texts(self) -> np.ndarray:
        """The stored JSON texts (``None`` where missing), undecoded."""
        return np.asarray(self._texts.to_pylist(), dtype=object)

    def isna(self) -> np.ndarray:
        return np.asarray(self._texts.is_null().to_numpy(zero_copy_only=False), dtype=bool)

    def take(self, indices: Any, *, allow_fill: bool = False, fill_value: Any = None) -> JsonArray:
        idx = np.asarray(indices, dtype=np.int64)
        if allow_fill:
            if fill_value is not None:
                raise ValueError("a JSON column fills missing rows with None only")
            return JsonArray(self._texts.take(pa.array(idx, mask=idx < 0)))
        idx = np.where(idx < 0, idx + len(self), idx)
        return JsonArray(self._texts.take(pa.array(idx)))

    def copy(self) -> JsonArray:
        return JsonArray(self._texts)  # Arrow arrays never change

    def map(self, mapper: Any, na_action: Any = None) -> Any:
        """``Series.map``/``apply`` see decoded values; the result is an ordinary column."""
        decoded = pd.Series(np.asarray(self, dtype=object), dtype=object)
        return decoded.map(mapper, na_action=na_action).to_numpy()

    def _explode(self) -> tuple[np.ndarray, np.ndarray]:
        """``Series.explode``: each decoded list's items on rows of their own (an empty list
        gives NaN, anything else stays one row), as for an object column."""
        values: list[Any] = []
        counts: list[int] = []
        for value in self:
            if isinstance(value, list):
                values.extend(value if value else [np.nan])
                counts.append(max(len(value), 1))
            else:
                values.append(value)
                counts.append(1)
        out = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            out[i] = value
        return out, np.asarray(counts, dtype=np.uint64)

    def _values_for_factorize(self) -> tuple[np.ndarray, Any]:
        return self.texts(), None

    def __eq__(self, other: object) -> Any:
        if isinstance(other, JsonArray):
            return np.asarray(self, dtype=object) == np.asarray(other, dtype=object)
        return np.array([value == other for value in self], dtype=bool)


def json_frame(table: Any, json_columns: frozenset[str]) -> pd.DataFrame:
    """An Arrow table as a DataFrame: JSON columns as :class:`JsonArray`, the history
    times (stored as UTC ``TIMESTAMP``) as ``datetime64[us, UTC]``.

    Column by column and without copies where Arrow allows (issue 22): text columns become
    pandas' Arrow-backed ``str`` (zero-copy when DuckDB hands over ``large_string``, as
    :func:`wfbench.store.history` asks it to), times are marked UTC in Arrow (a change of
    type, not of data) instead of being localised in pandas (a copy), and the frame is built
    in column order rather than reordered afterwards (another copy)."""
    columns: dict[str, pd.Series] = {}
    for name in table.column_names:
        column = table.column(name)
        if name in json_columns:
            columns[name] = pd.Series(JsonArray(column), copy=False)
            continue
        if pa.types.is_timestamp(column.type) and column.type.tz is None:
            column = column.cast(pa.timestamp(column.type.unit, tz="UTC"))
        columns[name] = column.to_pandas()
    return pd.DataFrame(columns, copy=False)
