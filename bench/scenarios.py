"""What the benchmark does to a server: operations it costs, and scenarios it times.

Costs are server CPU per operation (bench/cpu.py), done one after another. Scenarios are loads
in the open (a rate, a burst) or closed (a fixed number of clients in a loop), timed from the
load generator's send to the timing clients' arrival. Every loop is bounded in count and time.
"""

import asyncio
import bisect
import contextlib
import itertools
import json
import random
import re
import statistics
import time
import uuid
from collections import defaultdict

from cpu import Meter, cost, quiet
from load import (
    CONNECT_CONCURRENCY,
    GaveUp,
    LoadGeneratorClock,
    Patient,
    Room,
    percentile,
    retry_after,
)
from servers import HOST, LOAD_TIMEOUT, Unexpected
from wire import Connection, HandshakeRefused, first_text, http

STAGE_MARKER = r"bench-(?:discussion|shareout|slide|solo|poll)-1-"


def ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def median(values):
    values = [v for v in values if v == v]  # without NaN
    return statistics.median(values) if values else float("nan")


# --- Costs: server CPU per operation ------------------------------------------------------------


async def floor(server, options) -> dict:
    """F: GET /livez, a minimal view through the project's whole middleware stack."""

    async def livez(_):
        status, _, _ = await server.livez()
        return status == 200

    # The unit of every other figure: more batches than the others, it is cheap.
    settings = options.cost | {"batches": options.cost["batches"] + 2}
    return await cost(server.meter(), livez, warmup=5, max_batch=400, **settings)


async def join_cost(server, options) -> dict:
    """A join: the join page, the form, the board, the socket up to its first message (a
    projector and the console are connected, as in a room)."""
    sockets = []

    async def join(i):
        reader, writer = await server.join(100_000 + i)
        sockets.append(writer)
        # Its catch-up, if it sends one (up to date, it may send nothing): a moment for it, so
        # joins stay one after another; its CPU is counted either way (the batch ends quiet).
        with contextlib.suppress(TimeoutError):
            await first_text(reader, writer, timeout=0.5)
        return True

    async with Room(server, 0, projectors=1, console=True):
        try:
            return await cost(server.meter(), join, max_batch=50, **options.cost)
        finally:
            for writer in sockets:
                writer.close()


HASHED = re.compile(r"\.[0-9a-f]{8,}\.[A-Za-z0-9]+$")
ASSET = re.compile(rb'(?:src|href)="(?:https?://[^/"]+)?(/static/[^"]+)"')


async def static_assets(server, options) -> dict:
    """A phone's first visit: every /static/ file the join page and the board reference,
    fetched with Accept-Encoding: gzip; and whether a second visit would fetch them again."""
    _, _, join_page = await http(HOST, server.port, "GET", f"/j/{server.code}/")
    _, _, board = await server.get_as_phone(0, f"/w/{server.code}/")
    urls = list(dict.fromkeys(u.decode() for u in ASSET.findall(join_page) + ASSET.findall(board)))
    files = []
    for url in urls:
        status, headers, body = await http(
            HOST, server.port, "GET", url, {"Accept-Encoding": "gzip"}
        )
        cache = ", ".join(headers.get("cache-control", []))
        files.append(
            {
                "url": url,
                "status": status,
                "bytes": len(body),
                "encoding": ", ".join(headers.get("content-encoding", [])) or "identity",
                "cache_control": cache,
                "hashed": bool(HASHED.search(url.split("?")[0])),
                "immutable": "immutable" in cache,
            }
        )

    async def first_visit(_):
        # On one kept-alive connection, as a browser fetches what a page references.
        connection, fetched = Connection(HOST, server.port), True
        try:
            for url in urls:
                status, _, _ = await connection.request("GET", url, {"Accept-Encoding": "gzip"})
                fetched &= status == 200
        finally:
            connection.close()
        return fetched

    result = await cost(server.meter(), first_visit, max_batch=50, **options.cost)
    return result | {
        "files": files,
        "count": len(files),
        "kb": sum(f["bytes"] for f in files) / 1024,
        "all_hashed": all(f["hashed"] for f in files),
        "all_immutable": all(f["immutable"] for f in files),
        "all_compressed": all(
            f["encoding"] != "identity" for f in files if f["url"].endswith((".css", ".js"))
        ),
    }


