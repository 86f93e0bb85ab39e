"""The lab's background event-loop thread, and the errors and log it keeps.

Every lab server (DNS, HTTPS, SMTP receivers, attackers, relays) runs in one
asyncio event loop on a thread of its own, so the lab works inside a Jupyter
kernel, whose own loop is busy, and in plain Python. :class:`LoopThread` holds
the :class:`~helpers.lab.Lab` methods that run coroutines in that loop from the
caller's thread, with a timeout, and that catch what goes wrong in it. Records
logged on the lab's thread go to that lab's log (``lab.log()``), never to a
notebook cell's stderr.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from concurrent.futures import TimeoutError as _FutureTimeout

from .scenarios import LAB_ADDRESS

_LOGGERS = ("helpers.lab", "mail.log", "asyncio")


class LabError(RuntimeError):
    """The lab could not do what was asked; the message says why."""


class _LogBuffer(logging.Handler):
    def __init__(self, size: int = 5000):
        super().__init__(logging.INFO)
        self.lines: collections.deque[str] = collections.deque(maxlen=size)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


class _ToLabLog(logging.Filter):
    """Sends records logged on a lab's thread to that lab's log, and only there,
    so server chatter never surfaces as stderr in a notebook cell; records from
    other threads pass on untouched."""

    buffers: dict[str, _LogBuffer] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        buffer = self.buffers.get(record.threadName)
        if buffer is None:
            return True
        if record.levelno >= buffer.level:
            buffer.handle(record)
        return False


_TO_LAB_LOG = _ToLabLog()
for _name in _LOGGERS:
    logging.getLogger(_name).addFilter(_TO_LAB_LOG)


class LoopThread:
    """The :class:`~helpers.lab.Lab` methods that use its event-loop thread."""

    def _require_running(self) -> None:
        if self._loop is None or not self._loop.is_running():
            raise LabError("the lab is not running: start it with Lab.start()")

    def _call(self, coro, timeout: float = 10.0):
        try:
            self._require_running()
        except LabError:
            coro.close()
            raise
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except _FutureTimeout:
            future.cancel()
            raise LabError(f"the lab did not answer within {timeout} s") from None

    def _start_server(self, server) -> None:
        """``await server.start()`` in the loop thread. If that is interrupted
        (Ctrl-C) or fails, the server may still come up in the loop thread after
        this returns: it is then closed as soon as it has started, and on stop."""
        self._require_running()
        loop = self._loop
        future = asyncio.run_coroutine_threadsafe(server.start(LAB_ADDRESS), loop)
        try:
            future.result(10)
        except BaseException as e:
            self._orphans.append(server)
            future.add_done_callback(lambda _: self._close_soon(loop, server))
            if isinstance(e, _FutureTimeout):
                raise LabError(f"{type(server).__name__} did not start within 10 s") from None
            raise

    @staticmethod
    def _close_soon(loop, server) -> None:
        try:
            loop.call_soon_threadsafe(lambda: loop.create_task(server.stop()))
        except RuntimeError:  # the loop is closed: its servers are gone with it
            pass

    def _loop_error(self, loop, context) -> None:
        exc = context.get("exception")
        self._log.lines.append(
            f"helpers.lab ERROR {context.get('message', '')}: {exc!r}" if exc
            else f"helpers.lab ERROR {context.get('message', '')}")

    @property
    def running(self) -> bool:
        return self._started and self._loop is not None and self._loop.is_running()
