"""Daphne, with a stop that lets the room down gently (`manage.py runworkshop` runs this).

Daphne's own SIGTERM stops the event loop at once: requests still running in their threads then
wait for a loop that never comes back (a post's broadcast goes through it), the process never
exits, systemd kills it after TimeoutStopSec, and every phone sees its socket drop with 1006.
Here SIGTERM (or Ctrl-C) instead:

1. stops accepting connections, so that the proxy sends new ones to the other processes;
2. closes every WebSocket with 1012 ("service restart"): browsers reconnect at once, elsewhere
   or to the restarted process, and catch up from the database;
3. lets the requests in flight finish, for at most SHUTDOWN_GRACE seconds, with the event loop
   still running so their broadcasts go out;
4. stops, and exits even if a request is still stuck in its thread (its transaction was not
   committed, so nothing acknowledged is lost; the phone sends it again).

A second signal stops at once.
"""

import daphne.server  # noqa: I001 - first: it installs Twisted's asyncio reactor

import logging
import os
import signal
import sys
import time

from daphne.cli import CommandLineInterface
from daphne.http_protocol import WebRequest
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor

logger = logging.getLogger(__name__)

# "Service restart": the browser reconnects (static/js/live.js), as for 1001 "going away".
CLOSE_SERVICE_RESTART = 1012
# How often the stop checks whether the requests in flight are done.
POLL_SECONDS = 0.05
# A socket whose browser does not answer the close in this time is simply dropped.
CLOSE_HANDSHAKE_SECONDS = 1.0


class GracefulServer(daphne.server.Server):
    def run(self):
        self.ports = []
        self.stopping_since = None
        reactor.callWhenRunning(self._take_over_signals)
        reactor.callLater(0, self._watch_the_loop)  # from inside the running event loop
        super().run()

    def listen_success(self, port):
        self.ports.append(port)
        super().listen_success(port)

    def _watch_the_loop(self) -> None:
        from django.conf import settings

        from workshop import loop_watchdog

        loop_watchdog.start(settings.LOOP_STALL_WARNING)

    def _take_over_signals(self) -> None:
        # Twisted has installed its own by now (they stop the loop at once): ours replace them.
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._on_signal)

    def _on_signal(self, number, frame) -> None:
        reactor.callFromThread(self.stop_gracefully)

    def stop_gracefully(self) -> None:
        if self.stopping_since is not None:
            logger.warning("Stopping now.")
            self.stop()
            return
        self.stopping_since = time.monotonic()
        for port in self.ports:
            port.stopListening()
        closed = close_websockets(self.connections)
        logger.warning(
            "Stopping: closed %d live sockets, finishing %d requests (at most %g s).",
            closed,
            len(self.requests_in_flight()),
            self.grace_seconds(),
        )
        self._stop_when_done()

    def _stop_when_done(self) -> None:
        elapsed = time.monotonic() - self.stopping_since
        requests = self.requests_in_flight()
        sockets = open_websockets(self.connections)
        if elapsed >= self.grace_seconds():
            if requests:
                logger.warning(
                    "Stopping with %d requests unfinished after %g s; their phones will send "
                    "them again.",
                    len(requests),
                    self.grace_seconds(),
                )
            self.stop()
        elif not requests and (not sockets or elapsed >= CLOSE_HANDSHAKE_SECONDS):
            self.stop()
        else:
            reactor.callLater(POLL_SECONDS, self._stop_when_done)

    def requests_in_flight(self) -> list:
        return [
            protocol
            for protocol, details in self.connections.items()
            if isinstance(protocol, WebRequest) and not details.get("disconnected")
        ]

    @staticmethod
    def grace_seconds() -> float:
        from django.conf import settings

        return settings.SHUTDOWN_GRACE


def close_websockets(connections) -> int:
    """Sends every open socket the close frame for a restart; how many there were.

    autobahn's public sendClose accepts only 1000 and 3000-4999, codes for applications; 1012
    is the server's to send, through the lower-level call that sends any close frame."""
    sockets = open_websockets(connections)
    for protocol in sockets:
        if protocol.state == WebSocketProtocol.STATE_OPEN:
            protocol.sendCloseFrame(code=CLOSE_SERVICE_RESTART, isReply=False)
        elif protocol.state == WebSocketProtocol.STATE_CONNECTING:
            protocol.dropConnection(abort=True)  # in its handshake: no frame can be sent yet
    return len(sockets)


def open_websockets(connections) -> list:
    return [
        protocol
        for protocol, details in connections.items()
        if isinstance(protocol, WebSocketProtocol)
        and not details.get("disconnected")
        and protocol.state != WebSocketProtocol.STATE_CLOSED
    ]


class GracefulCommandLineInterface(CommandLineInterface):
    server_class = GracefulServer


def main() -> None:
    GracefulCommandLineInterface().run(sys.argv[1:])
    # A request thread that did not finish within the grace would keep the interpreter from
    # exiting (it joins its threads): what had to be said is said, the logs are flushed.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
