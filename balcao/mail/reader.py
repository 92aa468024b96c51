"""The reader process's side of a large fetch (balcao.mail.imap.reader): a second process
parses the next messages while the ingest writes the current one.

Pure: the parser and the standard library; no Django — the process is started fresh
("spawn") and never touches the database, the server or the files.
"""

from __future__ import annotations

import os
import threading
import time

from balcao.mail.parsing import Reading, read_completely

PARENT_CHECK_SECONDS = 1.0

__all__ = ["Reading", "read_completely", "watch_parent"]


def watch_parent(parent: int) -> None:
    """Run first in the reader process: end it as soon as the process that started it is
    gone. A killed ingest (SIGKILL, the OOM killer) cannot shut its reader down, and the
    reader would otherwise wait for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="balcao-mail-reader-parent", daemon=True).start()