def takeaway_pk(body: bytes) -> int | None:
    """The new takeaway's id in a post's answer: a field of its JSON, or its card's element."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    for name in ("pk", "id", "takeaway"):
        if isinstance(answer, dict) and isinstance(answer.get(name), int):
            return answer[name]
    match = re.search(rb"takeaway-(\d+)", body)
    return int(match.group(1)) if match else None


async def post_cost(server, options, phones: int, posted: list) -> dict:
    """A post by a phone whose socket is connected, spread over the tables; `posted` gets
    (phone, takeaway) for the edits."""

    async def post(i):
        n = (i * 7) % phones
        status, _, body = await server.post(n, f"bench-cost-{i}-")
        if ok(status) and (pk := takeaway_pk(body)):
            posted.append((n, pk))
        return ok(status)

    return await cost(server.meter(), post, max_batch=100, **options.cost)


async def edit_cost(server, options, posted: list) -> dict:
    if not posted:
        return {"ms": float("nan"), "error": "no takeaway id in the posts' answers to edit"}

    async def edit(i):
        n, pk = posted[i % len(posted)]
        status, _, _ = await server.edit(n, pk, f"bench-edit-{i}-")
        return ok(status)

    return await cost(server.meter(), edit, max_batch=100, **options.cost)


class VotePlan:
    """Who votes for what: a phone votes once per takeaway, never for its own table's."""

    def __init__(self, server, phones: int):
        self.takeaways = server.setup["takeaways"]
        self.tables = [p["table"] for p in server.setup["phones"][:phones]]
        self.used = set()

    def _take(self, n: int, start: int) -> int:
        for offset in range(len(self.takeaways)):
            t = (start + offset) % len(self.takeaways)
            if self.tables[n] != self.takeaways[t]["table"] and (n, t) not in self.used:
                self.used.add((n, t))
                return t
        raise ValueError(f"phone {n} has nothing left to vote for")

    def one(self, i: int) -> tuple[int, int]:
        """The i-th vote of the cost measurement: (phone, takeaway index)."""
        n = (i * 37 + 11) % len(self.tables)
        return n, self._take(n, i * 11)

    def storm(self, per_phone: int) -> list[tuple[int, int]]:
        """Every phone `per_phone` times, each round through the phones in the same order;
        each vote goes to the takeaway this phone may vote for that was voted for longest ago,
        so votes for one takeaway are as far apart as the schedule allows (a vote is known to
        have arrived by a message naming its takeaway)."""
        phones, count = len(self.tables), len(self.takeaways)
        last = [-count] * count
        schedule = []
        for j in range(phones * per_phone):
            n = j % phones
            allowed = [
                t
                for t in range(count)
                if self.tables[n] != self.takeaways[t]["table"] and (n, t) not in self.used
            ]
            if not allowed:
                raise ValueError(f"phone {n} has nothing left to vote for")
            t = min(allowed, key=lambda t: (last[t], (t - j) % count))
            self.used.add((n, t))
            last[t] = j
            schedule.append((n, t))
        return schedule


async def vote_cost(server, options, plan: VotePlan) -> dict:
    async def vote(i):
        n, t = plan.one(i)
        status, _, _ = await server.vote(n, plan.takeaways[t]["pk"])
        return ok(status)

    return await cost(server.meter(), vote, max_batch=50, **options.cost)


async def baseline_send_cost(server, options) -> dict:
    """The websockets baseline's CPU to send one small message to every phone connected."""

    async def send(_):
        status, _, _ = await server.send_small()
        return status == 200

    return await cost(server.meter(), send, warmup=3, max_batch=400, **options.cost)


async def baseline_change_cost(server, options) -> dict:
    """The websockets baseline's CPU to move every phone to another activity: one message."""

    async def change(i):
        status, _, _ = await server.change(f"bench-cost-{i}-")
        return status == 200

    return await cost(server.meter(), change, warmup=3, max_batch=400, **options.cost)


# --- Waiting for timing clients --------------------------------------------------------------


