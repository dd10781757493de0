"""This process's live sockets, and the one channel-layer membership that feeds them.

A process joins the channel layer's group of a workshop once, whatever number of that
workshop's screens it holds; each message for the workshop (workshop.live.broadcast) arrives
here once and is handed straight to every socket it is meant for. The same holds with the
in-memory layer and with Redis.

Every few seconds this process also reads, per workshop it holds screens of, the revision each
audience last heard of (one query) and tells its sockets whose value moved: a screen behind for
any reason — a message lost with Redis, a process killed between commit and broadcast — sees
that it is behind and catches up. The database is the truth; the layer is a doorbell.

Each socket also says who it was authorised as (its principals, workshop.live.revoke): a
message that one of them lost its right closes that principal's sockets here, and a phone or
session keeps only its newest few sockets.
"""

import asyncio
import contextlib
import contextvars
import functools
import logging
from collections import defaultdict

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from workshop.live import envelope
from workshop.live.pieces import audience_key

logger = logging.getLogger(__name__)

# The type of a message that closes sockets (workshop.live.revoke); any other is a change.
REVOKE = "live.revoke"

# How often each process checks that its screens have heard of the latest change.
HEARTBEAT_SECONDS = 5.0


def group(workshop_id: int) -> str:
    return f"workshop{workshop_id}"


