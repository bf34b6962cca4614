"""The designee's commands, run as a user runs them: a real process on a real database file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from p2pdesk import cli
from tests.conftest import DEMO, ROOT


def p2pdesk(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "p2pdesk", "--db", db, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_list_export_round_trip(tmp_path: Path, db_url: str) -> None:
    imported = p2pdesk("import-case", str(DEMO), db=db_url)
    assert imported.returncode == 0, imported.stderr
    case_id = imported.stdout.strip()
    assert case_id == "1"

    listed = p2pdesk("cases", db=db_url)
    assert listed.returncode == 0
    assert "Lakeshore Health Plan" in listed.stdout and "J1745" in listed.stdout
    assert "Delgado" not in listed.stdout  # initials only: no patient names on a terminal

    out = tmp_path / "back.json"
    exported = p2pdesk("export-case", case_id, "-o", str(out), db=db_url)
    assert exported.returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(DEMO.read_text(encoding="utf-8"))

    again = p2pdesk("import-case", str(DEMO), db=db_url)  # the same file a second time
    assert (again.returncode, again.stdout) == (2, "")
    assert "claim number: 'PA-2026-1118-0457' of member 'LHP448120933' is already on file as case 1" in again.stderr
    assert p2pdesk("cases", db=db_url).stdout == listed.stdout


def test_invalid_file_exits_non_zero_naming_the_field_and_imports_nothing(tmp_path: Path, db_url: str) -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"] = 12
    del data["diagnosis"]["code"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = p2pdesk("import-case", str(bad), db=db_url)
    assert result.returncode == 2
    assert "coverage.member_id: should be text, not a number" in result.stderr
    assert "diagnosis.code: is required but missing" in result.stderr
    assert p2pdesk("cases", db=db_url).stdout == ""


def test_plain_path_and_environment_select_the_database(tmp_path: Path) -> None:
    db_file = tmp_path / "practice.sqlite3"
    assert p2pdesk("import-case", str(DEMO), db=str(db_file)).returncode == 0
    assert db_file.exists()


def test_missing_file_and_unknown_case_say_so(tmp_path: Path, db_url: str) -> None:
    missing = p2pdesk("import-case", str(tmp_path / "nope.json"), db=db_url)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    assert not Path(db_url.removeprefix("sqlite:///")).exists(), "a database was made for nothing"
    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    unknown = p2pdesk("export-case", "99", db=db_url)
    assert unknown.returncode == 2 and "no case with id 99" in unknown.stderr


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--db", "sqlite:///x.sqlite3", "--demo", "--quit-when-shown"],
        ["--db=postgresql+psycopg://desk@host/p2p", "--case", "12"],
        ["--case=7", "--db", "/tmp/a b.sqlite3", "--case", "8"],
    ],
)
def test_window_options_are_read_as_argparse_reads_them(argv: list[str]) -> None:
    args = cli._parser().parse_args(argv)
    assert args.command is None
    assert cli.window_arguments(argv) == {
        "db": args.db,
        "demo": args.demo,
        "case_id": args.case,
        "quit_when_shown": args.quit_when_shown,
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["cases"],
        ["--db", "x", "cases"],
        ["--help"],
        ["--de"],
        ["--case", "seven"],
        ["--case", "-1"],
        ["--case", "٣"],
        ["--db"],
        ["--db", "--demo"],
        ["--demo=yes"],
        ["--unknown"],
    ],
)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert cli.window_arguments(argv) is None


def test_a_bad_window_option_is_named_by_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--case", "seven"])
    assert exit_.value.code == 2
    assert "argument --case: invalid int value: 'seven'" in capsys.readouterr().err


def test_a_letter_is_refused_while_a_practice_rules_file_cannot_be_used(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    blank = p2pdesk("log-attempt", "1", "--outcome", "failed", db=db_url)  # says nothing: refused, by name
    assert blank.returncode == 2 and "attempt: says nothing yet" in blank.stderr
    for reference in ("REF-1", "REF-2"):
        assert p2pdesk("log-attempt", "1", "--outcome", "failed", "--reference", reference, db=db_url).returncode == 0
    rules = tmp_path / "practice-rules"
    rules.mkdir()
    (rules / "ours.toml").write_text('[[rule]]\nid = "tx-ours"\n', encoding="utf-8")
    monkeypatch.setenv("P2PDESK_RULES_DIR", str(rules))
    out = tmp_path / "demand.pdf"
    result = p2pdesk("demand-letter", "1", "-o", str(out), db=db_url)
    assert result.returncode == 2 and not out.exists()
    assert f"practice file {rules / 'ours.toml'}: rule 1 lacks 'jurisdiction'" in result.stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("foo://bar", "The database at foo://bar cannot be used: Can't load plugin: sqlalchemy.dialects:foo"),
        ("not a url://x", "The database at not a url://x cannot be used: Could not parse"),
        ("postgresql://desk:s3cret@db:notaport/p2pdesk", "The database at postgresql://***@db:notaport/p2pdesk"),
    ],
)
def test_a_database_that_cannot_be_used_is_named_without_a_traceback(url: str, said: str) -> None:
    result = p2pdesk("cases", db=url)
    assert result.returncode == 1
    assert result.stderr.startswith(f"p2pdesk: {said}")
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr


def test_a_database_path_through_a_file_or_from_a_newer_p2pdesk_is_refused(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    under_a_file = p2pdesk("import-case", str(DEMO), db=str(tmp_path / "notes.txt" / "desk.sqlite3"))
    assert under_a_file.returncode == 1 and "Traceback" not in under_a_file.stderr
    assert f"cannot be used: File exists: {tmp_path / 'notes.txt'}" in under_a_file.stderr

    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    newer = p2pdesk("cases", db=db_url)
    assert newer.returncode == 1 and "Traceback" not in newer.stderr
    assert "was written by a newer p2pdesk" in newer.stderr


def test_an_output_file_that_cannot_be_written_is_named(tmp_path: Path, db_url: str) -> None:
    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    missing = tmp_path / "no such folder" / "case.json"
    for args in (("export-case", "1", "-o", str(missing)), ("export-case", "1", "-o", str(tmp_path))):
        result = p2pdesk(*args, db=db_url)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith(f"p2pdesk: cannot write {args[-1]}: ")
    assert not missing.exists()


def test_an_empty_database_option_and_an_unknown_call_are_refused(tmp_path: Path, db_url: str) -> None:
    for db in (" ", ""):
        result = subprocess.run(
            [sys.executable, "-m", "p2pdesk", "--db", db, "cases"], cwd=tmp_path, capture_output=True, text=True
        )
        assert result.returncode == 2 and "--db: is empty" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no database named " " made in the current folder
    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    packet = p2pdesk("appeal-packet", "999", "-o", str(tmp_path / "p.pdf"), db=db_url)
    assert packet.returncode == 2 and "no call with id 999" in packet.stderr


def test_a_command_that_only_reads_makes_no_database_at_a_mistyped_path(tmp_path: Path) -> None:
    typo = tmp_path / "practise" / "desk.sqlite3"
    for args in (("cases",), ("export-case", "1"), ("records",), ("analytics",)):
        result = p2pdesk(*args, db=str(typo))
        assert result.returncode == 1, args
        assert result.stderr == f"p2pdesk: there is no database at {typo}\n"
    assert not typo.parent.exists()
    assert p2pdesk("import-case", str(DEMO), db=str(typo)).returncode == 0  # importing makes it
    assert "J1745" in p2pdesk("cases", db=str(typo)).stdout


def _db_file(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


@pytest.mark.parametrize("command", [["export-case", "1", "-o"], ["brief", "1", "-o"]])
def test_an_output_file_that_is_the_database_is_refused(db_url: str, command: list[str]) -> None:
    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    before = p2pdesk("cases", db=db_url).stdout
    result = p2pdesk(*command, str(_db_file(db_url)), db=db_url)
    assert result.returncode == 2 and "is the database itself; nothing was written" in result.stderr
    assert p2pdesk("cases", db=db_url).stdout == before  # every case is still there


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "clinic.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    db.close()
    before = foreign.read_bytes()
    result = p2pdesk("cases", db=f"sqlite:///{foreign}")
    assert result.returncode == 1
    assert "is not a p2pdesk database (it holds other tables: patients); nothing in it was changed" in result.stderr
    assert foreign.read_bytes() == before and not Path(f"{foreign}-wal").exists()


def test_a_claim_number_with_a_trailing_space_is_the_same_denial(tmp_path: Path, db_url: str) -> None:
    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["claim_number"] += " "
    again = tmp_path / "again.json"
    again.write_text(json.dumps(data), encoding="utf-8")
    result = p2pdesk("import-case", str(again), db=db_url)
    assert result.returncode == 2 and "is already on file as case 1" in result.stderr


def test_a_refused_import_or_a_verify_makes_no_database(tmp_path: Path, db_url: str) -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["member_id"] = 12
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert p2pdesk("import-case", str(bad), db=db_url).returncode == 2
    assert not _db_file(db_url).exists(), "a mistyped --db path was made into an empty database"
    checked = p2pdesk("verify", str(bad), db=db_url)  # not a PDF: checked on its own, and nothing is made
    assert checked.returncode == 2 and "the PDF alone was checked" in checked.stdout
    assert not _db_file(db_url).exists()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            DEMO.read_text(encoding="utf-8").replace('"Carmen Delgado"', '"Carmen \\ud83d Delgado"'),
            "patient.name: holds a broken character",
        ),
        ("[" * 100_000 + "]" * 100_000, "file: is nested too deeply to be read"),
        (DEMO.read_text(encoding="utf-8").replace("{", '{"patient": {}, ', 1), "file: names the field 'patient' twice"),
        (DEMO.read_text(encoding="utf-8").replace('"year": 2021', '"year": NaN', 1), "file: holds NaN, which is not"),
    ],
    ids=["half an emoji", "nested brackets", "a field twice", "NaN"],
)
def test_a_file_no_database_can_keep_is_refused_by_name(tmp_path: Path, db_url: str, text: str, said: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    result = p2pdesk("import-case", str(bad), db=db_url)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_case_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path, db_url: str) -> None:
    notepad = tmp_path / "case.json"
    notepad.write_bytes(b"\xef\xbb\xbf" + DEMO.read_bytes())  # as Notepad saves UTF-8
    result = p2pdesk("import-case", str(notepad), db=db_url)
    assert (result.returncode, result.stdout.strip()) == (0, "1"), result.stderr


def test_the_database_is_known_by_any_name_it_is_given(tmp_path: Path, db_url: str) -> None:
    assert p2pdesk("import-case", str(DEMO), db=db_url).returncode == 0
    before = p2pdesk("cases", db=db_url).stdout
    link = tmp_path / "case-copy.json"
    link.hardlink_to(_db_file(db_url))  # the same file under another name
    for db, output in ((db_url, link), (f"{db_url}?timeout=5", _db_file(db_url))):
        result = p2pdesk("export-case", "1", "-o", str(output), db=db)
        assert result.returncode == 2 and "is the database itself" in result.stderr, (db, result.stderr)
    assert p2pdesk("cases", db=db_url).stdout == before


def test_another_programs_alembic_database_is_refused_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "billing.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES ('a1b2c3')")
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    db.close()
    before = foreign.read_bytes()
    result = p2pdesk("cases", db=f"sqlite:///{foreign}")
    assert result.returncode == 1 and "is not a p2pdesk database" in result.stderr
    assert foreign.read_bytes() == before and not Path(f"{foreign}-wal").exists()


def test_import_record_reads_a_pipe(db_url: str) -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "p2pdesk", "--db", db_url, "import-record", "/dev/stdin"],
        cwd=ROOT,
        input=b"not a PDF",
        capture_output=True,
        timeout=120,
    )
    assert piped.returncode == 2 and b"the file is not a readable PDF" in piped.stderr, piped.stderr


def test_a_refused_certificate_makes_no_database(tmp_path: Path, db_url: str) -> None:
    bad = tmp_path / "practice.p12"
    bad.write_bytes(b"not a PKCS#12 file")
    result = subprocess.run(
        [sys.executable, "-m", "p2pdesk", "--db", db_url, "import-certificate", str(bad), "--name", "Maya Okafor"],
        cwd=ROOT,
        input="a password\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert not _db_file(db_url).exists()


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (
            "sealed",
            "p2pdesk: call 1 is sealed; it cannot be changed (add an addendum instead)\n",
        ),
        (
            "integrity",
            "p2pdesk: another desk stored the same at this moment and the database refused this one; nothing of it "
            "was stored (UNIQUE constraint failed: record.call_id, record.version)\n",
        ),
    ],
)
def test_a_write_another_desk_made_first_is_refused_in_one_line(
    db_url: str, raised: str, said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a desk losing a race to another is told (see tests/services/test_desks_at_once.py for the races)."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    from p2pdesk.domain.record import SealedError
    from p2pdesk.services.desk import Desk
    from p2pdesk.services.records import Records

    Desk.open(db_url).close()
    error = (
        SealedError("call 1 is sealed; it cannot be changed (add an addendum instead)")
        if raised == "sealed"
        else IntegrityError(
            "INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: record.call_id, record.version")
        )
    )

    def lose(*_args: object) -> None:
        raise error

    monkeypatch.setattr(Records, "seal_and_sign", lose)
    assert cli.main(["--db", db_url, "seal", "1"]) == cli.EXIT_INVALID
    assert capsys.readouterr() == ("", said)


@pytest.mark.parametrize(("options", "within"), [("", 20.0), ("?connect_timeout=1", 4.0)])
def test_a_postgresql_server_that_never_answers_is_reported_not_waited_for(options: str, within: float) -> None:
    """A server that takes the connection and says nothing (hung, or a firewall that swallows it):
    the command says so after a few seconds (the URL's own connect_timeout, if it names one)."""
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections are taken by the system and never answered
        port = silent.getsockname()[1]
        began = time.monotonic()
        try:
            result = p2pdesk("cases", db=f"postgresql+psycopg://desk@127.0.0.1:{port}/p2pdesk{options}")
        except subprocess.TimeoutExpired:
            pytest.fail("the command waited for the server for two minutes")
        took = time.monotonic() - began
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"p2pdesk: The database at postgresql+psycopg://desk@127.0.0.1:{port}/p2pdesk")
    assert "timeout" in result.stderr
    assert took < within


def test_an_integrity_error_that_is_no_race_is_not_blamed_on_another_desk(db_url: str, monkeypatch) -> None:  # noqa: ANN001
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    from p2pdesk.services.desk import Desk
    from p2pdesk.services.records import Records

    Desk.open(db_url).close()
    fault = IntegrityError("INSERT", {}, sqlite3.IntegrityError("NOT NULL constraint failed: record.digest"))

    def fail(*_args: object) -> None:
        raise fault

    monkeypatch.setattr(Records, "seal_and_sign", fail)
    with pytest.raises(IntegrityError, match="NOT NULL constraint failed"):
        cli.main(["--db", db_url, "seal", "1"])
