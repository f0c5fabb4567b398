"""``wfbench directory users|groups [--search TEXT]``: find people and groups from a
terminal (what a help-desk person looks up before starting a run)."""

from __future__ import annotations

import argparse
from typing import Final, TextIO

from wfbench.cli.exits import EXIT_OK
from wfbench.cli.output import frame_records, print_json, text_table, workbench

_QUERIES: Final = {
    "users": (
        "SELECT id, email, first_name, last_name, department, employee_type, status "
        "FROM users WHERE ? = '' OR email ILIKE ? OR first_name || ' ' || last_name ILIKE ? "
        "OR department ILIKE ? ORDER BY email LIMIT ?"
    ),
    "groups": (
        'SELECT g.id, g.name, g.description, count(m.user_id) AS member_count FROM "groups" g '
        "LEFT JOIN memberships m ON m.group_id = g.id "
        "WHERE ? = '' OR g.name ILIKE ? OR g.description ILIKE ? OR g.id ILIKE ? "
        "GROUP BY ALL ORDER BY g.name LIMIT ?"
    ),
}


def cmd_directory(args: argparse.Namespace, out: TextIO) -> int:
    text = (args.search or "").strip()
    like = f"%{text}%"
    frame = workbench(args).sql(_QUERIES[args.what], [text, like, like, like, args.limit])
    if args.json:
        print_json(frame_records(frame), out)
        return EXIT_OK
    if frame.empty:
        found = f" matching '{text}'" if text else ""
        out.write(f"no {args.what}{found} in the directory\n")
        return EXIT_OK
    out.write(text_table(list(frame.columns), frame.itertuples(index=False, name=None)))
    return EXIT_OK
