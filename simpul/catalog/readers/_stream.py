"""Put back bytes already read from a stream that may not be seekable (an upload, a pipe)."""

from __future__ import annotations

import io
from typing import Any, BinaryIO


class _Prefixed(io.RawIOBase):
    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def replay(head: bytes, rest: BinaryIO) -> BinaryIO:
    """A stream that gives `head` again, then the rest of `rest`."""
    if not head:
        return rest
    return io.BufferedReader(_Prefixed(head, rest), buffer_size=64 * 1024)
