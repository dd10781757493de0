"""`make bench`: the app, a minimal baseline server and the app scaled out, measured in one run.

Groups of scenarios, each on a freshly started server (a fresh database, the same room), so a
scenario that overloads a server does not leave its backlog to the next:

  room      a quiet server: a join's cost, static assets, post and edit with 10 phones;
            then N phones connected: idle cost, post and edit, the most posts a second, and
            posts at a fixed rate to the projectors
  stages    N phones and probes: Next to each kind of activity; a vote's cost; the vote storm
  poll      N phones, the room on a quick poll (open: nothing walked through it): every phone
            answers once within the poll window, answer → projectors; then an answer's cost
  burst     N phones joining within the burst window
  overload  N phones joining within a few seconds, the console's catch-up probed meanwhile
  baseline  bench/baseline.py: its idle cost, sending to every phone, changes, posts, a burst
  scaleout  two Daphne processes on PostgreSQL and Redis: CPU per post, the most posts a second

F, the floor every CPU figure is also given in, is measured on each of the app's fresh
servers (room, stages, poll, burst, overload): the run's F is the median of all those batches.

The embedded server runs alone on CPU core 0 (taskset); this load generator and its timing
clients on core 1. Everything talks to 127.0.0.1; every loop is bounded in count and in time;
every process started is stopped, whatever happens. Writes bench/results/latest.md (printed
too) and the raw figures in latest.json.
"""

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import statistics
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report
import scenarios as s
from load import CLIENT_CORE, Room
from servers import AppServer, BaselineServer, stop_everything

RESULTS = Path(__file__).resolve().parent / "results"
GROUPS = ["room", "stages", "poll", "burst", "overload", "baseline", "scaleout"]
APP_PORT, BASELINE_PORT, SCALEOUT_PORTS = 8701, 8702, [8711, 8712]


@contextlib.asynccontextmanager
async def running(server):
    try:
        yield await server.start()
    finally:
        server.stop()


def say(group: str, what: str):
    print(f"[{group}] {what}", flush=True)


async def measure_floor(group: str, server, o, out: dict):
    """F on each fresh app server of the run; the run's F is the median of all their batches,
    so that a busy moment of a shared machine weighs little."""
    out.setdefault("floors", {})[group] = floor = await s.floor(server, o)
    say(group, f"F = {floor['ms']:.2f} ms here")


def combined_floor(app: dict) -> None:
    floors = app.get("floors", {})
    batches = [ms for floor in floors.values() for ms in floor["batches_ms"]]
    if batches:
        app["floor"] = {
            "ms": statistics.median(batches),
            "batches_ms": batches,
            "servers": list(floors),
            "range_ms": [min(batches), max(batches)],
        }


async def room_group(o, out: dict):
    async with running(AppServer([APP_PORT], o.phones, o.per_table)) as server:
        await measure_floor("room", server, o, out)
        say("room", "page weight, static assets, a join's cost")
        out["weight"] = await s.page_weight(server)
        out["static"] = await s.static_assets(server, o)
        out["join_cost"] = await s.join_cost(server, o)
        say("room", "post and edit, 10 phones connected")
        async with Room(server, 10, projectors=o.projectors, console=True):
            posted = []
            out["post_10"] = await s.post_cost(server, o, 10, posted)
            out["edit_10"] = await s.edit_cost(server, o, posted)
        rss_before = server.rss_mb()
        say("room", f"{o.phones} phones connecting")
        async with Room(server, o.phones, projectors=o.projectors, console=True) as room:
            say("room", "idle cost")
            out["idle"] = await s.idle_cost(server, room, o.idle_seconds, rss_before)
            say("room", f"post and edit, {o.phones} phones connected")
            posted = []
            out[f"post_{o.phones}"] = await s.post_cost(server, o, o.phones, posted)
            out[f"edit_{o.phones}"] = await s.edit_cost(server, o, posted)
            say("room", f"the most posts a second ({o.concurrency} posting in a loop)")
            out["closed_loop"] = await s.closed_loop(server, room, o.concurrency, o.loop_seconds)
            say("room", f"post → projector, {o.rate:g}/s for {o.duration:g} s")
            out["post"] = await s.post_to_projector(server, room, o.rate, o.duration)