async def wait_for(timing, clients, token: str, since: int, sent: float, limit: float) -> dict:
    """When each timing client first had `token` after `sent`: {index: arrival}, bounded."""
    wanted = set(clients)
    reached, loads = {}, set()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and len(reached) < len(wanted):
        new = timing.arrivals(since)
        since += len(new)
        for index, at, tokens, urls in new:
            if index in wanted and at >= sent:
                loads.update(urls)
                if token in tokens:
                    reached.setdefault(index, at)
        await asyncio.sleep(0.005)
    return {"reached": reached, "loads": sorted(loads), "since": since}


# --- The room moves on: Next to each kind of activity -------------------------------------------


async def next_to_each_kind(server, room: Room, reps: int, limit: float) -> dict:
    """Next through the agenda (discussion → share-out → slide → solo → poll → back to the
    discussion; leaving the poll closes it), `reps` times, then into the share-out once more:
    for each change, the server's CPU until it is quiet again and when the last probe phone
    had the new activity. Where the new screen makes every phone fetch something at once
    (hx-trigger="load"), every phone does so, once per kind of activity, and that is costed
    too."""
    timing, meter = room.timing, server.meter()
    probes = [index for index, _ in room.probe_phones]
    timing.watch(STAGE_MARKER)
    activities = server.setup["activities"]
    current = 0
    results = defaultdict(lambda: {"cpu_ms": [], "slowest_ms": [], "missing": [], "answer_ms": []})
    followed = {}
    clock = LoadGeneratorClock()
    plan = [(step % len(activities)) + 1 for step in range(reps * len(activities))] + [1]
    reconnects = room.reconnects()
    for target in (t % len(activities) for t in plan):
        activity = activities[target]
        await quiet(meter)
        before = meter.read()
        since = timing.count()
        sent = time.time()
        status, _, _ = await server.next_activity(
            activities[current]["pk"], activity["pk"], wrap=target == 0
        )
        answered = time.time()
        if not ok(status):
            raise Unexpected(f"Next answered {status}")
        current = target
        seen = await wait_for(timing, probes, activity["title"], since, sent, limit)
        await quiet(meter)
        spent = sum(Meter.spent(before, meter.read()).values())
        kind = results[activity["kind"]]
        kind["cpu_ms"].append(spent * 1000)
        kind["answer_ms"].append((answered - sent) * 1000)
        kind["missing"].append(len(probes) - len(seen["reached"]))
        reached = seen["reached"].values()
        kind["slowest_ms"].append((max(reached) - sent) * 1000 if reached else float("nan"))
        if seen["loads"] and activity["kind"] not in followed:
            followed[activity["kind"]] = await follow_up(server, room, seen["loads"])
        print(
            f"    → {activity['kind']}: {spent * 1000:.0f} ms CPU, slowest probe "
            f"{kind['slowest_ms'][-1]:.0f} ms, missing {kind['missing'][-1]}",
            flush=True,
        )
    summary = {}
    for name, kind in results.items():
        follow = followed.get(name)
        summary[name] = kind | {
            "cpu_median_ms": median(kind["cpu_ms"]),
            "slowest_median_ms": median(kind["slowest_ms"]),
            "slowest_max_ms": max((v for v in kind["slowest_ms"] if v == v), default=float("nan")),
            "lost": sum(kind["missing"]),
            "follow_up": follow,
            "with_follow_up_ms": median(kind["cpu_ms"]) + (follow["cpu_ms"] if follow else 0),
        }
    return {
        "kinds": summary,
        "probes": len(probes),
        "reconnects": room.reconnects() - reconnects,
        "load_cpu": clock.share_of_a_core(),
    }


async def follow_up(server, room: Room, urls: list) -> dict:
    """Every phone in the room fetches what its new screen loads at once, as htmx would."""
    meter = server.meter()
    phones = list(range(room.phones))
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures = 0

    async def fetch(n, url):
        nonlocal failures
        async with limit:
            try:
                status, _, _ = await server.get_as_phone(n, url, **{"HX-Request": "true"})
                failures += not ok(status)
            except (OSError, ConnectionError):
                failures += 1

    await quiet(meter)
    before = meter.read()
    started = time.monotonic()
    await asyncio.gather(*(fetch(n, url) for n in phones for url in urls))
    wall = time.monotonic() - started
    await quiet(meter)
    spent = sum(Meter.spent(before, meter.read()).values())
    requests = len(phones) * len(urls)
    return {
        "urls": [url.replace(f"/{server.code}/", "/<code>/") for url in urls],
        "requests": requests,
        "cpu_ms": spent * 1000,
        "per_request_ms": spent * 1000 / max(1, requests),
        "wall_s": wall,
        "failures": failures,
    }


