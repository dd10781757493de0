"""The table of a run: what, ours (ms, and as a multiple of F), baseline, target, met or not.

Every figure comes from the results of the same run; a row whose scenario did not run (see
`--only`) is left out. The raw figures are in latest.json next to it.
"""

import os
from datetime import UTC, datetime

NAN = float("nan")


def _num(value, digits=1) -> str:
    if value is None or value != value:
        return "–"
    if value == float("inf"):
        return "∞"
    return f"{value:,.{digits}f}".replace(",", " ")


class Table:
    def __init__(self, floor_ms: float | None):
        self.floor = floor_ms
        self.rows = []

    def f(self, ms) -> str:
        """ms as a multiple of F."""
        if not self.floor or ms is None or ms != ms:
            return ""
        return f" = {_num(ms / self.floor)} F"

    def cpu(self, ms) -> str:
        return f"{_num(ms)} ms{self.f(ms)}"

    def row(self, what, ours, baseline, target, met):
        mark = "" if met is None else "met" if met else "**not met**"
        self.rows.append(f"| {what} | {ours} | {baseline} | {target} | {mark} |")

    def render(self) -> str:
        head = "| what | ours | baseline | target | |\n|---|---|---|---|---|\n"
        return head + "\n".join(self.rows) + "\n"


def _yes(flag) -> str:
    return "yes" if flag else "no"


def ms(value) -> str:
    return f"{_num(value)} ms"


def _ok(value, limit) -> bool | None:
    """Within the limit; None (no verdict) when the limit comes from a baseline not run."""
    if limit != limit:
        return None
    return value == value and value <= limit


def _all(*verdicts) -> bool | None:
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


