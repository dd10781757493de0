"""The messages screens receive, over a socket or from HTTP catch-up.

  {"revision": R, "follows": F, "now": T, "content": "<hx-partial …>…"}

R is the revision the screen reaches once it applies the content, F the one the content follows
(0: a snapshot, which follows anything); a screen holding less than F missed something and
catches up at once. A message without content is a heartbeat: "the latest for you is R". T is
the server's clock, in milliseconds, for the timers.
"""

import json
import time


def now_ms() -> int:
    return int(time.time() * 1000)


def encode_content(content: str) -> str:
    return json.dumps(content)


def text(revision: int, follows: int, encoded_content: str, now: int | None = None) -> str:
    """The message for one screen; the content is JSON-encoded once for every screen."""
    now = now_ms() if now is None else now
    return (
        f'{{"revision": {revision}, "follows": {follows}, "now": {now}, '
        f'"content": {encoded_content}}}'
    )


def heartbeat(revision: int) -> str:
    return json.dumps({"revision": revision, "now": now_ms()})


def message(revision: int, follows: int, content: str) -> str:
    return text(revision, follows, encode_content(content))
