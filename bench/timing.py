"""Timing clients, in a process of their own: projectors and probe phones that read every frame.

Driven over stdin/stdout by bench/run.py, one JSON command per line:
  {"connect": {"port": ..., "path": ..., "headers": {...}}}  -> {"connected": index or null}
  {"watch": "<regex>"}                                       -> {"ok": true}
  {"count": true}                                            -> {"count": arrivals so far}
  {"arrivals": since}                                        -> {"arrivals": [...]}
  {"stop": true}                                             -> {"arrivals": [...]}, then exits
An arrival is [index, time, tokens, loads]: the text frame's arrival time, the distinct matches
of the watched pattern in it, and the URLs of elements it brings that a browser would fetch at
once (hx-get with hx-trigger="load"). Frames with neither are not kept.
"""

import asyncio
import json
import re
import sys
import time

from wire import PING, PONG, TEXT, frame, read_frame, ws_connect  # run as a script from bench/

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


async def listen(index, reader, writer, state, arrivals):
    try:
        while True:
            opcode, payload = await read_frame(reader)
            if opcode == TEXT:
                watch = state.get("watch")
                tokens = (
                    sorted(set(watch.findall(payload.decode("utf-8", "replace")))) if watch else []
                )
                loads = loads_in(payload)
                if tokens or loads:
                    arrivals.append([index, time.time(), tokens, loads])
            elif opcode == PING:
                writer.write(frame(PONG, payload))
    except (asyncio.IncompleteReadError, ConnectionError):
        return


async def main():
    arrivals, tasks, state = [], [], {}
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        if "connect" in command:
            spec = command["connect"]
            try:
                ws_reader, ws_writer = await ws_connect(
                    HOST, spec["port"], spec["path"], spec["headers"]
                )
            except (TimeoutError, OSError, ConnectionError) as error:
                reply = {"connected": None, "error": str(error)}
            else:
                index = len(tasks)
                listener = listen(index, ws_reader, ws_writer, state, arrivals)
                tasks.append(asyncio.create_task(listener))
                reply = {"connected": index}
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