async def baseline_changes(server, room: Room, changes: int, limit: float) -> dict:
    """The baseline's change of activity: one message to every phone; the slowest probe."""
    timing, meter = room.timing, server.meter()
    probes = [index for index, _ in room.probe_phones]
    timing.watch(r"bench-base-\d+-")
    slowest, cpu, missing = [], [], 0
    for change in range(changes):
        await quiet(meter)
        before = meter.read()
        since = timing.count()
        sent = time.time()
        title = f"bench-base-{change}-"
        await server.change(title)
        seen = await wait_for(timing, probes, title, since, sent, limit)
        await quiet(meter)
        cpu.append(sum(Meter.spent(before, meter.read()).values()) * 1000)
        missing += len(probes) - len(seen["reached"])
        if seen["reached"]:
            slowest.append((max(seen["reached"].values()) - sent) * 1000)
    return {
        "slowest_median_ms": median(slowest),
        "slowest_ms": slowest,
        "cpu_median_ms": median(cpu),
        "lost": missing,
        "probes": len(probes),
    }


# --- Posts ---------------------------------------------------------------------------------------


async def patiently(send, until: float) -> tuple[int | None, int]:
    """Sends until the answer is not a 503, waiting out each Retry-After (with jitter) as a
    phone's outbox does, until `until` (monotonic): (last status, 503s). None: no answer."""
    busy = 0
    while True:
        try:
            status, headers, _ = await send()
        except (OSError, ConnectionError):
            return None, busy
        wait = retry_after(headers) * random.uniform(1, 1.5)
        if status != 503 or time.monotonic() + wait > until:
            return status, busy
        busy += 1
        await asyncio.sleep(wait)


def first_arrivals(arrivals, projectors, pattern: str) -> dict:
    """(projector, number) -> first arrival, for markers like bench-post-<number>-."""
    number = re.compile(pattern)
    first = {}
    for index, at, tokens, _ in arrivals:
        if index in projectors:
            for token in tokens:
                if match := number.fullmatch(token):
                    first.setdefault((index, int(match.group(1))), at)
    return first


async def post_to_projector(server, room: Room, rate: float, duration: float) -> dict:
    """Posts at a fixed rate (open loop) while the room is connected: post → projectors."""
    timing = room.timing
    timing.watch(r"bench-post-\d+-")
    since, reconnects = timing.count(), room.reconnects()
    clock = LoadGeneratorClock()
    count = int(rate * duration)
    scheduled, failures, busy = {}, 0, 0
    start = time.time() + 0.5
    until = time.monotonic() + duration + LOAD_TIMEOUT

    async def send(i):
        nonlocal failures, busy
        token = str(uuid.uuid4())  # the same post again after a 503, as the outbox sends it
        status, retried = await patiently(
            lambda: server.post(i % room.phones, f"bench-post-{i}-", token=token), until
        )
        failures += not ok(status)
        busy += retried

    sends = []
    for i in range(count):
        scheduled[i] = start + i / rate
        await asyncio.sleep(max(0, scheduled[i] - time.time()))
        sends.append(asyncio.create_task(send(i)))
    # Bounded: a post still unanswered after its timeout counts as failed, and one that has not
    # reached the projectors 15 s after the last was sent counts as lost.
    await asyncio.wait(sends, timeout=2 * LOAD_TIMEOUT + 5)
    load_cpu = clock.share_of_a_core()
    await asyncio.sleep(15 if failures or len(sends) < count else 5)
    first = first_arrivals(timing.arrivals(since), room.projector_indexes, r"bench-post-(\d+)-")
    latencies = [(at - scheduled[i]) * 1000 for (_, i), at in first.items() if i in scheduled]
    return {
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "lost": len(room.projector_indexes) * count - len(first),
        "failed_posts": failures,
        "busy_503": busy,
        "posts": count,
        "projectors": len(room.projector_indexes),
        "reconnects": room.reconnects() - reconnects,
        "load_cpu": load_cpu,
    }


