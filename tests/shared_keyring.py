"""One computer's keyring for several desks (processes), held in memory by a server process the
test starts: nothing is written to disk. For tests only."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.managers import BaseManager, DictProxy

from tests.memory_keyring import MemoryKeyring

_SECRETS: dict[tuple[str, str], str] = {}


def _secrets() -> dict[tuple[str, str], str]:
    return _SECRETS


class _Server(BaseManager):
    pass


_Server.register("secrets", callable=_secrets, proxytype=DictProxy)


@contextmanager
def shared_keyring() -> Iterator[str]:
    """Serve a keyring; yields what a desk passes to SharedKeyring.at to use it."""
    authkey = secrets.token_hex(16)
    server = _Server(address=("127.0.0.1", 0), authkey=authkey.encode())
    server.start()
    try:
        host, port = server.address  # type: ignore[misc]
        yield f"{host}:{port}:{authkey}"
    finally:
        server.shutdown()


class SharedKeyring(MemoryKeyring):
    """MemoryKeyring whose secrets are the server's (``where``, from shared_keyring), or its own."""

    def __init__(self, where: str = "") -> None:
        super().__init__()
        if where:
            host, port, authkey = where.split(":")
            client = _Server(address=(host, int(port)), authkey=authkey.encode())
            client.connect()
            self.secrets = client.secrets()  # type: ignore[attr-defined]
