"""The Redis channel layer for several server processes: Redis pub/sub that never fails silently.

channels-redis's RedisPubSubChannelLayer delivers a group_send with one PUBLISH, which Redis
pushes to every process with a member in the group; it stores nothing in Redis. We chose it by
measurement (bench/channel_layers.py, README "Deploying"). Its one weakness for us is how it
fails: when the connection to Redis drops, redis-py reconnects and re-subscribes on its own, and
whatever was published in between is gone while every socket stays open, looking live.

This layer turns that into something the app already handles. When the connection to Redis is
lost, or comes back, or one socket falls `capacity` messages behind, the affected sockets' next
receive raises LiveLayerDropped: the consumer ends, ReconnectWhenTheLayerFails (in asgi.py)
closes the socket, the browser reconnects with ?after=<revision> and catches up from the
database, which is the truth. While Redis is down, new sockets are refused the same way and the
browsers keep retrying with backoff.

Only one Redis host is supported (REDIS_URL names one).
"""

import asyncio
import contextlib
import logging

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close, decode_hosts
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# A socket this many messages behind is dropped: catching up costs one query, while the queue
# would only grow. It is below live.CATCH_UP_LIMIT, so the catch-up is usually a replay.
DEFAULT_CAPACITY = 100

_DROPPED = "__dropped__"


class LiveLayerDropped(ConnectionError):
    """This socket may have missed messages: end it, so that its browser reconnects and catches
    up from the database."""


# Close code for a socket whose live updates failed. Daphne lets an application send only 1000
# or 3000-4999 (1012, "service restart", would be refused); live.js reconnects on 1000.
CLOSE_RECONNECT = 1000


class ReconnectWhenTheLayerFails:
    """ASGI middleware for sockets: a consumer ended by the channel layer (LiveLayerDropped, or
    Redis unreachable while it joined) closes normally, and its browser reconnects and catches
    up. Without it Daphne would log a traceback per socket, a thousand for one Redis restart, and
    close with 1011. Before the handshake is accepted, the close refuses it instead."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        try:
            return await self.app(scope, receive, send)
        except (LiveLayerDropped, RedisConnectionError, RedisTimeoutError) as error:
            logger.info("Closing a live socket to reconnect: %s", error)
            with contextlib.suppress(Exception):  # the browser may be gone already
                await send({"type": "websocket.close", "code": CLOSE_RECONNECT})


class LiveChannelLayer(RedisPubSubChannelLayer):
    def __init__(self, hosts=None, *, capacity=DEFAULT_CAPACITY, **kwargs):
        super().__init__(
            hosts=[_with_defaults(h) for h in decode_hosts(hosts)], capacity=capacity, **kwargs
        )

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
            return layer


def _with_defaults(host: dict) -> dict:
    return {
        # A view waits for its broadcast: never long, even when Redis cannot be reached.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # Once, at once: a pooled connection from before a Redis restart fails its first
        # command, and the retry on a fresh connection succeeds. (A PUBLISH sent twice is
        # harmless: fragments replace elements by id.)
        "retry": Retry(NoBackoff(), 1),
        **host,
    }


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, *, capacity=DEFAULT_CAPACITY, **kwargs):
        super().__init__(hosts, **kwargs)
        if len(self._shards) != 1:
            raise ValueError("LiveChannelLayer supports exactly one Redis host.")
        self.capacity = capacity
        self._shards = [_Shard(shard.host, self) for shard in self._shards]
        # Sockets dropped while they were not waiting in receive(): told on their next call.
        self._dropped: dict[str, str] = {}

    async def _subscribe_to_channel(self, channel):
        try:
            await super()._subscribe_to_channel(channel)
        except BaseException:
            self.channels.pop(channel, None)
            raise

    async def receive(self, channel):
        reason = self._dropped.pop(channel, None)
        if reason is None:
            message = await super().receive(channel)
            if not message.get(_DROPPED):
                return message
            self._dropped.pop(channel, None)
            reason = message["reason"]
        raise LiveLayerDropped(f"{reason}: closing this socket so that its browser catches up")

    def drop(self, channel: str, reason: str) -> None:
        """Forget one socket's channel and groups; its receive() raises LiveLayerDropped."""
        queue = self.channels.pop(channel, None)
        if queue is None:
            return
        self._dropped[channel] = reason
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(self.channel_layer.serialize({_DROPPED: True, "reason": reason}))
        emptied = []
        for group, members in list(self.groups.items()):
            members.discard(channel)
            if not members:
                del self.groups[group]
                emptied.append(group)
        shard = self._shards[0]
        for name in [channel, *emptied]:
            shard.unsubscribe_later(name)

    def drop_everyone(self, reason: str) -> None:
        for channel in list(self.channels):
            self.drop(channel, reason)


class _WatchedPubSub(PubSub):
    """A PubSub that reports a reconnection instead of quietly re-subscribing."""

    def __init__(self, *args, on_reconnect, **kwargs):
        super().__init__(*args, **kwargs)
        self._on_reconnect = on_reconnect

    async def on_connect(self, connection):
        # redis-py calls this only when it re-establishes a connection it had lost. What was
        # published in between is gone: forget the subscriptions rather than restore them.
        if self.channels:
            self.channels = {}
            self._on_reconnect()
        await super().on_connect(connection)


class _Shard(RedisSingleShardConnection):
    def _ensure_redis(self):
        if self._redis is None:
            super()._ensure_redis()
            self._pubsub = self._new_pubsub()

    def _new_pubsub(self):
        return _WatchedPubSub(
            self._redis.connection_pool,
            on_reconnect=lambda: self._lost("The connection to Redis was re-established"),
        )

    def _lost(self, reason: str) -> None:
        self._subscribed_to = set()
        if self.channel_layer.channels:
            logger.warning("%s: closing this process's live sockets.", reason)
        self.channel_layer.drop_everyone(reason)

    async def _do_receiving(self):
        # As channels-redis's own loop, except for what happens when Redis goes away.
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, TimeoutError, GeneratorExit):
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError) as error:
                await self._reset(f"Lost the connection to Redis ({error})")
                await asyncio.sleep(1)
            except Exception:
                logger.exception("Unexpected exception in the channel layer's receive task")
                await asyncio.sleep(1)

    async def _reset(self, reason: str) -> None:
        async with self._lock:
            self._lost(reason)
            old, self._pubsub = self._pubsub, self._new_pubsub()
        with contextlib.suppress(Exception):  # the connection is being thrown away anyway
            await asyncio.wait_for(old.aclose(), timeout=5)

    def _receive_message(self, message):
        if message is None:
            return
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        layer = self.channel_layer
        targets = [name] if name in layer.channels else list(layer.groups.get(name, ()))
        for channel in targets:
            queue = layer.channels.get(channel)
            if queue is None:
                continue
            if queue.qsize() >= layer.capacity:
                logger.warning(
                    "A live socket fell %d messages behind; dropping it.", layer.capacity
                )
                layer.drop(channel, "This socket fell behind")
            else:
                queue.put_nowait(message["data"])

    def unsubscribe_later(self, name: str) -> None:
        task = asyncio.ensure_future(self._unsubscribe_if_unused(name))
        task.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _unsubscribe_if_unused(self, name: str) -> None:
        async with self._lock:
            layer = self.channel_layer
            if name in layer.channels or name in layer.groups or name not in self._subscribed_to:
                return
            self._subscribed_to.discard(name)
            await self._pubsub.unsubscribe(name)