async def closed_loop(server, room: Room, concurrency: int, duration: float) -> dict:
    """The most posts a second the server sustains: `concurrency` phones each posting again as
    soon as the last post is answered (a 503 is retried after its Retry-After, the same post
    again), for `duration` seconds. Then every answered post must reach every projector."""
    timing, meter = room.timing, server.meter()
    timing.watch(r"bench-load-\d+-")
    since, reconnects = timing.count(), room.reconnects()
    counter = itertools.count()
    answered, latencies = {}, []
    busy = failures = 0
    clock = LoadGeneratorClock()
    await quiet(meter)
    before = meter.read()
    started = time.monotonic()
    end = started + duration

    async def poster():
        nonlocal busy, failures
        while time.monotonic() < end:
            i = next(counter)
            token = str(uuid.uuid4())
            sent = time.monotonic()
            status, retried = await patiently(
                lambda i=i, token=token: server.post(
                    i % room.phones, f"bench-load-{i}-", token=token
                ),
                end + LOAD_TIMEOUT,
            )
            busy += retried
            if ok(status):
                answered[i] = time.monotonic()
                latencies.append((answered[i] - sent) * 1000)
            else:
                failures += 1

    await asyncio.gather(*(poster() for _ in range(concurrency)))
    elapsed = max(answered.values(), default=end) - started
    load_cpu = clock.share_of_a_core()
    await quiet(meter)
    spent = Meter.spent(before, meter.read())
    count = max(1, len(answered))
    # Every answered post at every projector, within a bounded wait.
    deadline = time.monotonic() + 15
    expected = len(answered) * len(room.projector_indexes)
    first = {}
    while time.monotonic() < deadline:
        first = first_arrivals(timing.arrivals(since), room.projector_indexes, r"bench-load-(\d+)-")
        if sum(1 for (_, i) in first if i in answered) >= expected:
            break
        await asyncio.sleep(0.5)
    reached = sum(1 for (_, i) in first if i in answered)
    return {
        "posts_per_second": len(answered) / elapsed if elapsed > 0 else float("nan"),
        "posts": len(answered),
        "concurrency": concurrency,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "busy_503": busy,
        "failed_posts": failures,
        "lost": expected - reached,
        "cpu_per_post_ms": sum(spent.values()) * 1000 / count,
        "parts_ms": {name: seconds * 1000 / count for name, seconds in spent.items()},
        "reconnects": room.reconnects() - reconnects,
        "load_cpu": load_cpu,
    }


# --- Votes ------------------------------------------------------------------------------------


VOTE_MARKER = r"bench-seed-\d+-|takeaway-\d+"


async def vote_storm(server, room: Room, plan: VotePlan, per_phone: int, window: float) -> dict:
    """During the share-out, every phone votes `per_phone` times within `window` seconds (open
    loop). A vote has reached a projector when a message there names its takeaway (its text
    or its element id) after the vote was sent."""
    timing = room.timing
    timing.watch(VOTE_MARKER)
    since, reconnects = timing.count(), room.reconnects()
    schedule = plan.storm(per_phone)
    rate = len(schedule) / window
    names = {}
    for t, takeaway in enumerate(plan.takeaways):
        names[f"takeaway-{takeaway['pk']}"] = t
    seed = re.compile(r"bench-seed-(\d+)-")
    clock = LoadGeneratorClock()
    start = time.time() + 0.5
    sent, status_of = {}, {}

    until = time.monotonic() + window + LOAD_TIMEOUT
    busy = 0

    async def send(j, n, t):
        nonlocal busy
        status, retried = await patiently(lambda: server.vote(n, plan.takeaways[t]["pk"]), until)
        status_of[j] = status
        busy += retried

    tasks = []
    for j, (n, t) in enumerate(schedule):
        at = start + j / rate
        await asyncio.sleep(max(0, at - time.time()))
        sent[j] = time.time()
        tasks.append(asyncio.create_task(send(j, n, t)))
    await asyncio.wait(tasks, timeout=2 * LOAD_TIMEOUT + 5)
    load_cpu = clock.share_of_a_core()
    failed = sum(1 for j in sent if not ok(status_of.get(j)))
    await asyncio.sleep(15 if failed else 5)
    # When each projector heard about each takeaway, in order.
    heard = defaultdict(list)
    for index, at, tokens, _ in timing.arrivals(since):
        if index not in room.projector_indexes:
            continue
        for token in tokens:
            t = int(m.group(1)) if (m := seed.fullmatch(token)) else names.get(token)
            if t is not None:
                heard[(index, t)].append(at)
    latencies, lost = [], 0
    for j, (_, t) in enumerate(schedule):
        for index in room.projector_indexes:
            times = sorted(heard.get((index, t), []))
            k = bisect.bisect_left(times, sent[j])
            if k < len(times):
                latencies.append((times[k] - sent[j]) * 1000)
            else:
                lost += 1
    by_takeaway = defaultdict(list)
    for j, (_, t) in enumerate(schedule):
        by_takeaway[t].append(sent[j])
    spacing = min(
        (b - a for times in by_takeaway.values() for a, b in itertools.pairwise(times)),
        default=float("nan"),
    )
    return {
        "votes": len(schedule),
        "per_second": rate,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "lost": lost,
        "failed_votes": failed,
        "busy_503": busy,
        "statuses": {str(k): v for k, v in _count(status_of.values()).items()},
        "projectors": len(room.projector_indexes),
        "closest_votes_on_one_takeaway_s": spacing,
        "reconnects": room.reconnects() - reconnects,
        "load_cpu": load_cpu,
    }


