"""``make demo``: the main job, headless, on the embedded default store."""

from __future__ import annotations

from importlib import resources

from wfbench.model import read_document
from wfbench.validation import validate


def main() -> None:
    samples = resources.files("wfbench") / "samples"
    for name in ("onboard_new_hire.json", "offboard_contractor.json"):
        doc, _ = read_document(samples.joinpath(name).read_text(encoding="utf-8"))
        report = validate(doc)
        verdict = "valid" if report.valid else "INVALID"
        print(f"{name}: {verdict}; narrowest role {report.narrowest_role}")
        for issue in report.issues:
            print("  " + issue.describe())


if __name__ == "__main__":
    main()
