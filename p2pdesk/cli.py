"""The command line: the desk's window by default, and the designee's commands without a screen.

    p2pdesk [--db URL] [--demo] [--case ID]     open the window
    p2pdesk [--db URL] import-case FILE        validate and import a case file; prints the new id
    p2pdesk [--db URL] export-case ID [-o F]   write a case back in the same format
    p2pdesk [--db URL] cases                   list the cases and their calls

Exit status: 0 done, 2 the input was refused (the message names the field), 1 the database
or a file could not be used.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_ENVIRONMENT, EXIT_INVALID = 0, 1, 2


def _window_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--db", help="SQLAlchemy URL or SQLite file (default: $P2PDESK_DB, then the user data folder)")
    parser.add_argument("--demo", action="store_true", help="load the demo case (once) and open it")
    parser.add_argument("--case", type=int, metavar="ID", help="open this case")
    parser.add_argument(
        "--quit-when-shown",
        action="store_true",
        help="draw the window once, print 'shown' and quit (start-up measurements, smoke tests)",
    )
    return parser


def window_arguments(argv: list[str]) -> dict[str, Any] | None:
    """The window's options, when ``argv`` holds them and nothing else, as ``_open_window`` takes them.

    Read without argparse: building every command's parser and its first parse (which compiles
    regular expressions) take about a tenth of the window's start-up. Anything else (a command,
    ``--help``, an abbreviation, a value that is not right) returns None, and argparse reads it
    and says what is wrong.
    """
    found: dict[str, Any] = {"db": None, "demo": False, "case_id": None, "quit_when_shown": False}
    rest = iter(argv)
    for item in rest:
        flag, has_value, value = item.partition("=")
        if flag in ("--demo", "--quit-when-shown") and not has_value:
            found[flag[2:].replace("-", "_")] = True
            continue
        if flag not in ("--db", "--case"):
            return None
        if not has_value:
            value = next(rest, "-")
        if value.startswith("-"):
            return None
        if flag == "--db":
            found["db"] = value
        elif value.isascii() and value.isdigit():
            found["case_id"] = int(value)
        else:
            return None
    return found


def _parser() -> argparse.ArgumentParser:
    import argparse  # not needed to open the window: see window_arguments

    parser = _window_options(argparse.ArgumentParser(prog="p2pdesk", description="The peer-to-peer review desk."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    imp = sub.add_parser("import-case", help="validate and import a JSON case file")
    imp.add_argument("file", type=Path)
    fhir = sub.add_parser("import-fhir", help="prefill a new case from a FHIR R4 Bundle (JSON); prints the new id")
    fhir.add_argument("file", type=Path)
    exp = sub.add_parser("export-case", help="write a case as a JSON case file")
    exp.add_argument("case_id", type=int)
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    sub.add_parser("cases", help="list cases and their calls")
    att = sub.add_parser("log-attempt", help="log an attempt to schedule the P2P with the plan")
    att.add_argument("case_id", type=int)
    att.add_argument("--outcome", choices=["failed", "scheduled"], required=True)
    att.add_argument("--whom", default="", help="the plan's scheduler spoken with")
    att.add_argument("--reference", default="", help="the reference number given")
    att.add_argument("--hold", type=int, metavar="MINUTES", help="time on hold")
    att.add_argument("--detail", default="", help="what was said")
    dem = sub.add_parser("demand-letter", help="the written demand after two failed scheduling attempts (PDF)")
    dem.add_argument("case_id", type=int)
    dem.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write (a .txt beside it too)")
    pat = sub.add_parser("patient-letters", help="the patient's P2P request to the plan and note to the office")
    pat.add_argument("case_id", type=int)
    pat.add_argument("-o", "--output-dir", type=Path, required=True, help="folder for the PDF and text files")
    pat.add_argument("--office-contact", default="", help="office name and phone for the plan to call")
    pat.add_argument("--p2p-line", default="", help="the plan's peer-to-peer telephone line")
    ana = sub.add_parser("analytics", help="reversal rates by payer, service, specialty match, brief (CSV)")
    ana.add_argument("-o", "--output", type=Path, help="CSV file to write (default: standard output)")
    brief = sub.add_parser("brief", help="write the one-page case brief (US Letter PDF)")
    brief.add_argument("case_id", type=int)
    brief.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
    seal = sub.add_parser("seal", help="seal an ended call and keep its signed record")
    seal.add_argument("call_id", type=int)
    sub.add_parser("records", help="list sealed records")
    exr = sub.add_parser("export-record", help="write a stored signed record PDF")
    exr.add_argument("record_id", type=int)
    exr.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
    ver = sub.add_parser("verify", help="verify a signed record PDF (exit 0 only when everything holds)")
    ver.add_argument("file", type=Path)
    pkt = sub.add_parser("appeal-packet", help="one PDF for the written appeal, around the signed call record")
    pkt.add_argument("call_id", type=int)
    pkt.add_argument("-o", "--output", type=Path, required=True)
    pkt.add_argument("--attach", type=Path, action="append", default=[], help="a PDF to add (repeatable)")
    imr = sub.add_parser("import-record", help="import a signed record PDF from another desk, after verifying it")
    imr.add_argument("file", type=Path)
    crt = sub.add_parser(
        "import-certificate",
        help="sign a physician's records with the practice's PKCS#12 certificate (password read from the terminal "
        "or standard input; kept in the OS keyring)",
    )
    crt.add_argument("file", type=Path)
    crt.add_argument("--name", required=True, help="the physician's name, as on the cases")
    crt.add_argument("--npi", default="", help="the physician's NPI, as on the cases")
    return parser


def _initials(name: str) -> str:
    return " ".join(f"{part[0]}." for part in name.split() if part) or "?"


def _open_window(db: str | None, demo: bool, case_id: int | None, quit_when_shown: bool) -> int:
    """Read what the first frame shows, then load Qt and draw it.

    The reading comes first, and the modules that draw the brief and the script are imported
    before Qt: once PySide6 is imported, it reads the source of every module imported after it
    (to look for its ``__feature__`` imports), which would add about a tenth to the start-up.

    Python's cycle collector is paused until the first frame is drawn (``p2pdesk.ui.app.run``
    resumes it): importing Qt makes tens of thousands of objects that live as long as the
    process, and collecting among them while the window is being drawn finds nothing to free.
    """
    import gc

    gc.disable()
    try:
        return _read_and_draw(db, demo, case_id, quit_when_shown)
    finally:
        gc.enable()  # run() resumes it after the first frame; this, whatever happened before


def _read_and_draw(db: str | None, demo: bool, case_id: int | None, quit_when_shown: bool) -> int:
    import p2pdesk.playbook.script  # noqa: F401 - imported before Qt, as said in _open_window
    from p2pdesk.config import resolve_db_url
    from p2pdesk.demo import DEMO_CLAIM_NUMBER, DEMO_MEMBER_ID
    from p2pdesk.store.snapshot import read_snapshot

    url = resolve_db_url(db)
    first_look = demo and case_id is None
    snapshot = read_snapshot(
        url,
        case_id=case_id,
        member_id=DEMO_MEMBER_ID if first_look else "",
        claim_number=DEMO_CLAIM_NUMBER if first_look else "",
    )
    from p2pdesk.ui.qt import spare_source_reads

    spare_source_reads()  # before the window's modules are imported (see p2pdesk.ui.qt)
    from p2pdesk.ui.app import run

    return run(url, snapshot, demo=demo, case_id=case_id, quit_when_shown=quit_when_shown)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    window = window_arguments(argv)
    if window is None:
        args = _parser().parse_args(argv)
        if args.command is None:
            window = {"db": args.db, "demo": args.demo, "case_id": args.case, "quit_when_shown": args.quit_when_shown}
    if window is not None:
        from p2pdesk.domain.errors import InvalidInput

        try:
            return _open_window(**window)
        except InvalidInput as exc:  # what was given to open the window (read before Qt loads)
            print("p2pdesk: " + "; ".join(str(p) for p in exc.problems), file=sys.stderr)
            return EXIT_INVALID

    from sqlalchemy.exc import IntegrityError

    from p2pdesk.config import resolve_db_url
    from p2pdesk.domain.errors import InvalidInput, NotFound, StoreUnavailable
    from p2pdesk.domain.record import SealedError
    from p2pdesk.record.signing import SigningUnavailable
    from p2pdesk.services.desk import Desk
    from p2pdesk.store.db import error_reason, is_unique_violation

    new_database: Path | None = None
    url = ""
    try:
        url = resolve_db_url(args.db)
        clash = _writes_over_database(args, url)
        if clash is not None:
            print(
                f"p2pdesk: {clash} is the database itself; nothing was written (choose another file)", file=sys.stderr
            )
            return EXIT_INVALID
        missing = _missing_sqlite_file(url)
        if missing is not None and args.command not in RUN_WITHOUT_A_DATABASE:
            # A mistyped path would otherwise make a new, empty database and report nothing on file.
            print(f"p2pdesk: there is no database at {missing}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        if missing is not None and args.command == "verify":
            return _verify_without_a_database(args.file, missing)
        text = None
        if args.command in ("import-case", "import-fhir"):
            try:
                text = args.file.read_text(encoding="utf-8-sig")  # a byte-order mark (Notepad's) is not text
            except (OSError, UnicodeDecodeError) as exc:
                print(f"p2pdesk: cannot read {args.file}: {exc}", file=sys.stderr)
                return EXIT_ENVIRONMENT
        elif args.command in ("import-record", "import-certificate"):
            args.data = _read(args.file)  # read before a database is made for it (a pipe is read once)
            if args.data is None:
                return EXIT_ENVIRONMENT
        new_database = missing  # made by this command: removed again if what it was to hold is refused
        desk = Desk.open(url)
        if args.command in (
            "seal",
            "records",
            "export-record",
            "verify",
            "import-record",
            "import-certificate",
            "appeal-packet",
        ):
            return _record_command(args, desk)
        if args.command in ("import-case", "import-fhir"):
            assert text is not None
            case_id = desk.import_case(text) if args.command == "import-case" else desk.import_fhir(text)
            print(case_id)
        elif args.command == "export-case":
            text = desk.export_case(args.case_id)
            if args.output:
                args.output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
        elif args.command == "brief":
            from p2pdesk.record.brief_pdf import BriefOverflow, render_brief

            try:
                pdf = render_brief(desk.case(args.case_id))
            except BriefOverflow as exc:
                print(f"p2pdesk: nothing written. {exc}", file=sys.stderr)
                return EXIT_INVALID
            args.output.write_bytes(pdf)
            print(args.output)
        elif args.command == "log-attempt":
            attempt = desk.log_attempt(
                args.case_id,
                args.outcome,
                whom=args.whom,
                reference=args.reference,
                hold_minutes=args.hold,
                detail=args.detail,
            )
            failed = sum(1 for a in desk.attempts(args.case_id) if a.outcome.value == "failed")
            print(f"attempt {attempt.id} logged ({attempt.outcome.value}); failed attempts so far: {failed}")
        elif args.command == "demand-letter":
            from p2pdesk.playbook.clock import practice_zone
            from p2pdesk.playbook.rules import demand_rule, load_rules
            from p2pdesk.record.letters import demand_pdf, demand_text

            case = desk.case(args.case_id)
            tz = practice_zone()
            letter = demand_text(
                case, desk.attempts(args.case_id), demand_rule(load_rules(), case), desk.now().astimezone(tz).date(), tz
            )  # type: ignore[arg-type]
            args.output.write_bytes(demand_pdf(letter))
            args.output.with_suffix(".txt").write_text(letter, encoding="utf-8")
            print(args.output)
        elif args.command == "patient-letters":
            from p2pdesk.record.letters import letter_pdf, office_note_text, patient_request_text

            case = desk.case(args.case_id)
            today = desk.now().astimezone().date()
            args.output_dir.mkdir(parents=True, exist_ok=True)
            for name, letter in (
                ("request-to-plan", patient_request_text(case, today, args.office_contact)),
                ("note-to-office", office_note_text(case, today, args.p2p_line)),
            ):
                (args.output_dir / f"{name}.txt").write_text(letter, encoding="utf-8")
                (args.output_dir / f"{name}.pdf").write_bytes(letter_pdf(letter))
                print(args.output_dir / f"{name}.pdf")
        elif args.command == "analytics":
            from p2pdesk.playbook.analytics import to_csv

            table = to_csv(desk.history())
            if args.output:
                args.output.write_text(table, encoding="utf-8")
            else:
                sys.stdout.write(table)
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
        _remove_if_empty(new_database, url)
        return EXIT_INVALID
    except (NotFound, SealedError) as exc:  # a sealed call or record is evidence: refused, as input
        print(f"p2pdesk: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except IntegrityError as exc:  # another desk stored the same thing at this moment
        if not is_unique_violation(exc):
            raise  # a fault, said in full: not blamed on another desk
        print(
            "p2pdesk: another desk stored the same at this moment and the database refused this one; "
            f"nothing of it was stored ({error_reason(exc.orig)})",
            file=sys.stderr,
        )
        return EXIT_INVALID
    except (StoreUnavailable, SigningUnavailable) as exc:
        print(f"p2pdesk: {exc}", file=sys.stderr)
        _remove_if_empty(new_database, url)
        return EXIT_ENVIRONMENT
    except OSError as exc:  # an output file or folder that cannot be written
        where = f" {exc.filename}" if exc.filename else ""
        print(f"p2pdesk: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    return EXIT_OK


#: The commands that run when there is no database yet, making it (as the window does): the imports,
#: and verify, which checks a PDF on its own.
RUN_WITHOUT_A_DATABASE = ("import-case", "import-fhir", "import-record", "import-certificate", "verify")


def _writes_over_database(args: argparse.Namespace, url: str) -> Path | None:
    """The output file asked for, when it is the SQLite database itself or its log (by any name:
    a link, a relative path, a URL with options): writing it would destroy every case and record."""
    import os

    from p2pdesk.store.db import database_files, sqlite_file

    output = getattr(args, "output", None)
    database = sqlite_file(url)
    if output is None or database is None:
        return None
    kept = database_files(database)
    written = [output, output.with_suffix(".txt")] if args.command == "demand-letter" else [output]
    for path in written:
        for file in kept:
            if path.expanduser().resolve() == file.resolve():
                return path
            if path.exists() and file.exists() and os.path.samefile(path, file):
                return path
    return None


def _verify_without_a_database(file: Path, missing: Path) -> int:
    """``verify`` where no database is: the PDF alone is checked, and nothing is made."""
    from p2pdesk.record.verify import verify_pdf

    data = _read(file)
    if data is None:
        return EXIT_ENVIRONMENT
    verdict = verify_pdf(data)
    print("\n".join(verdict.lines()))
    print(
        f"there is no database at {missing}: the PDF alone was checked, not against a desk's records and certificates"
    )
    return EXIT_OK if verdict.ok else EXIT_INVALID


def _remove_if_empty(database: Path | None, url: str) -> None:
    """Remove a database this command made, once what it was made for was refused (it holds no case)."""
    if database is None or not database.exists():
        return
    from p2pdesk.services.desk import Desk

    desk = Desk.open(url)
    try:
        empty = not desk.cases() and not desk.store.records()
    finally:
        desk.close()
    if empty:
        from p2pdesk.store.db import database_files

        for file in database_files(database):
            file.unlink(missing_ok=True)


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names, when it does not exist (None for anything else)."""
    from p2pdesk.store.snapshot import sqlite_path

    path = sqlite_path(url)
    return path if path is not None and not path.exists() else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        print(f"p2pdesk: cannot read {path}: {exc}", file=sys.stderr)
        return None


