"""The practice's history: how often P2P calls reverse denials, by payer, by service, by whether
the reviewer's specialty matched, and by whether the brief was complete; and how long from the
denial to the decision.

The reversal rate of a group is reversed calls over calls with a disposition (reversed, upheld or
deferred); calls without one are not counted. Days from denial to decision run from the case's
denial date to the day the call ended.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass

from p2pdesk.domain.call import Call, Disposition
from p2pdesk.domain.case import Case
from p2pdesk.playbook.readiness import readiness
from p2pdesk.playbook.specialties import match

DIMENSIONS = ("payer", "service", "reviewer specialty", "brief")


@dataclass(frozen=True)
class Group:
    dimension: str
    key: str
    calls: int
    reversed: int
    median_days: float | None

    @property
    def rate(self) -> float:
        return self.reversed / self.calls if self.calls else 0.0


_MATCH = {"same": "matched", "similar": "similar", "different": "different"}


def _keys(case: Case, call: Call, brief: str) -> dict[str, str]:
    verdict = match(case.physician_specialty, call.reviewer_specialty).verdict
    return {
        "payer": case.payer,
        "service": case.service_code,
        "reviewer specialty": _MATCH.get(verdict, "unknown"),
        "brief": brief,
    }


def history(pairs: list[tuple[Case, Call]]) -> list[Group]:
    """Every group of every dimension, in dimension order, largest group first."""
    buckets: dict[tuple[str, str], list[tuple[bool, float | None]]] = {}
    complete: dict[int, str] = {}
    for case, call in pairs:
        if call.disposition is None:
            continue
        if case.id not in complete:
            complete[case.id] = "complete" if not readiness(case) else "incomplete"  # type: ignore[index]
        days = (
            float((call.ended_at.date() - case.denial_date).days)
            if call.ended_at is not None and case.denial_date is not None
            else None
        )
        for dimension, key in _keys(case, call, complete[case.id]).items():  # type: ignore[index]
            buckets.setdefault((dimension, key), []).append((call.disposition is Disposition.REVERSED, days))
    groups = []
    for (dimension, key), outcomes in buckets.items():
        days = [d for _, d in outcomes if d is not None]
        groups.append(
            Group(
                dimension,
                key,
                len(outcomes),
                sum(1 for r, _ in outcomes if r),
                statistics.median(days) if days else None,
            )
        )
    return sorted(groups, key=lambda g: (DIMENSIONS.index(g.dimension), -g.calls, g.key))


def to_csv(groups: list[Group]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dimension", "group", "calls", "reversed", "reversal_rate", "median_days_denial_to_decision"])
    for g in groups:
        writer.writerow(
            [
                g.dimension,
                g.key,
                g.calls,
                g.reversed,
                f"{g.rate:.4f}",
                "" if g.median_days is None else f"{g.median_days:g}",
            ]
        )
    return out.getvalue()
