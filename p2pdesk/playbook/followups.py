"""What the designee checks after a call, by disposition (see "After the call" in the domain notes).

Deadlines that depend on the plan and the state come with the clock; these are the ones every
call has.
"""

from __future__ import annotations

from datetime import timedelta

from p2pdesk.domain.call import Call, Disposition
from p2pdesk.domain.record import FollowUp


def follow_ups(call: Call) -> list[FollowUp]:
    """The follow-ups a call's disposition calls for, each with its due date when one applies."""
    ended = call.ended_at or call.started_at
    if call.disposition is Disposition.REVERSED:
        return [
            FollowUp("Written confirmation of the reversal received", ended + timedelta(hours=24)),
            FollowUp(
                f"Authorization {call.authorization_number} visible in the plan's system",
                ended + timedelta(hours=48),
            ),
            FollowUp("EOB shows the service paid (verbal reversals get lost)"),
        ]
    if call.disposition is Disposition.UPHELD:
        return [
            FollowUp("Specific clinical reasoning received in writing (final adverse determination)"),
            FollowUp("Written internal appeal filed, with this record attached"),
        ]
    if call.disposition is Disposition.DEFERRED:
        return [FollowUp(f"Send what the reviewer asked for: {call.information_requested}", call.requested_by)]
    return [FollowUp("Disposition not recorded: ask the plan for the outcome in writing")]