def _password() -> str:
    """The certificate's password: asked for on a terminal, else one line of standard input."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Certificate password: ")
    return sys.stdin.readline().rstrip("\n")


def _record_command(args: argparse.Namespace, desk: object) -> int:
    from p2pdesk.services.records import Records

    records = Records(desk)  # type: ignore[arg-type]
    if args.command == "seal":
        record = records.seal_and_sign(args.call_id)
        print(f"record {record.id}: call {record.call_id}, version {record.version}, digest {record.digest}")
    elif args.command == "records":
        for r in records.records():
            print(
                f"{r.id:>5}  call {r.call_id:<5} v{r.version:<3} {r.sealed_at:%Y-%m-%d %H:%M}Z  "
                f"{r.digest[:16]}…  signed by {r.signer_name}"
            )
    elif args.command == "export-record":
        path = records.export(args.record_id, args.output)
        print(path)
    elif args.command == "verify":
        data = _read(args.file)
        if data is None:
            return EXIT_ENVIRONMENT
        verdict = records.verify_bytes(data)
        print("\n".join(verdict.lines()))
        return EXIT_OK if verdict.ok else EXIT_INVALID
    elif args.command == "appeal-packet":
        from p2pdesk.files import write_whole
        from p2pdesk.record.packet import Attachment

        attachments = []
        for path in args.attach:
            data = _read(path)
            if data is None:
                return EXIT_ENVIRONMENT
            attachments.append(Attachment(path.name, data))
        packet, pages = records.appeal_packet(args.call_id, attachments)
        write_whole(args.output, packet)
        print(f"{args.output}: " + ", ".join(f"{name} {n} p." for name, n in pages.items()))
    elif args.command == "import-certificate":
        data = args.data
        from p2pdesk.record.signing import fingerprint, pkcs12_identity

        password = _password()
        identity = records.use_identity(pkcs12_identity(data, password, args.name, args.npi, desk.now()))  # type: ignore[attr-defined]
        print(f"{identity.name}: records will be signed with certificate {fingerprint(identity.cert_pem)[:16]}…")
    elif args.command == "import-record":
        data = args.data
        held = {r.id for r in records.records()}
        record, verdict = records.import_record(data)
        print("\n".join(verdict.lines()))
        done = "already on file as" if record.id in held else "imported as"
        print(f"{done} record {record.id} (call {record.call_id}, version {record.version})")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
