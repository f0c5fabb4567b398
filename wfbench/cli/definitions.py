"""Commands on definitions and the catalogue: validate, schema, roles, actions, init,
import, export, list, enable/disable. Each goes through the :class:`Workbench` façade,
so it sees what the store holds (custom roles and actions included)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from wfbench.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from wfbench.cli.output import frame_records, print_json, text_table, workbench
from wfbench.errors import DefinitionError, UsageError


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.model import read_document

    wb = workbench(args)
    results: list[dict[str, Any]] = []
    code = EXIT_OK
    for name in args.files:
        try:
            doc, _ = read_document(Path(name))
        except DefinitionError as exc:
            issues = [i.to_dict() for i in exc.issues]
            results.append({"file": name, "valid": False, "issues": issues})
            code = EXIT_USAGE
            continue
        report = wb.validate(doc)
        results.append(
            {"file": name, "valid": report.valid, "issues": [i.to_dict() for i in report.issues]}
        )
        if not report.valid and code == EXIT_OK:
            code = EXIT_FAILED
    if args.json:
        print_json(results, out)
        return code
    for result in results:
        _print_verdict(result, out)
    return code


def _print_verdict(result: dict[str, Any], out: TextIO) -> None:
    errors = [i for i in result["issues"] if i["severity"] == "error"]
    warnings = len(result["issues"]) - len(errors)
    verdict = "valid" if result["valid"] else f"INVALID ({len(errors)} error(s))"
    extra = f", {warnings} warning(s)" if warnings else ""
    out.write(f"{result['file']}: {verdict}{extra}\n")
    for issue in result["issues"]:
        where = f"node '{issue['node']}'" if issue["node"] else "workflow"
        if issue["field"]:
            where += f", {issue['field']}"
        out.write(f"  {issue['severity']:7} {issue['code']:18} {where}: {issue['message']}\n")


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.model import json_schema

    print_json(json_schema(), out)
    return EXIT_OK


def cmd_roles(args: argparse.Namespace, out: TextIO) -> int:
    roles = workbench(args).catalogue.roles(format="objects")
    if args.json:
        print_json(
            [
                {
                    "name": r.name,
                    "builtin": r.builtin,
                    "description": r.description,
                    "permissions": r.sorted_permissions(),
                }
                for r in roles
            ],
            out,
        )
        return EXIT_OK
    for r in roles:
        out.write(f"{r.name:28} {', '.join(r.sorted_permissions())}\n")
    return EXIT_OK


def cmd_actions(args: argparse.Namespace, out: TextIO) -> int:
    registry = workbench(args).catalogue.actions(format="registry")
    if args.json:
        print_json(
            [
                {
                    "name": s.name,
                    "category": s.category,
                    "description": s.description,
                    "permissions": sorted(s.permissions),
                    "side_effects": s.side_effects,
                    "input_schema": s.input_model.model_json_schema(by_alias=True),
                    "output_schema": s.output_model.model_json_schema(by_alias=True),
                }
                for s in registry
            ],
            out,
        )
        return EXIT_OK
    for category, specs in registry.categories().items():
        out.write(f"{category}\n")
        for s in specs:
            perms = ", ".join(sorted(s.permissions)) or "-"
            effect = "changes" if s.side_effects else "reads"
            out.write(f"  {s.name:28} {effect:8} {perms:32} {s.description}\n")
    return EXIT_OK


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    wb = workbench(args)
    seeded = wb.init(demo=args.demo)
    out.write(f"initialised {wb.path}\n")
    if args.demo and not seeded:
        out.write("the demo directory was already seeded; kept as it is\n")
    elif args.demo:
        counts = wb.sql(
            "select (select count(*) from users) as users, "
            "(select count(*) from groups) as groups, "
            "(select count(*) from devices) as devices"
        ).iloc[0]
        out.write(
            f"seeded the demo directory: {counts['users']} users, "
            f"{counts['groups']} groups, {counts['devices']} devices\n"
        )
        for name in wb.workflows()["name"]:
            out.write(f"imported workflow '{name}'\n")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    wb = workbench(args)
    try:
        infos = wb.workflows.import_files(*args.files)
    except DefinitionError as exc:
        unreadable = any(i.code.startswith("file.") for i in exc.issues)
        sys.stderr.write(f"wfbench: nothing imported.\n{exc}\n")
        return EXIT_USAGE if unreadable else EXIT_FAILED
    for info in infos:
        out.write(f"imported '{info.name}' (id {info.id}, version {info.version})\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    text = workbench(args).workflows.export(args.name)
    if args.output is None:
        out.write(text)
        return EXIT_OK
    if not str(args.output).strip():
        raise UsageError("export -o: the file name is empty; give a file to write")
    cases = workbench(args).drafts.cases(args.name)
    target = Path(args.output)
    try:  # every write error (a directory, no folder, disk full, a loop) is one line
        target.write_text(text, encoding="utf-8")
        if cases is not None:  # the Test tab's cases, saved with this version
            stem = target.name.removesuffix(".json")
            beside = target.with_name(f"{stem}.cases.json")
            beside.write_text(json.dumps(cases, indent=2) + "\n", encoding="utf-8")
            out.write(f"wrote {target} and its test cases {beside}\n")
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot write {args.output}: {why}; choose another file") from None
    return EXIT_OK


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        print_json(frame_records(workbench(args).workflows()), out)
        return EXIT_OK
    table = workbench(args).workflows(format="rows")  # a terminal's table: no pandas to load
    if not table.rows:
        out.write("no workflows yet: `wfbench import FILE` or `wfbench init --demo`\n")
    else:
        out.write(text_table(table.columns, table.rows))
    return EXIT_OK


def cmd_enable(args: argparse.Namespace, out: TextIO) -> int:
    wb = workbench(args)
    info = (
        wb.workflows.enable(args.name)
        if args.command == "enable"
        else wb.workflows.disable(args.name)
    )
    out.write(f"'{info.name}' is now {'enabled' if info.enabled else 'disabled'}\n")
    return EXIT_OK
