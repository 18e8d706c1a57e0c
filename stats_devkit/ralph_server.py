"""Ralph's LRS on 127.0.0.1 with its file-system backend: run by ``ralph_lrs`` with the
interpreter of Ralph's own virtualenv (``requirements-lrs.txt``), never imported elsewhere.

Two departures from ``ralph runserver -b fs``, both for Ralph 5.1.0:
- ``runserver`` is uvicorn with ``reload=True`` fixed: it watches its working directory and
  restarts on every change there, and forks a worker; uvicorn is run here without it, on a
  socket this process binds (port 0: the system picks a free one) and announces.
- The fs backend writes in ``create`` mode, which refuses an existing file: the first POST
  of new statements creates ``fs_lrs.jsonl`` and every later one answers ``500 Statements
  bulk indexation failed``. It is switched to ``append``, which every write of an LRS needs;
  validation, duplicate ids, conflicts, voiding and queries stay Ralph's own.

The backend and the credentials come from the environment, as ``runserver`` passes them:
``RALPH_RUNSERVER_BACKEND=fs``, ``RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH`` and
``RALPH_APP_DIR`` (holding the ``auth.json`` that ``ralph auth`` writes).
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

ANNOUNCEMENT = "ralph LRS listening on http://127.0.0.1:{port}"


def main() -> None:
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    listener = socket.socket()
    listener.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    print(ANNOUNCEMENT.format(port=listener.getsockname()[1]), flush=True)
    server = uvicorn.Server(uvicorn.Config("ralph.api:app", log_level="warning"))
    server.run(sockets=[listener])


if __name__ == "__main__":
    main()
