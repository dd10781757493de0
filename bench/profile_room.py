"""Where a join's and a post's server CPU goes: py-spy samples of a real embedded server.

Usage: python bench/profile_room.py [JOINS] [POSTS]   (py-spy on PATH, or PY_SPY=/path/to/it;
`pip install py-spy` in any environment). Starts the server as `make bench` does, records it
while phones join one after another, then while they post, and prints each by layer: the
innermost library frame of each sample decides its layer.
"""

import asyncio
import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import AppServer

PORT = 8751
LAYERS = [
    ("templates", ("django/template/",)),
    ("ORM and SQLite", ("django/db/", "sqlite3")),
    ("Daphne, Twisted, autobahn", ("daphne/", "twisted/", "autobahn/", "txaio")),
    (
        "thread hops (asgiref, channels, waking the loop)",
        ("asgiref/", "channels/", "_write_to_self"),
    ),
    ("Django's request handling, sessions, CSRF, middleware", ("django/", "django_htmx", "axes/")),
]


def by_layer(samples: Path) -> dict[str, float]:
    counts, total = collections.Counter(), 0
    for line in samples.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if not frames[-1] or frames[-1].startswith("_worker (concurrent"):
            continue  # a thread pool's idle worker
        total += int(n)
        layer = next(
            (
                name
                for f in reversed(frames)
                for name, parts in LAYERS
                if any(p in f for p in parts)
            ),
            "other",
        )
        counts[layer] += int(n)
    return {layer: n / total * 100 for layer, n in counts.most_common()}


async def profile(joins: int, posts: int, out: Path) -> None:
    server = AppServer([PORT], 20, 17)
    await server.start()
    spy = os.environ.get("PY_SPY", "py-spy")
    try:
        for what, count in (("join", joins), ("post", posts)):
            record = [spy, "record", "-p", str(server.pids[0]), "-r", "200", "-f", "raw"]
            recorder = subprocess.Popen(
                [*record, "-o", str(out / f"{what}.txt"), "--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            await asyncio.sleep(1.5)  # py-spy attached
            sockets = []
            for i in range(count):
                if what == "join":
                    sockets.append(await server.join(200_000 + i))
                else:
                    await server.post(i % 20, f"profile {i}")
            recorder.send_signal(2)
            recorder.wait(timeout=30)
            for _, writer in sockets:
                writer.close()
    finally:
        server.stop()


def main(joins: int, posts: int) -> None:
    out = Path(tempfile.mkdtemp(prefix="bench-spy-"))
    asyncio.run(profile(joins, posts, out))
    for what in ("join", "post"):
        print(f"{what}: where the server's busy samples fall ({out / what}.txt)")
        for layer, share in by_layer(out / f"{what}.txt").items():
            print(f"  {share:5.1f} %  {layer}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (300, 600))
