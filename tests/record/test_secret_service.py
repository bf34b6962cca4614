"""End to end through the real Secret Service: GNOME Keyring in a private D-Bus session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HAVE = shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")


@pytest.mark.slow
@pytest.mark.skipif(
    not HAVE and not os.environ.get("CI"), reason="needs dbus and gnome-keyring (scripts/dev test installs them)"
)
def test_sealing_through_the_real_secret_service(tmp_path: Path, db_url: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")},
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PYTHONPATH": str(ROOT),
    }
    script = (
        "echo -n desk-test-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
        f'exec "{sys.executable}" -m tests.record.secret_service_driver "{db_url}"'
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "backend keyring.backends.SecretService.Keyring"
    assert lines[1].startswith("sealed ") and lines[2] == "verified"
    # The key is in the keyring's own (encrypted) store, not in the database.
    assert b"PRIVATE KEY" not in Path(db_url.removeprefix("sqlite:///")).read_bytes()
