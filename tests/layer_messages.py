"""What a change's broadcast says to each audience, read off the channel layer itself."""

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from workshop.live import fanout


def broadcast_texts(workshop, keys: set, action, capture) -> dict[str, str]:
    """What the broadcast of `action` says to each audience (by key). One event loop
    throughout: the Redis layer keeps a channel on the loop that made it."""

    def act():
        with capture(execute=True):
            action()

    async def listen() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(fanout.group(workshop.pk), channel)
        try:
            await sync_to_async(act)()
            return await layer.receive(channel)
        finally:
            await layer.group_discard(fanout.group(workshop.pk), channel)

    message = async_to_sync(listen)()
    texts = dict.fromkeys(keys, "")
    for key, _revision, text in fanout.texts_for(message, set(keys)):
        texts[key] += text
    return texts


def broadcast_to(workshop, key: str, action, capture) -> str:
    """What the broadcast of `action` says to one audience."""
    return broadcast_texts(workshop, {key}, action, capture)[key]
