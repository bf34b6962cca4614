"""The scheduling log and the written demand after two failed attempts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from p2pdesk.domain.errors import InvalidInput
from p2pdesk.domain.scheduling import demand_warranted
from p2pdesk.playbook.rules import demand_rule, load_rules
from p2pdesk.record.letters import demand_pdf, demand_text
from p2pdesk.services.desk import Desk
from tests.conftest import DEMO, ROOT


def test_attempts_are_logged_in_order_and_the_demand_waits_for_two_failures(desk: Desk, clock) -> None:  # noqa: ANN001
    case_id = desk.load_demo()
    desk.log_attempt(
        case_id,
        "failed",
        whom="Dana (scheduling)",
        reference="REF-1",
        hold_minutes=42,
        detail="No reviewer available this week",
    )
    assert not demand_warranted(desk.attempts(case_id))
    clock.advance(3600 * 20)
    desk.log_attempt(case_id, "failed", whom="IVR", reference="REF-2", hold_minutes=35)
    attempts = desk.attempts(case_id)
    assert [a.reference for a in attempts] == ["REF-1", "REF-2"] and demand_warranted(attempts)
    with pytest.raises(InvalidInput, match="hold time: 5000 minutes"):
        desk.log_attempt(case_id, "failed", hold_minutes=5000)


def test_demand_cites_the_rule_that_obliges_the_plan(desk: Desk, clock, tmp_path: Path) -> None:  # noqa: ANN001
    from zoneinfo import ZoneInfo

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    del data["denial"]["date"]  # before the decision: Texas requires the plan to offer the discussion
    case_id = desk.import_case(json.dumps(data))
    case = desk.case(case_id)
    with pytest.raises(InvalidInput, match="two failed scheduling attempts"):
        demand_text(case, desk.attempts(case_id), None, clock.now.date(), ZoneInfo("America/Chicago"))
    desk.log_attempt(case_id, "failed", whom="Dana", reference="REF-1", hold_minutes=42)
    desk.log_attempt(case_id, "failed", reference="REF-2")
    rule = demand_rule(load_rules(Path("/nonexistent")), case)
    assert rule is not None and rule.id == "tx-pre-denial-discussion"
    letter = demand_text(case, desk.attempts(case_id), rule, clock.now.date(), ZoneInfo("America/Chicago"))
    assert "WRITTEN DEMAND FOR A PEER-TO-PEER REVIEW" in letter
    assert "28 TAC § 19.1710 (Tex. Ins. Code § 4201.206)" in letter
    assert "REF-1, on hold 42 min" in letter and "reported to the state insurance regulator" in letter
    pdf = tmp_path / "demand.pdf"
    pdf.write_bytes(demand_pdf(letter))
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "28 TAC § 19.1710" in shown and "Carmen Delgado" in shown


def test_log_attempt_and_demand_letter_commands(db_url: str, tmp_path: Path) -> None:
    run = [sys.executable, "-m", "p2pdesk", "--db", db_url]
    assert subprocess.run([*run, "import-case", str(DEMO)], cwd=ROOT, capture_output=True).returncode == 0
    early = subprocess.run(
        [*run, "demand-letter", "1", "-o", str(tmp_path / "d.pdf")], cwd=ROOT, capture_output=True, text=True
    )
    assert early.returncode == 2 and "two failed scheduling attempts" in early.stderr
    for ref in ("A-1", "A-2"):
        logged = subprocess.run(
            [*run, "log-attempt", "1", "--outcome", "failed", "--reference", ref, "--hold", "30"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert logged.returncode == 0, logged.stderr
    assert "failed attempts so far: 2" in logged.stdout
    made = subprocess.run(
        [*run, "demand-letter", "1", "-o", str(tmp_path / "d.pdf")], cwd=ROOT, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF") and "A-2" in (tmp_path / "d.txt").read_text()


def test_patient_letters_to_the_plan_and_the_office(db_url: str, tmp_path: Path) -> None:
    run = [sys.executable, "-m", "p2pdesk", "--db", db_url]
    assert subprocess.run([*run, "import-case", str(DEMO)], cwd=ROOT, capture_output=True).returncode == 0
    made = subprocess.run(
        [
            *run,
            "patient-letters",
            "1",
            "-o",
            str(tmp_path),
            "--office-contact",
            "Lakeside Rheumatology, 555-0142",
            "--p2p-line",
            "1-800-555-0199",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    request = (tmp_path / "request-to-plan.txt").read_text(encoding="utf-8")
    assert "member LHP448120933" in request and "Lakeside Rheumatology, 555-0142" in request
    assert "confirm in writing the deadline" in request and "treat this letter as my request for an appeal" in request
    note = (tmp_path / "note-to-office.txt").read_text(encoding="utf-8")
    assert "1-800-555-0199" in note and "PA-2026-1118-0457" in note
    shown = subprocess.run(["pdftotext", str(tmp_path / "request-to-plan.pdf"), "-"], capture_output=True, text=True)
    assert "REQUEST FOR A PEER-TO-PEER REVIEW" in shown.stdout


def test_an_attempt_that_says_nothing_is_refused_and_nothing_is_logged(desk: Desk) -> None:
    case_id = desk.load_demo()
    with pytest.raises(InvalidInput, match="attempt: says nothing yet; give whom you reached"):
        desk.log_attempt(case_id, "failed", whom="  ", reference="", detail=" ")
    assert desk.attempts(case_id) == []
    desk.log_attempt(case_id, "failed", hold_minutes=0)  # held, and hung up on: that is something
    assert [a.hold_minutes for a in desk.attempts(case_id)] == [0]