def build(results: dict, options, meta: dict) -> str:
    app, base, scale = (
        results.get("app", {}),
        results.get("baseline", {}),
        results.get("scaleout", {}),
    )
    floor = app.get("floor", {}).get("ms")
    table = Table(floor)
    n = options.phones

    if floor:
        spread = app["floor"].get("range_ms", [NAN, NAN])
        table.row(
            "F, the floor: GET /livez through the middleware stack, no session, no database "
            f"(median of {len(app['floor']['batches_ms'])} batches on "
            f"{len(app['floor'].get('servers', [1]))} servers, {_num(spread[0], 2)}–"
            f"{_num(spread[1], 2)} ms)",
            ms(floor),
            "–",
            "(the unit)",
            None,
        )
    if join := app.get("join_cost"):
        table.row(
            "join: join page, form post, board, socket up to its first message",
            table.cpu(join["ms"]),
            "–",
            "≤ 6 F",
            _ok(join["ms"], 6 * floor),
        )
    if static := app.get("static"):
        cached = static["all_hashed"] and static["all_immutable"]
        table.row(
            f"a phone's static assets, first visit: {static['count']} files, "
            f"{_num(static['kb'])} KB sent; hashed names {_yes(static['all_hashed'])}, "
            f"Cache-Control immutable {_yes(static['all_immutable'])}, "
            f"CSS/JS compressed {_yes(static['all_compressed'])}",
            table.cpu(static["ms"]),
            "–",
            "≤ 2 F in all; hashed + immutable (a second visit fetches nothing)",
            _all(_ok(static["ms"], 2 * floor), cached),
        )
    for action in ("post", "edit"):
        small, big = app.get(f"{action}_10"), app.get(f"{action}_{n}")
        if small:
            table.row(
                f"{action}, 10 phones connected", table.cpu(small["ms"]), "–", "(reported)", None
            )
        if big and small:
            growth = big["ms"] / small["ms"] if small["ms"] else NAN
            table.row(
                f"{action}, {n} phones connected ({_num(growth, 2)}× the same with 10)",
                table.cpu(big["ms"]),
                "–",
                "≤ 3 F and ≤ 1.3× with 10 phones",
                _all(_ok(big["ms"], 3 * floor), _ok(growth, 1.3)),
            )
    send = None
    if base.get(f"send_{n}") and base.get("send_0"):
        send = max(0.0, base[f"send_{n}"]["ms"] - base["send_0"]["ms"])
        table.row(
            f"baseline: send one small message to {n} sockets (request with {n} phones minus "
            "with none)",
            "–",
            ms(send),
            "(the unit for votes)",
            None,
        )
    if vote := app.get(f"vote_{n}"):
        bound = 3 * floor + 3 * send if send is not None else NAN
        table.row(
            f"vote during a share-out, {n} phones (every phone shows the counts)",
            table.cpu(vote["ms"]),
            ms(send) if send is not None else "–",
            f"≤ 3 F + 3× baseline = {ms(bound)}",
            _ok(vote["ms"], bound),
        )
    if answer := app.get(f"poll_answer_{n}"):
        table.row(
            f"answer to a quick poll, {n} phones answered, projectors and console connected "
            "(a phone changing its answer; the counts go to the projectors and the console only)",
            table.cpu(answer["ms"]),
            "–",
            "(reported)",
            None,
        )
    next_base = base.get("next", {}).get("slowest_median_ms", NAN)
    # Its CPU per change, measured in batches; one change at a time is too short to read.
    change_base = base.get("change_cost", base.get("next", {}).get("cpu_median_ms", NAN))
    change_base = change_base["ms"] if isinstance(change_base, dict) else change_base
    for kind, label in (
        ("slide", "slide"),
        ("solo", "solo reflection"),
        ("discussion", "table discussion"),
        ("shareout", "share-out"),
        ("poll", "quick poll"),
    ):
        found = app.get("next", {}).get("kinds", {}).get(kind)
        if not found:
            continue
        follow = found.get("follow_up")
        extra = ""
        if follow:
            extra = (
                f" + every phone's own {', '.join(follow['urls'])}: {follow['requests']} "
                f"requests, {ms(follow['cpu_ms'])}{table.f(follow['cpu_ms'])}"
            )
        table.row(
            f"Next → {label}, {n} phones: server CPU (median of {len(found['cpu_ms'])})",
            table.cpu(found["cpu_median_ms"]) + extra,
            ms(change_base),
            "≤ 100 ms",
            _ok(found["with_follow_up_ms"], 100),
        )
        slowest = found["slowest_median_ms"]
        table.row(
            f"Next → {label}: slowest of {app['next']['probes']} probe phones (max "
            f"{_num(found['slowest_max_ms'])} ms, lost {found['lost']})",
            ms(slowest),
            ms(next_base),
            "≤ 300 ms and ≤ 3× baseline, 0 lost",
            _all(_ok(slowest, 300), _ok(slowest, 3 * next_base), found["lost"] == 0),
        )
    if post := app.get("post"):
        bpost = base.get("post", {})
        rate = f"{_num(options.rate, 0)}/s"
        table.row(
            f"post → projector p50 ({n} phones, {rate})",
            ms(post["p50"]),
            ms(bpost.get("p50")),
            "≤ 3× baseline",
            _ok(post["p50"], 3 * bpost.get("p50", NAN)),
        )
        table.row(
            f"post → projector p99 (lost: ours {post['lost']} of "
            f"{post['posts'] * post['projectors']}, baseline {bpost.get('lost', '–')}; "
            f"503s {post.get('busy_503', 0)}, reconnects {post.get('reconnects', 0)})",
            ms(post["p99"]),
            ms(bpost.get("p99")),
            "≤ 250 ms and ≤ 5× baseline, 0 lost",
            _all(
                _ok(post["p99"], 250),
                _ok(post["p99"], 5 * bpost.get("p99", NAN)),
                post["lost"] == 0,
            ),
        )
        table.row("post → projector max", ms(post["max"]), ms(bpost.get("max")), "(reported)", None)
    if storm := app.get("storm"):
        table.row(
            f"share-out vote storm: {storm['votes']} votes ({_num(storm['per_second'], 0)}/s), "
            f"vote → projector p99 (max {_num(storm['max'], 0)} ms; lost {storm['lost']} of "
            f"{storm['votes'] * storm['projectors']}, failed {storm['failed_votes']}, "
            f"503s {storm.get('busy_503', 0)}, reconnects {storm.get('reconnects', 0)})",
            ms(storm["p99"]),
            "–",
            "≤ 500 ms, 0 lost",
            _all(_ok(storm["p99"], 500), storm["lost"] == 0),
        )
    if poll := app.get("poll_storm"):
        table.row(
            f"quick poll storm: {poll['answers']} phones answer once in "
            f"{_num(poll['window_s'], 0)} s ({_num(poll['per_second'], 0)}/s), answer → "
            f"projector p99 (p50 {_num(poll['p50'], 0)} ms, max {_num(poll['max'], 0)} ms; lost "
            f"{poll['lost']} of {poll['answers'] * poll['projectors']}, failed "
            f"{poll['failed_answers']}, 503s {poll['busy_503']}, reconnects "
            f"{poll['reconnects']}; server CPU {table.cpu(poll['cpu_per_answer_ms'])} an answer)",
            ms(poll["p99"]),
            "–",
            "≤ 500 ms, 0 lost",
            _all(_ok(poll["p99"], 500), poll["lost"] == 0, poll["failed_answers"] == 0),
        )
    if burst := app.get("burst"):
        bburst = base.get("burst", {})
        table.row(
            f"join burst: {burst['joiners']} phones in {_num(burst['window_s'], 0)} s, p99 "
            f"(joined {burst['joined']}, errors {burst['errors']}, 503s {burst['busy_503']}; "
            f"{_num(burst['per_second'])} joins/s)",
            ms(burst["p99"]),
            ms(bburst.get("p99")),
            "0 errors, p99 ≤ 1 s",
            _all(
                burst["errors"] == 0,
                burst["joined"] == burst["joiners"],
                _ok(burst["p99"], 1000),
            ),
        )
    if over := app.get("overload"):
        table.row(
            f"join overload: {over['joiners']} phones in {_num(over['window_s'], 0)} s, slowest "
            f"to get in (joined {over['joined']}, timeouts {over['timeouts']}, other errors "
            f"{over['errors'] - over['timeouts']}, 503s {over['busy_503']}, most requests by "
            f"one phone {over['max_requests']})",
            ms(over["max"]),
            "–",
            "every phone in ≤ 30 s, no request times out",
            _all(
                over["joined"] == over["joiners"],
                _ok(over["max"], 30_000),
                over["timeouts"] == 0,
            ),
        )
        if console := over.get("console"):
            table.row(
                f"console catch-up during the overload, p99 (max {_num(console['max'], 0)} ms, "
                f"{console['requests']} requests, failed {console['failures']}, timed out "
                f"{console['timeouts']})",
                ms(console["p99"]),
                "–",
                "≤ 300 ms throughout",
                _all(_ok(console["max"], 300), not console["failures"], not console["timeouts"]),
            )
    if idle := app.get("idle"):
        bidle = base.get("idle", {})
        btarget = 2 * bidle.get("cpu_percent", NAN) + 2
        table.row(
            f"idle, {n} phones: CPU",
            f"{_num(idle['cpu_percent'])} %",
            f"{_num(bidle.get('cpu_percent'))} %",
            "≤ 2× baseline + 2 % of a core",
            _ok(idle["cpu_percent"], btarget),
        )
        table.row(
            f"idle, {n} phones: memory ({_num(idle['kb_per_phone'], 0)} KB a phone)",
            f"{_num(idle['rss_mb'])} MB",
            f"{_num(bidle.get('rss_mb'))} MB",
            "≤ 200 MB",
            _ok(idle["rss_mb"], 200),
        )
    embedded_post = app.get(f"post_{n}", {}).get("ms")
    embedded_loop = app.get("closed_loop")
    if loop := embedded_loop:
        table.row(
            f"embedded: most posts/s ({loop['concurrency']} phones posting in a closed loop, p99 "
            f"{_num(loop['p99'], 0)} ms, lost {loop['lost']}, 503s {loop['busy_503']}, "
            f"reconnects {loop.get('reconnects', 0)})",
            f"{_num(loop['posts_per_second'])} /s, {table.cpu(loop['cpu_per_post_ms'])} a post",
            "–",
            "(reported)",
            None,
        )
    if scale_post := scale.get(f"post_{n}"):
        parts = ", ".join(f"{k} {_num(v)}" for k, v in scale_post["parts_ms"].items())
        table.row(
            f"scale-out (2 Daphne + PostgreSQL + Redis): CPU per post, {n} phones, summed "
            f"(means: {parts})",
            table.cpu(scale_post["ms"]),
            f"embedded {ms(embedded_post)}",
            "≤ 2× embedded",
            _ok(scale_post["ms"], 2 * (embedded_post or NAN)),
        )
    if loop := scale.get("closed_loop"):
        parts = ", ".join(f"{k} {_num(v)}" for k, v in loop["parts_ms"].items())
        embedded_rate = (embedded_loop or {}).get("posts_per_second", NAN)
        table.row(
            f"scale-out: most posts/s ({loop['concurrency']} phones in a closed loop, p99 "
            f"{_num(loop['p99'], 0)} ms, lost {loop['lost']}, 503s {loop['busy_503']}, "
            f"reconnects {loop.get('reconnects', 0)}; CPU a post "
            f"{_num(loop['cpu_per_post_ms'])} ms: {parts})",
            f"{_num(loop['posts_per_second'])} /s",
            f"embedded {_num(embedded_rate)} /s",
            "≥ embedded, 0 lost",
            _all(
                None
                if embedded_rate != embedded_rate
                else embedded_rate <= loop["posts_per_second"],
                loop["lost"] == 0,
            ),
        )
    if storm := scale.get("storm"):
        table.row(
            f"scale-out: the room in a share-out, {storm['votes']} votes "
            f"({_num(storm['per_second'], 0)}/s) sent to both processes, vote → projector p99 "
            f"(max {_num(storm['max'], 0)} ms; lost {storm['lost']} of "
            f"{storm['votes'] * storm['projectors']}, failed {storm['failed_votes']}, "
            f"503s {storm.get('busy_503', 0)}, reconnects {storm.get('reconnects', 0)})",
            ms(storm["p99"]),
            f"embedded {ms(app.get('storm', {}).get('p99'))}",
            "in sync as on one process: 0 lost",
            storm["lost"] == 0 and storm["failed_votes"] == 0,
        )
    if weight := app.get("weight"):
        for name, key, limit in (
            ("join page", "join_kb", 60),
            ("activity page", "activity_kb", 60),
            ("projector page", "projector_kb", None),
        ):
            table.row(
                f"{name}, all assets, gzip",
                f"{_num(weight[key])} KB",
                "–",
                f"≤ {limit} KB" if limit else "(reported)",
                weight[key] <= limit if limit else None,
            )
    failed = "".join(
        f"\n**The {name} group failed** ({error}): its rows are missing or partial.\n"
        for name, error in meta.get("failed_groups", {}).items()
    )
    return header(results, meta) + failed + "\n" + table.render() + poll_verdict(app)