class Fanout:
    """The sockets of one event loop (one per server process), by workshop and feed: an
    audience's sockets in one language (Audience.feed)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.layer = get_channel_layer()
        self.sockets: dict[tuple[int, str], set] = defaultdict(set)
        self.workshops: dict[int, set] = defaultdict(set)
        # What this process last told each audience's sockets: (workshop, key) -> revision.
        self.told: dict[tuple[int, str], int] = {}
        # Who each socket was authorised as: (workshop, principal) -> its sockets, oldest first
        # (a dict as an ordered set), and each socket's place and principals.
        self.holders: dict[tuple[int, str], dict] = defaultdict(dict)
        self.held: dict[object, tuple[int, str, tuple[str, ...]]] = {}
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self._lock = asyncio.Lock()

    # --- Sockets -------------------------------------------------------------------------

    async def join(
        self, consumer, workshop_id: int, key: str, revision: int, principals=()
    ) -> None:
        """`revision`: where the socket's catch-up brought it. A message or heartbeat handed to
        this audience's other sockets after that catch-up was read, but before this join, never
        reached this one: the heartbeat must not count it as told. `principals`: who the socket
        was authorised as (workshop.live.revoke)."""
        async with self._lock:
            await self._start()
            if not self.workshops[workshop_id]:
                await self.layer.group_add(group(workshop_id), self.channel)
            self.workshops[workshop_id].add(consumer)
            self.sockets[(workshop_id, key)].add(consumer)
            told = self.told.get((workshop_id, key))
            if told is not None and told > revision:
                self.told[(workshop_id, key)] = revision
            self.held[consumer] = (workshop_id, key, tuple(principals))
            for principal in principals:
                self.holders[(workshop_id, principal)][consumer] = None

    async def leave(self, consumer, workshop_id: int, key: str) -> None:
        async with self._lock:
            _, _, principals = self.held.pop(consumer, (None, None, ()))
            for principal in principals:
                holders = self.holders.get((workshop_id, principal))
                if holders is not None:
                    holders.pop(consumer, None)
                    if not holders:
                        del self.holders[(workshop_id, principal)]
            self.sockets[(workshop_id, key)].discard(consumer)
            if not self.sockets[(workshop_id, key)]:
                del self.sockets[(workshop_id, key)]
                self.told.pop((workshop_id, key), None)
            members = self.workshops.get(workshop_id)
            if members is None:
                return
            members.discard(consumer)
            if not members:
                del self.workshops[workshop_id]
                with contextlib.suppress(Exception):  # the layer may be what failed
                    await self.layer.group_discard(group(workshop_id), self.channel)
            if not self.workshops:
                await self._stop()

    def count(self, workshop_id: int) -> int:
        return len(self.workshops.get(workshop_id, ()))

    async def close(self, consumer, code: int) -> None:
        """Closes a socket, after taking it out: nothing more is sent to it meanwhile."""
        place = self.held.get(consumer)
        if place is not None:
            await self.leave(consumer, place[0], place[1])
        with contextlib.suppress(Exception):  # closing already
            await consumer.close(code=code)

    async def keep_newest(self, workshop_id: int, principal: str, keep: int, code: int) -> None:
        """Closes the oldest sockets of `principal` beyond its newest `keep`."""
        holders = list(self.holders.get((workshop_id, principal), ()))
        for consumer in holders[: max(0, len(holders) - keep)]:
            await self.close(consumer, code)

    async def revoke(self, message: dict) -> None:
        """A principal lost its right to the workshop (workshop.live.revoke): its sockets here
        are closed; all the workshop's when the message names no principal."""
        workshop_id, principal = message["workshop"], message.get("principal")
        if principal is None:
            consumers = list(self.workshops.get(workshop_id, ()))
        else:
            consumers = list(self.holders.get((workshop_id, principal), ()))
        # In a task of its own: closing the last socket stops this process's listening task,
        # which is the one that runs this.
        self._spawn(self._close_each(consumers, message["code"]))

    async def _close_each(self, consumers: list, code: int) -> None:
        for consumer in consumers:
            await self.close(consumer, code)

    # --- Delivery ------------------------------------------------------------------------

    async def deliver(self, message: dict) -> None:
        workshop_id = message["workshop"]
        here = {key for (workshop, key) in self.sockets if workshop == workshop_id}
        for key, revision, text in texts_for(message, here):
            await _send_all(self.sockets[(workshop_id, key)], text)
            # The heartbeat need not say it again.
            self.told[(workshop_id, key)] = max(revision, self.told.get((workshop_id, key), 0))
        for key, revision in unspoken(message, here):
            # Sockets in a language the change was not rendered in (they connected as it was
            # being rendered): told where their audience stands, they catch up in their own.
            await _send_all(self.sockets[(workshop_id, key)], envelope.heartbeat(revision))

    async def beat(self, workshop_id: int, *, everyone: bool = False) -> None:
        """Tells each audience's sockets, in each of their languages, the latest revision they
        should hold."""
        revisions = await database_sync_to_async(_revisions)(workshop_id)
        if revisions is None:
            return  # the workshop is gone; its sockets are closed by whoever deleted it
        feeds = [key for (workshop, key) in self.sockets if workshop == workshop_id]
        for key in feeds:
            revision = revisions.get(audience_key(key))
            sockets = self.sockets.get((workshop_id, key))
            if revision is None or not sockets:
                continue
            if everyone or self.told.get((workshop_id, key), -1) < revision:
                self.told[(workshop_id, key)] = revision
                await _send_all(sockets, envelope.heartbeat(revision))

    def nudge(self, workshop_id: int) -> None:
        """From any thread: this process's screens of the workshop check where they stand."""
        # In a context of its own: the caller's (a request's thread, maybe inside asgiref's
        # single sync thread) would make the heartbeat's database read refuse to run.
        self.loop.call_soon_threadsafe(
            self._spawn, self.beat(workshop_id, everyone=True), context=contextvars.Context()
        )

    # --- Tasks ---------------------------------------------------------------------------

    async def _start(self) -> None:
        if self.channel is not None:
            return
        self.channel = await self.layer.new_channel()
        self.tasks = [
            asyncio.ensure_future(self._listen()),
            asyncio.ensure_future(self._heartbeat()),
        ]

    async def _stop(self) -> None:
        tasks, self.tasks, self.channel = self.tasks, [], None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        task.add_done_callback(_log_failure)

    async def _listen(self) -> None:
        channel = self.channel
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                channel = await self._rejoin(error)
                continue
            handle = self.revoke if message.get("type") == REVOKE else self.deliver
            try:
                await handle(message)
            except Exception:
                logger.exception("A live message could not be delivered")

    async def _rejoin(self, error: Exception) -> str:
        """The layer dropped this process's channel (Redis went away, or came back): whatever
        was sent meanwhile is lost, so every screen here checks where it stands."""
        logger.warning("Live updates were interrupted (%s); screens will catch up.", error)
        while True:
            try:
                self.channel = await self.layer.new_channel()
                for workshop_id in list(self.workshops):
                    await self.layer.group_add(group(workshop_id), self.channel)
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(1)
        for workshop_id in list(self.workshops):
            self._spawn(self.beat(workshop_id, everyone=True))
        return self.channel

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            for workshop_id in list(self.workshops):
                try:
                    await self.beat(workshop_id)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("The live heartbeat failed")


