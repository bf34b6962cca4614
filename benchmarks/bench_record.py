"""Seal + render + sign + write a 200-note call record, measured in one run.

    .venv/bin/python benchmarks/bench_record.py [--runs 9] [--notes 200]

Each run seals a fresh ended call of ``--notes`` notes through the same code the window uses
(Records.seal_and_sign: hash chain, structured record, PDF, PAdES signature, one database
transaction). Reported: the median of the whole, and the median split between rendering the PDF
and signing it (target: whole <= 0.5 s). Signing secrets are kept in an in-memory keyring here so
that the OS keyring's own latency is not counted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from p2pdesk.domain.call import Disposition, NoteKind  # noqa: E402
from p2pdesk.domain.record import build_record  # noqa: E402
from p2pdesk.playbook.followups import follow_ups  # noqa: E402
from p2pdesk.record.pdf import render_record  # noqa: E402
from p2pdesk.record.signing import load_signer, sign_record  # noqa: E402
from p2pdesk.services.casefile import case_to_dict  # noqa: E402
from p2pdesk.services.desk import Desk  # noqa: E402
from p2pdesk.services.records import Records  # noqa: E402
from tests.memory_keyring import MemoryKeyring  # noqa: E402


def _call(desk: Desk, case_id: int, notes: int) -> int:
    call = desk.start_call(case_id)
    desk.set_reviewer(call.id, "Gregory Haines", "MD", "Rheumatology")  # no mismatch note: exactly N notes
    kinds = list(NoteKind)
    for i in range(notes - 2):
        desk.add_note(call.id, kinds[i % 4], f"Note {i}: the reviewer asked about week {i % 14} of methotrexate")
    desk.set_disposition(call.id, Disposition.REVERSED, authorization_number=f"AUTH-{call.id}")
    desk.end_call(call.id)
    return call.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--notes", type=int, default=200)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        desk = Desk.open(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        case_id = desk.load_demo()
        records = Records(desk)
        records.seal_and_sign(_call(desk, case_id, 3))  # warm up: imports, fonts, the signing key
        whole, render, sign = [], [], []
        for _ in range(args.runs):
            call_id = _call(desk, case_id, args.notes)
            start = time.perf_counter()
            record = records.seal_and_sign(call_id)
            whole.append(time.perf_counter() - start)
            assert len(json.loads(record.record_json)["notes"]) == args.notes
            # The split, on the same call: rendering, then signing.
            case, call, notes = desk.case(case_id), desk.call(call_id), desk.notes(call_id)
            structured = build_record(
                case_to_dict(case), case, call, notes, version=1, sealed_at=desk.now(), follow_ups=follow_ups(call)
            )
            t0 = time.perf_counter()
            pdf = render_record(structured)
            t1 = time.perf_counter()
            sign_record(pdf, json.dumps(structured).encode(), load_signer(records.signer_identity(case)), "x")
            t2 = time.perf_counter()
            render.append(t1 - t0)
            sign.append(t2 - t1)
        print(
            f"seal + render + sign + write, {args.notes} notes: median {statistics.median(whole) * 1000:.0f} ms "
            f"(min {min(whole) * 1000:.0f}, max {max(whole) * 1000:.0f}; target <= 500 ms); "
            f"rendering {statistics.median(render) * 1000:.0f} ms, signing {statistics.median(sign) * 1000:.0f} ms "
            f"(medians of {args.runs})"
        )


if __name__ == "__main__":
    main()
