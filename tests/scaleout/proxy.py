"""A TCP proxy for tests, standing in for nginx in front of several server processes.

Each new connection goes to the first backend that accepts it, in the order given: while the
first is up, everything goes there; once it is killed, new connections (a reconnecting socket,
the next form post) go to the next. A connection to a backend that dies is closed on the client's
side too, as nginx does, so browsers notice at once.
"""

import asyncio
import threading
from collections import Counter

from tests.server_process import free_port


class FailoverProxy:
    def __init__(self, *backend_ports: int):
        self.backends = list(backend_ports)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Connections handed to each backend port, for tests to check where clients went.
        self.connections: Counter[int] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None

    def start(self) -> "FailoverProxy":
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self._loop
        ).result(timeout=5)
        return self

    def stop(self) -> None:
        async def shut_down():
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut_down(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _handle(self, client_reader, client_writer):
        for port in self.backends:
            try:
                backend_reader, backend_writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port), timeout=2
                )
            except (OSError, TimeoutError):
                continue  # down: try the next one
            self.connections[port] += 1
            break
        else:
            client_writer.close()
            return
        await asyncio.gather(
            _pipe(client_reader, backend_writer), _pipe(backend_reader, client_writer)
        )


async def _pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()