def texts_for(message: dict, keys) -> list[tuple[str, int, str]]:
    """What a broadcast says to each audience among `keys`: (audience key, the revision it
    reaches, the message's text)."""
    texts = []
    for part in message["parts"]:
        for key, (follows, revision) in part["to"].items():
            if key in keys:
                text = envelope.text(revision, follows, part["content"], message["now"])
                texts.append((key, revision, text))
    return texts


def unspoken(message: dict, keys) -> list[tuple[str, int]]:
    """The feeds among `keys` whose audience the message speaks to in other languages only:
    (feed, the revision their audience reaches)."""
    reached, addressed = {}, set()
    for part in message["parts"]:
        for key, (_follows, revision) in part["to"].items():
            addressed.add(key)
            reached[audience_key(key)] = revision
    return [
        (key, reached[audience_key(key)])
        for key in sorted(keys)
        if key not in addressed and audience_key(key) in reached
    ]


def _revisions(workshop_id: int):
    from workshop.live.catchup import revisions

    return revisions(workshop_id)


async def _send_all(sockets, text: str) -> None:
    """One text to many sockets: framed once for all those Daphne serves (the text of a new
    board goes to a whole room), and through ASGI for any other."""
    prepared = None
    for consumer in list(sockets):
        wire = _daphne_socket(consumer)
        if wire is None:
            with contextlib.suppress(Exception):  # a socket closing meanwhile
                await consumer.send(text_data=text)
        elif wire.state == wire.STATE_OPEN:
            if prepared is None:
                prepared = wire.factory.prepareMessage(text.encode(), doNotCompress=True)
            if wire._perMessageCompress is None:
                _write_now(wire, prepared.payloadHybi)
            else:
                wire.sendPreparedMessage(prepared)


def _write_now(wire, frame: bytes) -> None:
    """Writes a framed message to the socket at once when nothing is waiting to go before it,
    as asyncio's own transports do. Twisted's always waits for the next turn of the loop and
    registers, then unregisters, the socket with it: three system calls a socket instead of
    one, most of what a message to a whole room cost. Anything unsent goes the usual way."""
    transport = wire.transport
    if not wire.send_queue and _nothing_pending(transport):
        try:
            sent = transport.socket.send(frame)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            return  # the connection is going: Twisted sees it and closes the socket
        frame = frame[sent:]
        if not frame:
            return
    wire.sendData(frame)


def _nothing_pending(transport) -> bool:
    """A plain TCP transport of Twisted's, connected, with nothing buffered to send."""
    try:
        return (
            transport.TLS is False
            and transport.connected
            and not transport.disconnecting
            and len(transport.dataBuffer) - transport.offset + transport._tempDataLen == 0
        )
    except AttributeError:  # another kind of transport: leave it to Twisted
        return False


def _daphne_socket(consumer):
    """The WebSocket protocol (autobahn's) behind a consumer Daphne serves, which can send a
    message framed once for many sockets; None for any other server. Daphne hands each
    application `partial(server.handle_reply, protocol)` as its send."""
    send = getattr(consumer, "base_send", None)
    protocol = send.args[0] if isinstance(send, functools.partial) and send.args else None
    return protocol if hasattr(protocol, "sendPreparedMessage") else None


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("A live task failed", exc_info=task.exception())


_fanouts: dict[asyncio.AbstractEventLoop, Fanout] = {}


def here() -> Fanout:
    """This event loop's fan-out (one per server process; tests run a loop each)."""
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is None:
        for stale in [other for other in _fanouts if other.is_closed()]:
            del _fanouts[stale]
        fanout = _fanouts[loop] = Fanout(loop)
    return fanout


def nudge_soon(workshop_id: int) -> None:
    """From a request's thread: every process-local screen of the workshop checks its
    position (used when a broadcast could not be sent)."""
    for loop, fanout in list(_fanouts.items()):
        if not loop.is_closed() and fanout.workshops.get(workshop_id):
            fanout.nudge(workshop_id)
