"""The case's records are plain data classes: they construct, compare and copy as dataclasses do."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, date, datetime
from unittest import mock

import pytest

from p2pdesk.domain.call import Note, NoteKind
from p2pdesk.domain.case import Case, PlanType, PolicyCriterion, SeverityMeasure
from p2pdesk.domain.plain import plain


def _case(**changes: object) -> Case:
    return Case("Zoë Nguyễn", "M123", "Lakeshore Health Plan", PlanType.ERISA, "M05.79", "J0135", **changes)


def test_arguments_by_position_and_keyword_with_defaults_and_factories() -> None:
    case = _case(state="TX", patient_dob=date(1970, 2, 3))
    assert (case.patient_name, case.plan_type, case.state, case.patient_dob) == (
        "Zoë Nguyễn",
        PlanType.ERISA,
        "TX",
        date(1970, 2, 3),
    )
    assert case.id is None and case.claim_number == "" and case.urgent is False
    other = _case()
    assert case.criteria == [] and other.criteria == [] and case.criteria is not other.criteria  # a list each
    measure = SeverityMeasure("DAS28-CRP", "5.1", measured_on=date(2026, 9, 1))
    assert (measure.value, measure.unit, measure.measured_on) == ("5.1", "", date(2026, 9, 1))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Case("Zoë Nguyễn"), "Case() missing required argument: 'member_id'"),
        (lambda: _case(member="M9"), "Case() got an unexpected keyword argument 'member'"),
        (lambda: _case(patient_name="Łukasz"), "Case() got multiple values for argument 'patient_name'"),
        (lambda: SeverityMeasure("a", "b", "c", None, "e"), "SeverityMeasure() takes 4 positional arguments but 5"),
    ],
)
def test_a_wrong_call_names_the_argument(make, message: str) -> None:  # noqa: ANN001
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_equal_by_class_and_every_value_and_unhashable() -> None:
    case = _case(criteria=[])
    assert case == _case() and case != _case(state="CA")
    for f in dataclasses.fields(Case):  # a change to any one field, the last included, is a change
        value = getattr(case, f.name)
        other = [PolicyCriterion("x")] if isinstance(value, list) else "x" if value != "x" else "y"
        assert case != dataclasses.replace(case, **{f.name: other}), f.name
    assert case != SeverityMeasure("x", "y") and SeverityMeasure("x", "y") == SeverityMeasure("x", "y")
    assert Case.__eq__(case, SeverityMeasure("x", "y")) is NotImplemented
    assert case == mock.ANY  # another type decides for itself
    with pytest.raises(TypeError, match="unhashable"):
        hash(case)


def test_a_class_plain_cannot_build_is_refused_where_it_is_defined() -> None:
    with pytest.raises(TypeError, match="defines __post_init__"):

        @plain
        class Checked:
            x: int

            def __post_init__(self) -> None:
                pass

    with pytest.raises(TypeError, match="y not init or keyword-only"):

        @plain
        class Derived:
            x: int
            y: int = dataclasses.field(default=0, init=False)


def test_fields_replace_and_deepcopy_work_as_on_a_dataclass() -> None:
    case = _case(state="TX")
    assert [f.name for f in dataclasses.fields(Case)][:7] == [
        "patient_name",
        "member_id",
        "payer",
        "plan_type",
        "diagnosis_code",
        "service_code",
        "id",
    ]
    changed = dataclasses.replace(copy.deepcopy(case), state="CA")
    assert changed.state == "CA" and case.state == "TX" and changed.member_id == "M123"
    assert dataclasses.replace(changed, state="TX") == case


def test_no_repr_prints_what_was_said() -> None:
    note = Note(1, datetime(2026, 11, 25, 15, tzinfo=UTC), NoteKind.REVIEWER_CLAIM, "Zoë Nguyễn failed methotrexate")
    assert "Zoë" not in repr(note) and "methotrexate" not in repr(note)
    assert "Zoë" not in repr(_case())
