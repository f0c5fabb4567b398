"""``make demo``'s job, run twice on one fresh store as a new user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_samples_and_prints_the_history(tmp_path: Path) -> None:
    env = {**os.environ, "WFBENCH_DB": str(tmp_path / "demo.duckdb")}
    for attempt in (1, 2):  # the second run finds the organisation already seeded
        proc = subprocess.run(
            [sys.executable, "-m", "wfbench.demo"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert ("demo organisation seeded" in proc.stdout) == (attempt == 1)
        if attempt == 1:
            assert "would suspend ada.lovelace@example.com" in proc.stdout
        assert "'status': 'suspended'" in proc.stdout
        assert "/email: 'not-an-email' is not a 'email'" in proc.stdout
        assert "Execution history" in proc.stdout
    assert proc.stdout.count(" rejected ") == 2