# --- A quick poll ----------------------------------------------------------------------------

# What the projector says of a poll while its results show, once enough have answered
# (templates/facilitator/_pattern.html); below the threshold it says only that it is waiting.
POLL_MARKER = r"\d+ people answered"
REFUSED = b"poll-phone__status--error"  # a refused answer comes back 200, its reason inside


def answered_ok(status: int | None, body: bytes) -> bool:
    return ok(status) and REFUSED not in body


async def open_poll(server) -> None:
    """The facilitator's go from the first activity, where a fresh workshop starts, to the
    poll: open, nobody has answered it yet."""
    first, poll = server.setup["activities"][0]["pk"], server.setup["poll"]["activity"]
    status, _, _ = await server.next_activity(first, poll, wrap=True)
    if not ok(status):
        raise Unexpected(f"the go to the poll answered {status}")
    await quiet(server.meter())


def reflected(sent: list[float], shown: list[tuple[float, int]]) -> list[float | None]:
    """When one projector first reflected each answer: answer j, sent at sent[j] (in order),
    has reached it at the first message after sent[j] saying at least j + 1 people answered,
    so that it then counts at least as many answers as had been sent. Conservative, and needs
    no marker of its own per answer. None: never reflected."""
    shown = sorted(shown)
    at, k = [], 0
    for j, t in enumerate(sent):
        while k < len(shown) and (shown[k][0] < t or shown[k][1] < j + 1):
            k += 1
        at.append(shown[k][0] if k < len(shown) else None)
    return at


def answers_shown(arrivals, projectors) -> dict[int, list[tuple[float, int]]]:
    """Per projector, each message's time and the most people it says answered."""
    shown = defaultdict(list)
    for index, at, tokens, _ in arrivals:
        if index in projectors and tokens:
            shown[index].append((at, max(int(token.split()[0]) for token in tokens)))
    return shown


