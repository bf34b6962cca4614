"""Seal and verify a record with the real OS keyring (run inside a D-Bus session with GNOME Keyring).

    python -m tests.record.secret_service_driver DB_URL

Prints the keyring backend's class, then ``sealed`` and ``verified`` lines, or fails loudly.
"""

from __future__ import annotations

import sys

import keyring

from p2pdesk.domain.call import Disposition
from p2pdesk.record.signing import KEYRING_SERVICE, keyring_key
from p2pdesk.services.desk import Desk
from p2pdesk.services.records import Records


def main(url: str) -> None:
    backend = keyring.get_keyring()
    print(f"backend {type(backend).__module__}.{type(backend).__qualname__}", flush=True)
    desk = Desk.open(url)
    call = desk.start_call(desk.load_demo())
    desk.set_disposition(call.id, Disposition.REVERSED, authorization_number="SS-1")
    desk.end_call(call.id)
    records = Records(desk)
    record = records.seal_and_sign(call.id)
    print(f"sealed {record.id}", flush=True)
    verdict = records.verify_stored(record.id)
    assert verdict.ok, verdict.lines()
    secret = keyring.get_password(KEYRING_SERVICE, keyring_key("1523847618", "Maya Okafor"))
    assert secret is not None and "PRIVATE KEY" in secret
    print("verified", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
