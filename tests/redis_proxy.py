"""A TCP proxy in front of the tests' Redis (or PostgreSQL) that can pass traffic, hang (accept and never answer)
or refuse.

The client sees a real server disappear or stop answering, which is what an outage looks like from the app;
the server behind it stays up, so the test can look at what the app wrote and let it recover.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

PASS, HANG, REFUSE = "pass", "hang", "refuse"


class RedisProxy:
    """Forward 127.0.0.1:<port> to the Redis of `upstream_url` (redis:// or unix://) in the mode set."""

    def __init__(self, upstream_url: str):
        parts = urlsplit(upstream_url)
        self._unix = parts.path if parts.scheme == "unix" else None
        self._tcp = None if self._unix else (parts.hostname, parts.port or 6379)
        self._db = parts.path.lstrip("/") if not self._unix and parts.path.strip("/") else "0"
        self.mode = PASS
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = []
        self._hung: list[socket.socket] = []  # held open and silent until close()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{self._db}"

    def set(self, mode: str) -> None:
        """Switch mode; leaving PASS cuts the connections open now (a restart or a hang hits them too)."""
        self.mode = mode
        if mode != PASS:
            with self._lock:
                sockets, self._sockets = self._sockets, []
            for sock in sockets:
                if mode == REFUSE:
                    _close(sock)
                else:
                    self._held(sock)

    def close(self) -> None:
        self._closed = True
        _close(self._listener)
        with self._lock:
            for sock in self._sockets + self._hung:
                _close(sock)

    def _held(self, sock: socket.socket) -> None:
        """Keep a connection open and unanswered: the client waits for its timeout."""
        with self._lock:
            self._hung.append(sock)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == REFUSE:
                _close(client)
            elif self.mode == HANG:
                self._held(client)
            else:
                self._connect(client)

    def _connect(self, client: socket.socket) -> None:
        upstream = socket.socket(socket.AF_UNIX) if self._unix else socket.socket()
        upstream.connect(self._unix or self._tcp)
        with self._lock:
            self._sockets += [client, upstream]
        for source, target in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
                if not data or self.mode != PASS:
                    break
                target.sendall(data)
            except OSError:
                break
        if self.mode == PASS:  # a hang keeps the client's side open and silent
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    sock.close()  # closing twice or a dead socket is harmless
