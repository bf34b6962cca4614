"""Desks of one practice sharing a store, doing the same thing at the same moment."""

from __future__ import annotations

from pathlib import Path

import pytest

from p2pdesk.services.desk import Desk
from tests.at_once import at_once
from tests.conftest import DEMO, ROOT

BUNDLE = ROOT / "resources" / "fhir" / "chronic-migraine-denial.bundle.json"


@pytest.mark.parametrize(("how", "file"), [("import_case", DEMO), ("import_fhir", BUNDLE)])
def test_one_file_imported_by_several_desks_at_once_makes_one_case(db_url: str, how: str, file: Path) -> None:
    Desk.open(db_url).close()
    results = at_once(
        "from p2pdesk.domain.errors import InvalidInput\n"
        "from p2pdesk.services.casefile import parse_case\n"
        "from p2pdesk.services.desk import Desk, _case_file_problems\n"
        "from p2pdesk.services.fhir_import import case_from_bundle\n"
        "desk = Desk.open(sys.argv[1])\n"
        "desk.cases()\n"
        "text = open(sys.argv[3], encoding='utf-8').read()\n"
        "# Read once beforehand (its schema loaded): the desks race on the store, not on reading.\n"
        "_case_file_problems(parse_case(text) if sys.argv[2] == 'import_case' else case_from_bundle(text))\n"
        "ready()\n"
        "try:\n"
        "    print(getattr(desk, sys.argv[2])(text))\n"
        "except InvalidInput as exc:\n"
        "    print(exc)\n",
        db_url,
        how,
        str(file),
        desks=6,
    )
    assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 6
    desk = Desk.open(db_url)
    (case,) = desk.cases()
    assert (
        sorted(r.stdout for r in results)
        == [f"{case.id}\n"]
        + [
            f"claim number: {case.claim_number!r} of member {case.member_id!r} is already on file as case {case.id}; "
            "open and edit that case instead\n"
        ]
        * 5
    )
    desk.close()
