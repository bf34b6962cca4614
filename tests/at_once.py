"""Several desks at the same moment: separate processes on one database, released together."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from tests.conftest import ROOT


def at_once(
    code: str, *args: str, desks: int = 4, each: Sequence[str] = (), timeout: float = 120
) -> list[subprocess.CompletedProcess[str]]:
    """Run ``code`` in ``desks`` Python processes (``args`` as their arguments; with ``each``, one
    process per item, given as its last argument) and release them together: each prepares
    (imports, opens its database), calls ``ready()``, which waits until every one is ready, then
    does what it races on. Their exit status and output, in order."""
    prelude = "import sys\ndef ready():\n    print('ready', flush=True)\n    sys.stdin.readline()\n"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", prelude + code, *args, *mine],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mine in ([[item] for item in each] if each else [[]] * desks)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line == "ready\n", f"a desk did not get ready: {line!r} {process.communicate()[1]}"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=timeout)
            results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
