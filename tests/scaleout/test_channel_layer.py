"""The Redis channel layer: fast fan-out between processes, and no silent loss when Redis fails.

Two layer objects stand for two server processes; a redis-server of the test's own plays Redis.
"""

import asyncio
import subprocess

import pytest
import redis
from channels.testing import WebsocketCommunicator

from workshop.channel_layer import LiveChannelLayer, LiveLayerDropped, ReconnectWhenTheLayerFails

pytestmark = pytest.mark.timeout(60)


def layer(redis_server, **config):
    return LiveChannelLayer(hosts=[redis_server.url], prefix="test.", **config)


async def member(layer, group="workshop1.projector"):
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def test_a_group_send_in_one_process_reaches_members_in_another(redis_server):
    daphne_1, daphne_2 = layer(redis_server), layer(redis_server)
    projector = await member(daphne_1)
    await daphne_2.group_send("workshop1.projector", {"type": "live.fragment", "text": "hi"})
    assert await asyncio.wait_for(daphne_1.receive(projector), 10) == {
        "type": "live.fragment",
        "text": "hi",
    }
    await daphne_1.flush()
    await daphne_2.flush()


async def test_when_redis_stops_every_socket_is_told_and_new_ones_wait_for_it(redis_server):
    daphne = layer(redis_server)
    sockets = [await member(daphne), await member(daphne, "workshop1.table7")]

    redis_server.stop()
    for channel in sockets:
        with pytest.raises(LiveLayerDropped, match="Lost the connection to Redis"):
            await asyncio.wait_for(daphne.receive(channel), 10)
    # While Redis is down a new socket cannot join: its browser retries with backoff.
    with pytest.raises(redis.ConnectionError):
        await daphne.new_channel()

    redis_server.start()
    projector = await member(daphne)
    await daphne.group_send("workshop1.projector", {"type": "live.fragment", "text": "back"})
    assert (await asyncio.wait_for(daphne.receive(projector), 10))["text"] == "back"
    await daphne.flush()


async def test_a_connection_redis_closed_and_redis_py_reopened_still_tells_the_sockets(
    redis_server,
):
    # redis-py reconnects and re-subscribes on its own; whatever was published in between is
    # lost, so the sockets must hear about it rather than stay open and deaf.
    daphne = layer(redis_server)
    projector = await member(daphne)
    subprocess.run(
        ["redis-cli", "-p", str(redis_server.port), "client", "kill", "type", "pubsub"],
        check=True,
        capture_output=True,
    )
    with pytest.raises(LiveLayerDropped):
        await asyncio.wait_for(daphne.receive(projector), 10)
    await daphne.flush()


async def test_the_first_send_after_a_redis_restart_is_delivered(redis_server):
    daphne_1, daphne_2 = layer(redis_server), layer(redis_server)
    await daphne_2.group_send("workshop1.projector", {"type": "live.fragment", "text": "warm"})
    redis_server.stop()
    redis_server.start()
    # daphne_2's pooled connection died with the old Redis: its first command must retry.
    projector = await member(daphne_1)
    await daphne_2.group_send("workshop1.projector", {"type": "live.fragment", "text": "after"})
    assert (await asyncio.wait_for(daphne_1.receive(projector), 10))["text"] == "after"
    await daphne_1.flush()
    await daphne_2.flush()


async def test_a_socket_that_falls_capacity_messages_behind_is_dropped(redis_server):
    daphne = layer(redis_server, capacity=5)
    stuck = await member(daphne)
    witness = await member(daphne, "workshop1.console")
    for n in range(6):
        await daphne.group_send("workshop1.projector", {"type": "live.fragment", "text": str(n)})
    # Redis delivers one connection's messages in order: once the witness has its message,
    # all six have reached the stuck socket's queue, which nobody was reading.
    await daphne.group_send("workshop1.console", {"type": "live.fragment", "text": "after"})
    assert (await asyncio.wait_for(daphne.receive(witness), 10))["text"] == "after"
    with pytest.raises(LiveLayerDropped, match="fell behind"):
        await daphne.receive(stuck)
    # Nothing keeps feeding it.
    assert "workshop1.projector" not in daphne._get_layer().groups
    await daphne.flush()


async def test_a_socket_ended_by_the_layer_is_closed_for_its_browser_to_reconnect():
    async def consumer(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        raise LiveLayerDropped("Lost the connection to Redis")

    socket = WebsocketCommunicator(ReconnectWhenTheLayerFails(consumer), "/ws/p/key/")
    connected, _ = await socket.connect()
    assert connected
    # A close Daphne accepts and live.js reconnects on (not a traceback and a 1011).
    assert await socket.receive_output(timeout=10) == {"type": "websocket.close", "code": 1000}
