"""Start the desk: bind a port, build the app, serve with uvicorn until Ctrl-C.

The socket is bound before the app is built, so the Host values the guard accepts name the
real port (also when the port was picked by the system), and the URL is known before serving.
"""

from __future__ import annotations

import ipaddress
import secrets
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.desk.app import create_app
from workbench.desk.session import DeskSession
from workbench.desk.terms import TermDesk
from workbench.errors import WorkbenchError
from workbench.settings import Settings

LOOPBACK = "127.0.0.1"
#: The desk's usual port; when it is taken (and none was asked for) the system picks one.
DEFAULT_PORT = 8377


@dataclass
class Desk:
    """A bound, not yet serving, review desk."""

    session: DeskSession
    sock: socket.socket
    token: str
    url: str
    public: bool

    def serve(self, terms: TermDesk, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until interrupted (Ctrl-C, SIGTERM); uvicorn shuts down cleanly."""
        import uvicorn

        port = self.sock.getsockname()[1]
        hosts = None if self.public else {f"{name}:{port}" for name in
                                          ("127.0.0.1", "localhost", "[::1]")}
        app = create_app(self.session, terms, self.token, hosts)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                server_header=False, date_header=False,
                                timeout_graceful_shutdown=3)
        server = uvicorn.Server(config)
        if on_ready is not None:
            server_started = server.startup

            async def startup(sockets: list[socket.socket] | None = None) -> None:
                await server_started(sockets)
                on_ready()

            server.startup = startup  # type: ignore[method-assign]
        # uvicorn shuts down on SIGINT or SIGTERM, then raises the signal again for whoever
        # handled it before: both are this desk's normal way to stop, not an error.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run(sockets=[self.sock])
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.sock.close()
            self.session.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def is_loopback(host: str) -> bool:
    """Whether an address only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_desk(out_dir: Path, settings: Settings, port: int | None = None,
              host: str = LOOPBACK, read_only: bool = False) -> tuple[Desk, TermDesk]:
    """Open the run and bind the desk's port (not serving yet).

    Raises:
        WorkbenchError: the port is taken (when asked for) or cannot be bound.
        InputError, CacheError: the run or its cache cannot be opened.
    """
    session = DeskSession(out_dir, read_only=read_only)
    session.overview()  # the index's rows are made once: the first page loads as fast
    try:
        sock = _bind(host, port)
    except BaseException:
        session.close()
        raise
    bound_port = sock.getsockname()[1]
    shown = "127.0.0.1" if is_loopback(host) else host
    desk = Desk(session, sock, secrets.token_urlsafe(24), f"http://{shown}:{bound_port}/",
                not is_loopback(host))
    return desk, TermDesk(session, settings)


def _bind(host: str, port: int | None) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        try:
            sock.bind((host, DEFAULT_PORT if port is None else port))
        except OSError:
            if port is not None:
                raise
            sock.bind((host, 0))  # the usual port is taken: any free one will do
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise WorkbenchError(f"cannot listen on {host}:{port if port is not None else 0} "
                             f"({err.strerror or err}); give another --port") from err
    sock.set_inheritable(True)
    return sock