async def stages_group(o, out: dict):
    async with running(AppServer([APP_PORT], o.phones, o.per_table)) as server:
        await measure_floor("stages", server, o, out)
        say("stages", f"{o.phones} phones and {o.probes} probes connecting")
        async with Room(
            server, o.phones, probes=o.probes, projectors=o.projectors, console=True
        ) as room:
            say("stages", "Next to each kind of activity")
            out["next"] = await s.next_to_each_kind(server, room, o.next_reps, o.next_limit)
            plan = s.VotePlan(server, o.phones)
            say("stages", "a vote's cost in the share-out")
            out[f"vote_{o.phones}"] = await s.vote_cost(server, o, plan)
            say(
                "stages",
                f"vote storm: {o.phones} phones × {o.votes_per_phone} in {o.storm_window:g} s",
            )
            out["storm"] = await s.vote_storm(server, room, plan, o.votes_per_phone, o.storm_window)


async def poll_group(o, out: dict):
    async with running(AppServer([APP_PORT], o.phones, o.per_table)) as server:
        await measure_floor("poll", server, o, out)
        say("poll", f"{o.phones} phones connecting")
        async with Room(server, o.phones, projectors=o.projectors, console=True) as room:
            say("poll", "the facilitator's go to the quick poll")
            await s.open_poll(server)
            say("poll", f"poll storm: {o.phones} phones answering once in {o.poll_window:g} s")
            out["poll_storm"] = await s.poll_storm(server, room, o.poll_window)
            say("poll", "an answer's cost, the whole room answered")
            out[f"poll_answer_{o.phones}"] = await s.poll_answer_cost(server, o, o.phones)


async def burst_group(o, out: dict):
    async with running(AppServer([APP_PORT], 0, o.per_table)) as server:
        await measure_floor("burst", server, o, out)
        say("burst", f"{o.joiners} phones joining in {o.burst_window:g} s")
        out["burst"] = await s.join_wave(server, o.joiners, o.burst_window, o.patience, False)


async def overload_group(o, out: dict):
    async with running(AppServer([APP_PORT], 0, o.per_table)) as server:
        await measure_floor("overload", server, o, out)
        say("overload", f"{o.joiners} phones joining in {o.overload_window:g} s")
        out["overload"] = await s.join_wave(server, o.joiners, o.overload_window, o.patience, True)


async def baseline_group(o, out: dict):
    async with running(BaselineServer(BASELINE_PORT, o.phones)) as server:
        say("baseline", "sending to no phone")
        out["send_0"] = await s.baseline_send_cost(server, o)
        rss_before = server.rss_mb()
        async with Room(server, o.phones, probes=o.probes, projectors=o.projectors) as room:
            say("baseline", "idle cost")
            out["idle"] = await s.idle_cost(server, room, o.idle_seconds, rss_before)
            say("baseline", f"sending to {o.phones} phones")
            out[f"send_{o.phones}"] = await s.baseline_send_cost(server, o)
            say("baseline", "changes of activity")
            out["next"] = await s.baseline_changes(server, room, o.changes, o.next_limit)
            out["change_cost"] = await s.baseline_change_cost(server, o)
            say("baseline", f"post → projector, {o.rate:g}/s")
            out["post"] = await s.post_to_projector(server, room, o.rate, o.duration)
        say("baseline", f"{o.joiners} phones joining in {o.burst_window:g} s")
        out["burst"] = await s.join_wave(server, o.joiners, o.burst_window, o.patience, False)


async def scaleout_group(o, out: dict):
    server = AppServer(SCALEOUT_PORTS, o.phones, o.per_table, scaleout=True)
    async with running(server):
        say("scaleout", f"{o.phones} phones connecting to {len(SCALEOUT_PORTS)} processes")
        async with Room(server, o.phones, projectors=o.projectors, console=True) as room:
            say("scaleout", "CPU per post, every part")
            out[f"post_{o.phones}"] = await s.post_cost(server, o, o.phones, [])
            say("scaleout", f"the most posts a second ({o.concurrency} posting in a loop)")
            out["closed_loop"] = await s.closed_loop(server, room, o.concurrency, o.loop_seconds)
            # The whole room into the share-out and voting, half of it on each process: every
            # vote must reach every projector, whichever process it was sent to.
            say("scaleout", "into the share-out")
            out["next"] = await s.next_to_each_kind(server, room, 0, o.next_limit)
            say("scaleout", f"vote storm: {o.phones} phones × {o.votes_per_phone}")
            plan = s.VotePlan(server, o.phones)
            out["storm"] = await s.vote_storm(server, room, plan, o.votes_per_phone, o.storm_window)


