"""SimulatorServer: the simulator on a real port of 127.0.0.1, served from a daemon thread."""

from __future__ import annotations

import threading
from types import TracebackType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .api import create_simulator
from .state import SimulatorState


class QuietRequestHandler(WSGIRequestHandler):
    """A request handler that does not log every request, which would drown benchmark output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing for a served request (errors are still logged)."""


class SimulatorServer:
    """Serve a simulator app on a free port of 127.0.0.1 until stopped; usable as a context manager."""

    def __init__(self, app_or_state: Flask | SimulatorState | None = None, *, port: int = 0) -> None:
        if isinstance(app_or_state, Flask):
            self.app = app_or_state
        else:
            self.app = create_simulator(app_or_state)
        self.state: SimulatorState = self.app.extensions["wechat_simulator"]
        self.port = port  # 0: any free port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:54321 (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the simulator server is not running")
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> SimulatorServer:
        """Start serving in a daemon thread and return self."""
        if self._server is None:
            self._server = make_server(
                "127.0.0.1", self.port, self.app, threaded=True, request_handler=QuietRequestHandler
            )
            # A short poll interval keeps stop() quick, which matters when every test starts a server.
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="wechat-simulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def wait(self) -> None:
        """Block until the serving thread ends (Ctrl-C in a terminal)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
        self._server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
