"""Where the demo case lives and how the store recognises it once imported."""

from __future__ import annotations

DEMO_CASE_FILE = ("demo", "ra-biologic.case.json")
DEMO_MEMBER_ID = "LHP448120933"
DEMO_CLAIM_NUMBER = "PA-2026-1118-0457"