def poll_verdict(app: dict) -> str:
    """Issue #11's target, in one line: a room of 1 000 answering a poll within 20 s stays live."""
    poll = app.get("poll_storm")
    if not poll:
        return ""
    size = poll["answers"] >= 1000 and poll["window_s"] <= 20
    met = _all(_ok(poll["p99"], 500), poll["lost"] == 0, poll["failed_answers"] == 0)
    return (
        f"\nPoll storm against issue #11's target (p99 answer → projector ≤ 500 ms, a room of "
        f"1 000 answering within 20 s): p99 {ms(poll['p99'])} with {poll['answers']} phones in "
        f"{_num(poll['window_s'], 0)} s, lost {poll['lost']}, failed {poll['failed_answers']}: "
        f"**{'met' if met else 'not met'}**"
        + ("" if size else " (at a smaller size than the target's: not a verdict on it)")
        + ".\n"
    )


def header(results: dict, meta: dict) -> str:
    loads = [
        r.get("load_cpu", 0)
        for part in results.values()
        for r in part.values()
        if isinstance(r, dict)
    ]
    load = max(loads, default=0)
    validity = f"The load generator peaked at {load * 100:.0f} % of its core" + (
        " — **invalid: it saturated**." if load > 0.9 else " (valid)."
    )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    minutes = meta.get("seconds", 0) / 60
    return (
        f"Measured {when} on {os.cpu_count()} cores, loopback, in {minutes:.0f} minutes "
        f"({'quick' if meta.get('quick') else 'full'} run). Embedded: the server alone on core 0, "
        "the load generator and its timing clients on core 1. Scale-out: one Daphne process on "
        "each core, the load generator on core 1 too, PostgreSQL and Redis unpinned (system "
        "services, on both cores). Server CPU is the servers' own CPU time (/proc/<pid>/stat), "
        "from before a batch of operations until they are quiet again, the median over "
        "batches; F is the floor measured in the same run (on each of its fresh app servers). "
        + validity
        + "\n"
    )
