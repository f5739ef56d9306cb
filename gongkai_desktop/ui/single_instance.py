"""One window per database: a second start on the same database brings the first forward.

The first window listens on a local socket (QLocalServer) named after the user and the
database's absolute path; a later start connects to it, sends ``raise`` and exits. Two
windows on one file would each keep their own view of the records and their own daily
backup; CLI commands are not affected (writes from several processes are serialised
by SQLite: every write transaction begins IMMEDIATE).
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

RAISE = b"raise\n"
ANSWER = b"ok\n"
CONNECT_MS = 500
REPLY_MS = 2000
ALREADY_OPEN = "该数据库已在另一个窗口中打开，已切换到那个窗口（同一数据库只能开一个窗口）。"


def server_name(db_path: Path) -> str:
    """Per user and per database file (a short name: Unix socket paths are limited)."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name: the path alone still separates databases
        user = ""
    key = f"{user}\n{Path(db_path).absolute().resolve()}".encode()
    return "gongkai-" + hashlib.sha256(key).hexdigest()[:24]


def ask_running_window(name: str) -> bool:
    """Whether a window answers on ``name``; if so it has been asked to come forward.
    Blocking (short timeouts): call before this process's event loop runs."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(RAISE)
    socket.waitForBytesWritten(REPLY_MS)
    # connected is enough to know a window is there; the answer only confirms it acted
    if not (socket.waitForReadyRead(REPLY_MS) and socket.readAll().data() == ANSWER):
        log.warning("the running window did not confirm the raise request")
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """``claim()`` once at start; ``raise_requested`` fires when a later start asks."""

    raise_requested = Signal()

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(db_path)
        self.server = QLocalServer(self)
        # only this user may connect (Unix: socket file mode; Windows: pipe ACL)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def claim(self) -> bool:
        """True: this process is the window for the database (it now listens). False: a
        window is already open on it and has been asked to come forward."""
        if ask_running_window(self.name):
            return False
        if self.server.listen(self.name):
            return True
        # Started at the same instant as another window, or a name left behind by a
        # window that crashed: ask once more, and only if nothing answers remove it.
        if ask_running_window(self.name):
            return False
        QLocalServer.removeServer(self.name)
        if not self.server.listen(self.name):
            # never refuse to start over the guard itself: run without it, say so in the log
            log.warning("single-instance server %s: %s", self.name, self.server.errorString())
        return True

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        if socket.readLine().data() == RAISE:
            socket.write(ANSWER)
            socket.flush()
            self.raise_requested.emit()
