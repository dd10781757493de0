"""Timing clients, in a process of their own: projectors and probe phones that read every frame.

Driven over stdin/stdout by bench/run.py, one JSON command per line:
  {"connect": {"path": ..., "headers": {...}}}   -> {"connected": index}
  {"stop": true}                                  -> {"arrivals": [[index, time, text], ...]}
Only frames containing the marker given on the command line are kept, with their arrival time.
"""

import asyncio
import json
import sys
import time

from wire import PING, PONG, TEXT, frame, read_frame, ws_connect  # run as a script from bench/

HOST = "127.0.0.1"


async def listen(index, reader, writer, marker, arrivals):
    try:
        while True:
            opcode, payload = await read_frame(reader)
            if opcode == TEXT and marker in payload:
                arrivals.append([index, time.time(), payload.decode("utf-8", "replace")])
            elif opcode == PING:
                writer.write(frame(PONG, payload))
    except (asyncio.IncompleteReadError, ConnectionError):
        return


async def main(port: int, marker: bytes):
    arrivals, tasks = [], []
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        if "connect" in command:
            spec = command["connect"]
            try:
                ws_reader, ws_writer = await ws_connect(HOST, port, spec["path"], spec["headers"])
            except (TimeoutError, OSError, ConnectionError) as error:
                reply = {"connected": None, "error": str(error)}
            else:
                index = len(tasks)
                listener = listen(index, ws_reader, ws_writer, marker, arrivals)
                tasks.append(asyncio.create_task(listener))
                reply = {"connected": index}
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
    asyncio.run(main(int(sys.argv[1]), sys.argv[2].encode()))