async def poll_storm(server, room: Room, window: float) -> dict:
    """The poll open, every phone of the room answers once, evenly over `window` seconds (open
    loop; a 503 is waited out and sent again, as the phone's form would). Answer → projector as
    `reflected` says; the server's CPU from before the first answer until quiet after the
    last, per answer."""
    timing, meter = room.timing, server.meter()
    timing.watch(POLL_MARKER)
    question, options = server.setup["poll"]["question"], server.setup["poll"]["options"]
    projectors = room.projector_indexes
    since, reconnects = timing.count(), room.reconnects()
    count = room.phones
    rate = count / window
    clock = LoadGeneratorClock()
    await quiet(meter)
    before = meter.read()
    start = time.time() + 0.5
    until = time.monotonic() + 0.5 + window + LOAD_TIMEOUT
    sent, status_of, busy = [], {}, 0

    async def send(j):
        nonlocal busy
        body = b""

        async def answer():
            nonlocal body
            status, headers, body = await server.poll_answer(j, question, options[j % 4])
            return status, headers, body

        status, retried = await patiently(answer, until)
        status_of[j] = status if answered_ok(status, body) else f"{status}, refused"
        busy += retried

    tasks = []
    for j in range(count):
        await asyncio.sleep(max(0, start + j / rate - time.time()))
        sent.append(time.time())
        tasks.append(asyncio.create_task(send(j)))
    await asyncio.wait(tasks, timeout=2 * LOAD_TIMEOUT + 5)
    load_cpu = clock.share_of_a_core()
    stored = sum(1 for status in status_of.values() if status == 200)
    # Until every projector says every stored answer is counted, within a bounded wait.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        shown = answers_shown(timing.arrivals(since), projectors)
        if all(max((n for _, n in shown[p]), default=0) >= stored for p in projectors):
            break
        await asyncio.sleep(0.25)
    await quiet(meter)
    spent = sum(Meter.spent(before, meter.read()).values())
    shown = answers_shown(timing.arrivals(since), projectors)
    latencies, lost = [], 0
    for index in projectors:
        for j, at in enumerate(reflected(sent, shown[index])):
            if at is None:
                lost += 1
            else:
                latencies.append((at - sent[j]) * 1000)
    return {
        "answers": count,
        "window_s": window,
        "per_second": rate,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "lost": lost,
        "final_answered": {str(p): max((n for _, n in shown[p]), default=0) for p in projectors},
        "projector_messages": sum(len(shown[p]) for p in projectors),
        "failed_answers": count - stored,
        "busy_503": busy,
        "statuses": {str(k): v for k, v in _count(status_of.values()).items()},
        "projectors": len(projectors),
        "cpu_per_answer_ms": spent * 1000 / max(1, stored),
        "reconnects": room.reconnects() - reconnects,
        "load_cpu": load_cpu,
    }


