"""History exported for other tools: runs and steps as Parquet, partitioned by workflow
and day (hive style: DuckDB, pandas, Dask and Spark read it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wfbench.errors import UsageError

__all__ = ["export_history"]


def _export_folder(path: str | Path) -> Path:
    """``path`` as a new or empty local folder, made if missing; :class:`UsageError` (one
    line) for a URL, a NUL, a file, a dangling link or a folder that cannot be made."""
    text = str(path)
    if "://" in text or text.startswith(("s3:", "gs:", "gcs:", "abfs:", "az:", "hdfs:")):
        raise UsageError(
            f"export_history writes to a local folder, not a URL ({text[:80]!r}); export "
            "to a folder here, then copy it (for example with your cloud's CLI)"
        )
    if "\x00" in text:
        raise UsageError("the export folder's path contains a NUL character; give a real path")
    root = Path(text)
    if root.is_symlink() and not root.exists():
        raise UsageError(f"{text} is a link to nothing; export to a new or empty folder")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{text} is a file, not a folder; export to a new or empty folder")
    try:
        if root.exists() and any(root.iterdir()):
            raise UsageError(f"{text} is not empty; export to a new or empty folder")
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot make the folder {text}: {exc.strerror or exc}") from None
    return root


def export_history(cur: Any, path: str | Path) -> dict[str, int]:
    """Write runs and steps under ``path`` as Parquet partitioned by workflow and day
    (``runs/workflow_part=<name>/day=<YYYY-MM-DD>/…``, ``steps/`` the same way); returns
    how many rows each got. Readable by DuckDB, pandas, Dask and Spark (hive partitions).
    """
    root = _export_folder(path)
    # Partition values are URL-safe names: a workflow name may hold '/' or spaces.
    part = "regexp_replace(r.workflow, '[^A-Za-z0-9._-]+', '_', 'g')"
    day = "strftime(r.started_at, '%Y-%m-%d')"
    counts = {}
    for table, query in (
        ("runs", f"SELECT r.*, {part} AS workflow_part, {day} AS day FROM runs r"),
        (
            "steps",
            f"SELECT s.*, {part} AS workflow_part, {day} AS day "
            "FROM steps s JOIN runs r USING (run_id)",
        ),
    ):
        target = str(root / table).replace("'", "''")
        counts[table] = int(cur.execute(f"SELECT count(*) FROM ({query})").fetchone()[0])
        if counts[table]:
            cur.execute(
                f"COPY ({query}) TO '{target}' "
                "(FORMAT parquet, PARTITION_BY (workflow_part, day), OVERWRITE_OR_IGNORE)"
            )
    return counts
