"""The command line: the desk's window by default, and the designee's commands without a screen.

    p2pdesk [--db URL] [--demo] [--case ID]     open the window
    p2pdesk [--db URL] import-case FILE        validate and import a case file; prints the new id
    p2pdesk [--db URL] export-case ID [-o F]   write a case back in the same format
    p2pdesk [--db URL] cases                   list the cases and their calls

Exit status: 0 done, 2 the input was refused (the message names the field), 1 the database
or a file could not be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_ENVIRONMENT, EXIT_INVALID = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="p2pdesk", description="The peer-to-peer review desk.")
    parser.add_argument(
        "--db", help="SQLAlchemy URL or SQLite file (default: $P2PDESK_DB, then the user data folder)"
    )
    parser.add_argument("--demo", action="store_true", help="load the demo case (once) and open it")
    parser.add_argument("--case", type=int, metavar="ID", help="open this case")
    parser.add_argument(
        "--quit-when-shown",
        action="store_true",
        help="draw the window once, print 'shown' and quit (start-up measurements, smoke tests)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    imp = sub.add_parser("import-case", help="validate and import a JSON case file")
    imp.add_argument("file", type=Path)
    exp = sub.add_parser("export-case", help="write a case as a JSON case file")
    exp.add_argument("case_id", type=int)
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    sub.add_parser("cases", help="list cases and their calls")
    return parser


def _initials(name: str) -> str:
    return " ".join(f"{part[0]}." for part in name.split() if part) or "?"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        from p2pdesk.ui.app import run

        return run(db=args.db, demo=args.demo, case_id=args.case, quit_when_shown=args.quit_when_shown)

    from p2pdesk.config import resolve_db_url
    from p2pdesk.domain.errors import InvalidInput, NotFound, StoreUnavailable
    from p2pdesk.services.desk import Desk

    try:
        desk = Desk.open(resolve_db_url(args.db))
        if args.command == "import-case":
            try:
                text = args.file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                print(f"p2pdesk: cannot read {args.file}: {exc}", file=sys.stderr)
                return EXIT_ENVIRONMENT
            case_id = desk.import_case(text)
            print(case_id)
        elif args.command == "export-case":
            text = desk.export_case(args.case_id)
            if args.output:
                args.output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
        elif args.command == "cases":
            for case in desk.cases():
                denial = case.denial_date.isoformat() if case.denial_date else "no denial date"
                print(
                    f"{case.id:>5}  {_initials(case.patient_name):<8} {case.payer[:28]:<28} "
                    f"{case.service_code:<6} {case.diagnosis_code:<8} {denial:<14} {len(case.calls)} call(s)"
                )
    except InvalidInput as exc:
        print("p2pdesk: the input was refused; nothing was stored:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    except NotFound as exc:
        print(f"p2pdesk: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except StoreUnavailable as exc:
        print(f"p2pdesk: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
