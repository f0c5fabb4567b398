"""Issue 19.11 (export_history): one-line errors, URLs refused.

Before: a file path, a dangling link or a NUL raised raw OS errors, and ``s3://…`` was
taken for a local folder (a folder named ``s3:`` was made).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wfbench import Workbench
from wfbench.errors import UsageError


@pytest.mark.parametrize("kind", ["file", "dangling link", "nul", "s3 url", "gs url"])
def test_bad_export_targets_are_one_line_usage_errors(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    wb = Workbench(str(tmp_path / "store.duckdb"))
    target = {
        "file": tmp_path / "a_file",
        "dangling link": tmp_path / "dangling",
        "nul": str(tmp_path / "bad\x00name"),
        "s3 url": "s3://bucket/history",
        "gs url": "gs://bucket/history",
    }[kind]
    if kind == "file":
        Path(target).write_text("x")
    if kind == "dangling link":
        Path(target).symlink_to(tmp_path / "nowhere")
    with pytest.raises(UsageError) as caught:
        wb.runs.export(target)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "s3:").exists() and not (tmp_path / "gs:").exists()
