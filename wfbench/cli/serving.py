"""Commands of the HTTP API: serve, and apikey create/list/revoke."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from wfbench.cli.exits import EXIT_OK, EXIT_USAGE
from wfbench.cli.output import print_json, workbench
from wfbench.errors import WfbenchError


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.api import serve_forever

    wb = workbench(args, hold=False)
    if not any(not k.revoked for k in wb.access.list_keys()):
        sys.stderr.write(
            "wfbench serve: no API key yet, so every call will be refused (401); "
            "make one with `wfbench apikey create NAME --role runner`\n"
        )

    def announce(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    try:
        serve_forever(
            wb,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            announce=announce,
            classroom=args.classroom,
        )
    except OSError as exc:
        sys.stderr.write(
            f"wfbench serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
            "choose another --port or --host\n"
        )
        return EXIT_USAGE
    return EXIT_OK


def cmd_apikey(args: argparse.Namespace, out: TextIO) -> int:
    wb = workbench(args)
    if args.action == "create":
        try:
            key = wb.access.create_key(args.name, args.role)
        except WfbenchError as exc:
            sys.stderr.write(f"wfbench apikey: {exc}\n")
            return EXIT_USAGE
        if args.json:
            print_json({"name": args.name, "role": args.role, "key": key}, out)
        else:
            out.write(key + "\n")
        sys.stderr.write(
            f"API key '{args.name}' ({args.role}) created. Keep it now: it is shown only "
            "once. Send it as the x-api-key header.\n"
        )
        return EXIT_OK
    if args.action == "revoke":
        info = wb.access.revoke_key(args.name)
        out.write(f"API key '{info.name}' revoked\n")
        return EXIT_OK
    keys = [
        {
            "name": k.name,
            "role": k.role,
            "created_at": k.created_at.isoformat(),
            "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
            "revoked": k.revoked,
        }
        for k in wb.access.list_keys()
    ]
    if args.json:
        print_json(keys, out)
    elif not keys:
        out.write("no API keys yet: `wfbench apikey create NAME --role viewer|runner|editor`\n")
    else:
        for k in keys:
            state = "revoked" if k["revoked"] else "active"
            used = k["last_used_at"] or "never used"
            out.write(f"{k['name']:24} {k['role']:7} {state:8} created {k['created_at']}  {used}\n")
    return EXIT_OK
