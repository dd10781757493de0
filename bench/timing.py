"""Timing clients, in a process of their own: projectors and probe phones that read every frame.

Driven over stdin/stdout by bench/run.py, one JSON command per line:
  {"connect": {"port": ..., "path": ..., "headers": {...}}}  -> {"connected": index or null}
  {"watch": "<regex>"}                                       -> {"ok": true}
  {"count": true}                                            -> {"count": arrivals so far}
  {"arrivals": since}                                        -> {"arrivals": [...]}
  {"reconnects": true}                                       -> {"reconnects": n}
  {"stop": true}                                             -> {"arrivals": [...]}, then exits
An arrival is [index, time, tokens, loads]: the text frame's arrival time, the distinct matches
of the watched pattern in it, and the URLs of elements it brings that a browser would fetch at
once (hx-get with hx-trigger="load"). Frames with neither are not kept. A socket the server
closes reconnects as a browser's does (wire.Screen), under the same index.
"""

import asyncio
import json
import re
import sys
import time

from wire import Screen, ws_connect  # run as a script from bench/

HOST = "127.0.0.1"
LOADING_ELEMENT = re.compile(r"<[^<>]*\bhx-trigger=\"load\"[^<>]*>")
HX_GET = re.compile(r"\bhx-get=\"([^\"]+)\"")


def loads_in(payload: bytes) -> list[str]:
    if b"hx-trigger" not in payload:
        return []
    try:
        content = json.loads(payload).get("content") or ""
    except (ValueError, AttributeError):
        return []
    return [m.group(1) for tag in LOADING_ELEMENT.findall(content) if (m := HX_GET.search(tag))]


def recorder(index, state, arrivals):
    def record(payload: bytes):
        watch = state.get("watch")
        tokens = sorted(set(watch.findall(payload.decode("utf-8", "replace")))) if watch else []
        loads = loads_in(payload)
        if tokens or loads:
            arrivals.append([index, time.time(), tokens, loads])

    return record


async def main():
    arrivals, tasks, screens, state, stop = [], [], [], {}, asyncio.Event()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        if "connect" in command:
            where = command["connect"]
            where = (where["port"], where["path"], where["headers"])
            try:
                connection = await ws_connect(HOST, *where)
            except (TimeoutError, OSError) as error:
                reply = {"connected": None, "error": str(error)}
            else:
                index = len(screens)
                screens.append(Screen(HOST, *where, on_text=recorder(index, state, arrivals)))
                tasks.append(asyncio.create_task(screens[index].run(stop, connection)))
                reply = {"connected": index}
        elif "reconnects" in command:
            reply = {"reconnects": sum(screen.reconnects for screen in screens)}
        elif "watch" in command:
            state["watch"] = re.compile(command["watch"])
            reply = {"ok": True}
        elif "count" in command:
            reply = {"count": len(arrivals)}
        elif "arrivals" in command:
            reply = {"arrivals": arrivals[command["arrivals"] :]}
        else:
            reply = {"arrivals": arrivals}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        if command.get("stop"):
            break
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
