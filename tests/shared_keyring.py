"""One computer's keyring for several desks (processes), held in memory by a server process the
test starts: nothing is written to disk. For tests only."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.managers import BaseManager, DictProxy

from keyring.backend import KeyringBackend

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


class SharedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, where: str = "") -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}
        if where:
            host, port, authkey = where.split(":")
            client = _Server(address=(host, int(port)), authkey=authkey.encode())
            client.connect()
            self.secrets = client.secrets()  # type: ignore[attr-defined]

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)
