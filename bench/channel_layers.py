"""Which channels-redis layer to deploy: group_send fan-out latency, measured.

Each receiver process stands for one Daphne process: it opens its share of the consumers (one
channel each) and adds them to groups, as LiveConsumer does. The sending process stands for a
view whose write just committed: it calls group_send and stamps the wall-clock time in the
message. A message's fan-out latency is the time from that stamp until the last consumer of the
group has it; lost messages are counted.

Two scenarios, both after what the app sends:

- "one group": every consumer in one group (a projector wall, or the phones of a huge table),
  one message every few milliseconds.
- "a room": the phones of a big event, tables of eight, and a change every table must hear
  (a workshop closing: one group_send per table, back to back), as `live.broadcast` does.

    .venv/bin/python bench/channel_layers.py                 # both layers, both scenarios
    .venv/bin/python bench/channel_layers.py --quick         # a smaller, faster run

Everything stays on 127.0.0.1 and under a throwaway key prefix; every loop is bounded.
"""

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import sys
import time
import uuid
import warnings

# The two channels-redis layers, and ours (pub/sub with loud failures, workshop/channel_layer.py).
# Python 3.12.1's multiprocessing warns while tidying up the runs' queues and events; harmless.
warnings.filterwarnings("ignore", message="ResourceTracker called reentrantly")

LAYERS = ["RedisChannelLayer", "RedisPubSubChannelLayer", "LiveChannelLayer"]


def make_layer(kind: str, redis_url: str, prefix: str):
    if kind == "RedisChannelLayer":
        from channels_redis.core import RedisChannelLayer

        return RedisChannelLayer(hosts=[redis_url], prefix=prefix, capacity=1000, expiry=60)
    if kind == "RedisPubSubChannelLayer":
        from channels_redis.pubsub import RedisPubSubChannelLayer

        return RedisPubSubChannelLayer(hosts=[redis_url], prefix=prefix)
    from workshop.channel_layer import LiveChannelLayer

    return LiveChannelLayer(hosts=[redis_url], prefix=prefix)


# --- One receiver process ------------------------------------------------------------------


def receiver(kind, redis_url, prefix, groups, ready, results, expected, timeout):
    """Joins each (group, count) with `count` consumers, then records when each message lands."""
    asyncio.run(_receive(kind, redis_url, prefix, groups, ready, results, expected, timeout))


async def _receive(kind, redis_url, prefix, groups, ready, results, expected, timeout):
    layer = make_layer(kind, redis_url, prefix)
    channels = []
    for group, count in groups:
        for _ in range(count):
            channel = await layer.new_channel()
            await layer.group_add(group, channel)
            channels.append(channel)
    # message id -> [how many consumers have it, when the last one got it]
    landed: dict[int, list] = {}
    done = asyncio.Event()
    pending = [expected]

    async def consume(channel):
        # Bounded: returns on the "stop" message or when the run times out.
        while True:
            message = await layer.receive(channel)
            now = time.time()
            if message["type"] == "bench.stop":
                return
            entry = landed.setdefault(message["id"], [0, 0.0])
            entry[0] += 1
            entry[1] = max(entry[1], now)
            pending[0] -= 1
            if pending[0] <= 0:
                done.set()

    tasks = [asyncio.create_task(consume(channel)) for channel in channels]
    await asyncio.sleep(0.2)  # let every consumer reach receive() before the sender starts
    ready.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put({message_id: tuple(entry) for message_id, entry in landed.items()})
    await layer.flush()


# --- The sender ----------------------------------------------------------------------------


async def _send(layer, plan, gap):
    """plan: list of (message id, [groups]); returns message id -> (sent at, call seconds)."""
    sent = {}
    for message_id, groups in plan:
        started = time.perf_counter()
        stamp = time.time()
        for group in groups:
            await layer.group_send(group, {"type": "bench.message", "id": message_id})
        sent[message_id] = (stamp, time.perf_counter() - started)
        await asyncio.sleep(gap)
    return sent


def run(kind, redis_url, processes, groups, plan, gap, timeout=60):
    """groups: {group: members}; members are spread round-robin over the processes."""
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    share: list[dict] = [{} for _ in range(processes)]
    for group, members in groups.items():
        for member in range(members):
            slot = share[member % processes]
            slot[group] = slot.get(group, 0) + 1
    expected = [
        sum(slot.get(g, 0) for _, message_groups in plan for g in message_groups) for slot in share
    ]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    readies = [context.Event() for _ in range(processes)]
    workers = [
        context.Process(
            target=receiver,
            args=(kind, redis_url, prefix, list(slot.items()), ready, results, count, timeout),
        )
        for slot, ready, count in zip(share, readies, expected, strict=True)
    ]
    for worker in workers:
        worker.start()
    for ready in readies:
        if not ready.wait(timeout):
            raise RuntimeError("a receiver did not get ready")

    layer = make_layer(kind, redis_url, prefix)
    sent = asyncio.run(_send(layer, plan, gap))
    landed = [results.get(timeout=timeout + 10) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
        if worker.is_alive():
            worker.kill()

    latencies, missing = [], 0
    for message_id, message_groups in plan:
        want = sum(groups[g] for g in message_groups)
        got = sum(part.get(message_id, (0, 0))[0] for part in landed)
        missing += max(0, want - got)
        last = max((part[message_id][1] for part in landed if message_id in part), default=None)
        if last is not None:
            latencies.append((last - sent[message_id][0]) * 1000)
    calls = [seconds * 1000 for _, seconds in sent.values()]
    return latencies, calls, missing


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(kind, scenario, latencies, calls, missing):
    print(
        f"| {kind} | {scenario} "
        f"| {statistics.median(latencies):.1f} | {percentile(latencies, 0.95):.1f} "
        f"| {max(latencies):.1f} | {statistics.median(calls):.2f} | {missing} |",
        flush=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--processes", type=int, default=4, help="receiving processes")
    parser.add_argument("--quick", action="store_true", help="fewer consumers and messages")
    parser.add_argument("--layer", choices=LAYERS, action="append")
    args = parser.parse_args(argv)
    if not args.redis.startswith(("redis://127.0.0.1", "redis://localhost")):
        sys.exit("This benchmark only talks to a Redis on this machine (127.0.0.1).")

    sizes = [10, 100] if args.quick else [10, 100, 1000]
    messages = 30 if args.quick else 100
    tables = 25 if args.quick else 125
    rounds = 5 if args.quick else 20

    print(
        f"{args.processes} receiving processes, {os.cpu_count()} CPU cores, Redis {args.redis}\n"
        "Fan-out latency: from group_send until the last consumer has the message (ms);\n"
        "call: how long the sender spends in group_send for it (ms).\n"
    )
    print("| Layer | Scenario | p50 | p95 | max | call p50 | lost |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.layer or LAYERS:
        for size in sizes:
            groups = {"wall": size}
            plan = [(n, ["wall"]) for n in range(messages)]
            latencies, calls, missing = run(kind, args.redis, args.processes, groups, plan, 0.01)
            report(kind, f"one group of {size}", latencies, calls, missing)
        groups = {f"table{t}": 8 for t in range(tables)}
        plan = [(n, list(groups)) for n in range(rounds)]
        latencies, calls, missing = run(kind, args.redis, args.processes, groups, plan, 0.05)
        report(kind, f"a room: {tables} tables of 8", latencies, calls, missing)


if __name__ == "__main__":
    main()
