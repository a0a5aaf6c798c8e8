"""A TCP proxy that delays every byte by half a round trip each way: the local control plane
as if it were across a network (``python -m bench --rtt-ms 20``).

On 127.0.0.1 a request costs no network time at all, which hides what sequential clients pay
on a real cluster (a CI runner talking to a cloud API server: a few ms in one region, tens of
ms across regions). The proxy forwards the TLS stream untouched (the API server's certificate
names 127.0.0.1, so clients still verify it), in a background thread of the benchmark
process; its own CPU (a few tens of microseconds per chunk) is spent on the same cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from urllib.parse import urlsplit

import yaml

CHUNK = 1 << 16


class DelayProxy:
    def __init__(self, upstream: str, rtt_ms: float) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 443
        self.delay = rtt_ms / 2000.0
        self.loop = asyncio.new_event_loop()
        self.listen_port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delay-proxy", daemon=True)

    def start(self) -> int:
        """Start listening on 127.0.0.1; returns the port."""
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the delay proxy did not start")
        return self.listen_port

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, limit=CHUNK)
        )
        self.listen_port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port, limit=CHUNK)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True
        )
        for w in (writer, up_writer):
            with contextlib.suppress(OSError, RuntimeError):
                w.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward ``reader`` to ``writer``, each chunk ``delay`` after it arrived, in order."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                wait = due - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    with contextlib.suppress(OSError, RuntimeError):
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        delivering = asyncio.ensure_future(deliver())
        try:
            while True:
                try:
                    data = await reader.read(CHUNK)
                except OSError:
                    data = b""
                queue.put_nowait((self.loop.time() + self.delay, data))
                if not data:
                    break
            await delivering
        finally:
            delivering.cancel()


def kubeconfig_through(source: Path, target: Path, port: int) -> Path:
    """A copy of ``source`` whose clusters are reached through the proxy on ``port``."""
    config = yaml.safe_load(source.read_text())
    for cluster in config.get("clusters", []):
        server = urlsplit(cluster["cluster"]["server"])
        cluster["cluster"]["server"] = f"{server.scheme}://127.0.0.1:{port}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config), encoding="utf-8")
    target.chmod(0o600)
    return target