def options_from(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--quick", action="store_true", help="a small run of every group, to try the harness")
    add("--only", default=",".join(GROUPS), help=f"groups to run, of {','.join(GROUPS)}")
    add("--phones", type=int, default=1000)
    add("--probes", type=int, default=40, help="probe phones timing what they receive")
    add("--projectors", type=int, default=3)
    add("--per-table", type=int, default=3, help="takeaways on each table's wall beforehand")
    add("--rate", type=float, default=100, help="posts a second, post → projector")
    add("--duration", type=float, default=60, help="seconds of posts at that rate")
    add("--concurrency", type=int, default=16, help="phones posting in a closed loop")
    add("--loop-seconds", type=float, default=20)
    add("--next-reps", type=int, default=3, help="rounds of Next through the agenda")
    add("--next-limit", type=float, default=30, help="seconds a change may take to arrive")
    add("--changes", type=int, default=10, help="the baseline's changes of activity")
    add("--votes-per-phone", type=int, default=3)
    add("--storm-window", type=float, default=60)
    add("--poll-window", type=float, default=20, help="seconds the room takes to answer a poll")
    add("--joiners", type=int, default=1000)
    add("--burst-window", type=float, default=20)
    add("--overload-window", type=float, default=5)
    add("--patience", type=float, default=40, help="seconds a joining phone keeps trying")
    add("--idle-seconds", type=float, default=20)
    add("--batches", type=int, default=5, help="batches per cost, of which the median")
    add("--batch-cpu", type=float, default=0.4, help="server CPU seconds a batch aims at")
    add("--cost-seconds", type=float, default=45, help="no new batch of a cost after this")
    o = parser.parse_args(argv)
    if o.quick:
        o.phones, o.probes, o.duration, o.loop_seconds, o.next_reps = 200, 10, 10, 8, 1
        o.changes, o.storm_window, o.joiners, o.burst_window, o.overload_window = 4, 12, 200, 4, 1
        o.poll_window = 4  # the full run's rate, 50 answers a second, for a fifth of the room
        o.patience, o.idle_seconds, o.batches, o.batch_cpu, o.cost_seconds = 20, 5, 3, 0.2, 15
    o.only = [g for g in o.only.split(",") if g]
    unknown = set(o.only) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    o.cost = {"batches": o.batches, "batch_cpu": o.batch_cpu, "time_limit": o.cost_seconds}
    return o


def raise_open_file_limit():
    """Thousands of sockets need thousands of descriptors, here and in the servers we start."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def ancestors() -> set[int]:
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
    return pids


def another_bench() -> str | None:
    """Two benchmarks at once would measure each other (this one's own launchers aside)."""
    mine = ancestors()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in mine:
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "bench/run.py" in command and "python" in command:
                return f"{entry.name}: {command.strip()}"
    return None


def main():
    raise_open_file_limit()
    o = options_from()
    if running_already := another_bench():
        sys.exit(f"Another benchmark is running ({running_already}); try again when it is done.")
    # A run stopped from outside still stops every server it started (the finally below).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        run(o)
    finally:
        stop_everything()


def run(o):
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {CLIENT_CORE})
    started = time.monotonic()
    results = {"app": {}, "baseline": {}, "scaleout": {}}
    failed = {}
    groups = {
        "room": (room_group, "app"),
        "stages": (stages_group, "app"),
        "poll": (poll_group, "app"),
        "burst": (burst_group, "app"),
        "overload": (overload_group, "app"),
        "baseline": (baseline_group, "baseline"),
        "scaleout": (scaleout_group, "scaleout"),
    }
    for name in GROUPS:
        if name in o.only:
            group, where = groups[name]
            began = time.monotonic()
            try:
                asyncio.run(group(o, results[where]))
            except Exception as error:  # the other groups still run, and the report says so
                traceback.print_exc()
                failed[name] = repr(error)
            say(name, f"done in {time.monotonic() - began:.0f} s")
    combined_floor(results["app"])
    meta = {"seconds": time.monotonic() - started, "quick": o.quick, "only": o.only}
    meta["failed_groups"] = failed
    table = report.build(results, o, meta)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(table)
    raw = {"meta": meta, "options": {k: v for k, v in vars(o).items()}, **results}
    (RESULTS / "latest.json").write_text(json.dumps(raw, indent=1, default=str))
    print(table)


if __name__ == "__main__":
    main()
