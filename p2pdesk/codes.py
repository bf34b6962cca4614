"""Checks of the codes a case carries: ICD-10-CM diagnoses, CPT/HCPCS services, NPIs.

ICD-10-CM codes are looked up in the code set shipped by the ``simple-icd-10-cm`` package (loading
it takes a couple of seconds: the window does it off its GUI thread). CPT descriptions are
licensed by the AMA and are not shipped: CPT and HCPCS Level II codes are checked for their form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

ICD_FORM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
CPT_FORM = re.compile(r"^([0-9]{5}|[0-9]{4}[FTU])$")
HCPCS_FORM = re.compile(r"^[A-V][0-9]{4}$")


@dataclass(frozen=True)
class CodeCheck:
    """The verdict on one code: ``kind`` is billable, header, cpt, hcpcs, valid, unknown or malformed."""

    code: str
    ok: bool
    kind: str
    description: str = ""
    message: str = ""


@cache
def _icd() -> Any:
    import warnings

    with warnings.catch_warnings():  # the package still imports pkg_resources
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return simple_icd_10_cm


def load_code_sets() -> None:
    """Load the ICD-10-CM code set now (slow the first time)."""
    _icd()


def check_icd10cm(code: str) -> CodeCheck:
    """Is this a real ICD-10-CM code, and can it be billed (a leaf) or is it a header?"""
    normalized = code.strip().upper()
    if not ICD_FORM.match(normalized):
        return CodeCheck(code, False, "malformed", message=f"{code!r} is not in ICD-10-CM form (e.g. M05.79)")
    cm = _icd()
    if not cm.is_valid_item(normalized):
        return CodeCheck(code, False, "unknown", message=f"{normalized} is not in the ICD-10-CM code set")
    description = cm.get_description(normalized)
    if cm.is_leaf(normalized):
        return CodeCheck(code, True, "billable", description)
    return CodeCheck(
        code,
        False,
        "header",
        description,
        f"{normalized} is a header code ({description}); a claim needs a billable code below it",
    )


def check_service_code(code: str) -> CodeCheck:
    """CPT (five digits, or four digits and F, T or U) or HCPCS Level II (a letter A-V and four digits)."""
    normalized = code.strip().upper()
    if CPT_FORM.match(normalized):
        return CodeCheck(code, True, "cpt", message="CPT code (descriptions are licensed and not shown)")
    if HCPCS_FORM.match(normalized):
        return CodeCheck(code, True, "hcpcs", message="HCPCS Level II code")
    return CodeCheck(
        code,
        False,
        "malformed",
        message=f"{code!r} is neither CPT (e.g. 99214, 0042T) nor HCPCS Level II (e.g. J1745)",
    )


def npi_check_digit(first_nine: str) -> int:
    """The NPI's check digit: Luhn over the constant prefix 80840 and the first nine digits."""
    total = 0
    for i, ch in enumerate(reversed("80840" + first_nine)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def check_npi(npi: str) -> CodeCheck:
    value = npi.strip()
    if not re.fullmatch(r"[0-9]{10}", value):
        return CodeCheck(npi, False, "malformed", message=f"{npi!r} is not ten digits")
    if npi_check_digit(value[:9]) != int(value[9]):
        return CodeCheck(npi, False, "unknown", message=f"{value} fails the NPI check digit (a typo?)")
    return CodeCheck(npi, True, "valid")
