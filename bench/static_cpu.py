"""Server CPU for a phone's first visit's static assets, against the floor F (/livez).

    .venv/bin/python bench/static_cpu.py [fetches per asset, default 200]

Starts `manage.py runworkshop` as `make run` does (embedded mode, a data folder of its own),
reads the asset addresses from the join page, then fetches each asset that many times with
Accept-Encoding: gzip, as a phone's browser asks, once over one keep-alive connection and once on
a new connection each time, and reads the server process's own CPU time (utime + stime in
/proc/<pid>/stat) before and after. The same for GET /livez: F, one request through the project's
middleware stack. A busy machine changes wall time
much more than these figures. Prints a Markdown table; asserts nothing.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PUBLIC_URL": f"http://{HOST}:{port}",
        "DJANGO_SETTINGS_MODULE": "workshop.settings",
        "LOG_LEVEL": "ERROR",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG"):
        env.pop(name, None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    process = subprocess.Popen(
        [*manage, "runworkshop", "--host", HOST, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / "server.log", "w"),  # noqa: SIM115 - the server holds it
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((data_dir / "server.log").read_text())
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("The server did not listen within 60 s.")


def fetch(connection, path: str) -> http.client.HTTPResponse:
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.body = response.read()
    return response


def cpu_per_fetch(pid: int, port: int, path: str, count: int, *, reuse: bool) -> float:
    """Milliseconds of server CPU per request, over `count` requests: all on one keep-alive
    connection (reuse), or each on a connection of its own, as a phone's parallel first
    fetches partly are."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    before = cpu_seconds(pid)
    for _ in range(count):
        response = fetch(connection, path)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        if not reuse:
            connection.close()
    after = cpu_seconds(pid)
    connection.close()
    return (after - before) * 1000 / count


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="static-cpu-") as data_dir:
        process = start_server(Path(data_dir), port)
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            page = fetch(connection, "/j/").body.decode()
            assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
            # Warm up: first requests import code and fill caches that later ones reuse.
            for path in ["/livez", *assets] * 5:
                fetch(connection, path)
            rows, totals = [], [0.0, 0.0]
            for path in [*assets, "/livez"]:
                response = fetch(connection, path)
                ms = [
                    cpu_per_fetch(process.pid, port, path, count, reuse=reuse)
                    for reuse in (True, False)
                ]
                if path != "/livez":
                    totals = [total + m for total, m in zip(totals, ms, strict=True)]
                label = f"`{path}` (F)" if path == "/livez" else f"`{path}`"
                rows.append(
                    f"| {label} | {len(response.body)} | "
                    f"{response.getheader('Content-Encoding') or 'identity'} | "
                    f"{response.getheader('Cache-Control')} | {ms[0]:.2f} | {ms[1]:.2f} |"
                )
            floor = ms  # the last row's: /livez
            connection.close()
        finally:
            process.terminate()
            process.wait(timeout=15)
    print(f"Server CPU per request in ms, {count} requests each, Accept-Encoding: gzip\n")
    print("| request | bytes sent | encoding | Cache-Control | keep-alive | new connection |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows[:-1]))
    print(f"| **all {len(assets)} assets** | | | | **{totals[0]:.2f}** | **{totals[1]:.2f}** |")
    print(rows[-1])
    print()
    for label, total, f in zip(("keep-alive", "new connections"), totals, floor, strict=True):
        print(f"A first visit's assets, {label}: {total:.2f} ms = {total / f:.2f} F (≤ 2 F).")


if __name__ == "__main__":
    main()