async def poll_answer_cost(server, options, phones: int) -> dict:
    """An answer to the running poll, one after another, projectors and console connected:
    once the storm is over, so each is a phone changing its answer (the same work as a first
    one: its answer written, the counts read again, one fragment for the projector and the
    console) and the storm's counts start from nobody."""
    question, choices = server.setup["poll"]["question"], server.setup["poll"]["options"]

    async def answer(i):
        n = (i * 37 + 11) % phones
        # Not what it answered before: the storm gave it choices[n % 4], each round one on.
        choice = choices[(n + 1 + i // phones) % len(choices)]
        status, _, body = await server.poll_answer(n, question, choice)
        return answered_ok(status, body)

    return await cost(server.meter(), answer, max_batch=50, **options.cost)


def _count(values) -> dict:
    counts = defaultdict(int)
    for value in values:
        counts[value] += 1
    return counts


# --- Joins ------------------------------------------------------------------------------------


async def join_wave(
    server, joiners: int, window: float, patience: float, console_probe: bool, first: int = 0
) -> dict:
    """`joiners` new phones arrive evenly over `window` seconds, each through the whole join
    path, as patient as a real phone (Patient: a 503 is waited out and retried, not an error)
    until `patience` seconds after the last one arrived. A facilitator's console (and, for the
    app, a probe fetching its catch-up every ~200 ms) is watching."""
    async with Room(server, 0, projectors=1, console=server.kind == "app"):
        return await _join_wave(server, joiners, window, patience, console_probe, first)


async def _join_wave(server, joiners, window, patience, console_probe, first):
    is_app = server.kind == "app"
    meter = server.meter()
    clock = LoadGeneratorClock()
    await quiet(meter)
    before = meter.read()
    start = time.monotonic() + 0.2
    deadline = start + window + patience
    outcomes, sockets = [], []
    finished = asyncio.Event()

    async def one(j):
        await asyncio.sleep(max(0, start + window * j / joiners - time.monotonic()))
        began = time.monotonic()
        policy = Patient(deadline)
        outcome = {"joined": False, "failures": 0}
        while time.monotonic() < deadline:
            try:
                sockets.append((await server.join(first + j, policy))[1])
            except GaveUp:
                break
            except (Unexpected, HandshakeRefused, AttributeError, OSError) as error:
                # A wrong answer: the person reloads and starts again, a little later.
                outcome["failures"] += 1
                outcome["error"] = str(error)
                await asyncio.sleep(random.uniform(1, 2))
                continue
            outcome |= {"joined": True, "seconds": time.monotonic() - began}
            break
        outcomes.append(
            outcome
            | {
                "requests": policy.requests,
                "busy": policy.busy,
                "timeouts": policy.timeouts,
                "errors": policy.errors,
            }
        )

    async def console():
        latencies, failures, timeouts = [], 0, 0
        _, _, body = await server.console_updates(0)
        after = json.loads(body)["revision"]
        while not finished.is_set() and time.monotonic() < deadline + LOAD_TIMEOUT:
            tick = time.monotonic()
            try:
                status, _, body = await server.console_updates(after)
                latencies.append((time.monotonic() - tick) * 1000)
                if status == 200:
                    after = json.loads(body).get("revision", after)
                else:
                    failures += 1
            except TimeoutError:
                timeouts += 1
                latencies.append((time.monotonic() - tick) * 1000)
            except (OSError, ConnectionError):
                failures += 1
            await asyncio.sleep(max(0, tick + 0.2 - time.monotonic()))
        return {
            "requests": len(latencies) + failures,
            "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99),
            "max": max(latencies, default=float("nan")),
            "failures": failures,
            "timeouts": timeouts,
        }

    probe = asyncio.create_task(console()) if console_probe and is_app else None
    began = time.monotonic()
    try:
        await asyncio.gather(*(one(j) for j in range(joiners)))
    finally:
        finished.set()
        console_result = await probe if probe else None
    elapsed = time.monotonic() - began
    load_cpu = clock.share_of_a_core()
    await quiet(meter, limit=10)
    spent = sum(Meter.spent(before, meter.read()).values())
    for writer in sockets:
        writer.close()
    joined = [o for o in outcomes if o["joined"]]
    seconds = [o["seconds"] * 1000 for o in joined]
    return {
        "joiners": joiners,
        "window_s": window,
        "joined": len(joined),
        "per_second": len(joined) / elapsed,
        "p50": percentile(seconds, 0.5),
        "p99": percentile(seconds, 0.99),
        "max": max(seconds, default=float("nan")),
        # Requests that failed: timed out, refused or reset, or answered wrongly. Not 503s.
        "errors": sum(o["timeouts"] + o["errors"] + o["failures"] for o in outcomes),
        "timeouts": sum(o["timeouts"] for o in outcomes),
        "busy_503": sum(o["busy"] for o in outcomes),
        "max_requests": max((o["requests"] for o in outcomes), default=0),
        "max_busy": max((o["busy"] for o in outcomes), default=0),
        "sample_error": next((o["error"] for o in outcomes if "error" in o), None),
        "server_cpu_per_join_ms": spent * 1000 / max(1, len(joined)),
        "console": console_result,
        "load_cpu": load_cpu,
    }


# --- Idle and weight ----------------------------------------------------------------------------


async def idle_cost(server, room: Room, seconds: float, rss_before: float) -> dict:
    meter = server.meter()
    await asyncio.sleep(3)
    before, started = sum(meter.read().values()), time.monotonic()
    await asyncio.sleep(seconds)
    cpu_share = (sum(meter.read().values()) - before) / (time.monotonic() - started)
    rss = server.rss_mb()
    return {
        "cpu_percent": cpu_share * 100,
        "rss_mb": rss,
        "kb_per_phone": (rss - rss_before) * 1024 / max(1, room.phones),
        "connect_errors": room.errors,
    }


async def page_weight(server) -> dict:
    """Compressed bytes of a page and every asset it loads, as gzip would send them."""
    import gzip

    async def weight(path, cookie=""):
        _, _, page = await http(HOST, server.port, "GET", path, {"Cookie": cookie})
        total = len(gzip.compress(page, 6))
        for asset in ASSET.findall(page):
            _, _, body = await http(HOST, server.port, "GET", asset.decode())
            total += len(gzip.compress(body, 6))
        return total / 1024

    return {
        "join_kb": await weight(f"/j/{server.code}/"),
        "activity_kb": await weight(f"/w/{server.code}/", server.cookie(0)),
        "projector_kb": await weight(f"/p/{server.setup['projector_key']}/"),
    }
