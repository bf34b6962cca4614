"""The practice's history on a generated set of calls with known counts: exact rates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from p2pdesk.domain.call import Call, Disposition
from p2pdesk.playbook.analytics import history, to_csv
from p2pdesk.services.casefile import parse_case
from tests.conftest import DEMO


def _case(case_id: int, payer: str, service: str, complete: bool):  # noqa: ANN202
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["payer"], data["service"]["code"] = payer, service
    if not complete:
        del data["consequence_of_denial"]
    case = parse_case(json.dumps(data))
    case.id = case_id
    return case


def _call(case, disposition: Disposition | None, reviewer_specialty: str, days_after_denial: int) -> Call:  # noqa: ANN001
    ended = datetime.combine(case.denial_date + timedelta(days=days_after_denial), datetime.min.time(), tzinfo=UTC)
    return Call(
        case_id=case.id,
        started_at=ended - timedelta(minutes=12),
        ended_at=ended + timedelta(hours=15),
        reviewer_specialty=reviewer_specialty,
        disposition=disposition,
    )


def test_rates_by_payer_service_specialty_and_brief() -> None:
    lakeshore = _case(1, "Lakeshore", "J1745", complete=True)
    prairie = _case(2, "Prairie", "64615", complete=False)
    pairs = [
        (lakeshore, _call(lakeshore, Disposition.REVERSED, "Rheumatology", 2)),
        (lakeshore, _call(lakeshore, Disposition.REVERSED, "Internal Medicine", 4)),
        (lakeshore, _call(lakeshore, Disposition.UPHELD, "Family Medicine", 6)),
        (prairie, _call(prairie, Disposition.UPHELD, "Family Medicine", 3)),
        (prairie, _call(prairie, Disposition.DEFERRED, "Rheumatology", 5)),
        (prairie, _call(prairie, None, "Rheumatology", 1)),  # no outcome: not counted
    ]
    groups = {(g.dimension, g.key): g for g in history(pairs)}
    assert (groups["payer", "Lakeshore"].calls, groups["payer", "Lakeshore"].reversed) == (3, 2)
    assert groups["payer", "Lakeshore"].rate == 2 / 3 and groups["payer", "Prairie"].rate == 0.0
    assert groups["service", "J1745"].rate == 2 / 3 and groups["service", "64615"].calls == 2
    assert (groups["reviewer specialty", "matched"].calls, groups["reviewer specialty", "matched"].reversed) == (2, 1)
    assert groups["reviewer specialty", "similar"].rate == 1.0
    assert (
        groups["reviewer specialty", "different"].rate == 0.0 and groups["reviewer specialty", "different"].calls == 2
    )
    assert groups["brief", "complete"].rate == 2 / 3 and groups["brief", "incomplete"].rate == 0.0
    assert groups["payer", "Lakeshore"].median_days == 4 and groups["payer", "Prairie"].median_days == 4
    csv_text = to_csv(history(pairs))
    assert csv_text.splitlines()[0] == "dimension,group,calls,reversed,reversal_rate,median_days_denial_to_decision"
    assert "payer,Lakeshore,3,2,0.6667,4" in csv_text
    assert date(2026, 11, 18) == lakeshore.denial_date
