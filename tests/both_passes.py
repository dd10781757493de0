"""`make test`'s two pytest passes, run side by side: the embedded default (SQLite, the in-memory
channel layer, the browser tests) and the PostgreSQL and Redis pass (tests/with_services.py).

    .venv/bin/python tests/both_passes.py [pytest arguments for both]

The suite spends most of its time waiting, not computing: for servers to start, browsers to
draw, conditions to hold. On 2 cores the two passes side by side take about as long as the
longer one alone. Each keeps its output to itself, printed whole as it ends, and the run fails
if either fails. The passes share nothing: the second one's database, channel-layer keys and
pytest cache have names of their own.
"""

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Pass:
    name: str
    command: list[str]
    output: object = None
    process: subprocess.Popen | None = None
    started: float = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        # Read back and closed in report(), once the pass has ended.
        self.output = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT
        )

    def report(self) -> None:
        minutes, seconds = divmod(round(time.monotonic() - self.started), 60)
        print(f"\n=== {self.name}: {minutes} min {seconds} s ===", flush=True)
        self.output.seek(0)
        sys.stdout.buffer.write(self.output.read())
        sys.stdout.flush()
        self.output.close()


def passes(arguments: list[str]) -> list[Pass]:
    python = sys.executable
    return [
        Pass(
            "The embedded default (SQLite, in-memory layer, Chromium)",
            [python, "-m", "pytest", *arguments],
        ),
        Pass(
            "PostgreSQL and Redis",
            [
                python,
                "tests/with_services.py",
                "--ignore=tests/browser",
                "-o",
                "cache_dir=.pytest_cache/with_services",
                *arguments,
            ],
        ),
    ]


def run(runs: list[Pass]) -> int:
    """Starts every pass, reports each as it ends; the worst exit status."""
    for each in runs:
        each.start()
    print(
        f"Running {len(runs)} passes side by side: " + "; ".join(r.name for r in runs), flush=True
    )
    waiting = {each.process.pid: each for each in runs}
    status = 0
    try:
        while waiting:
            pid, code = os.wait()
            if (ended := waiting.pop(pid, None)) is None:
                continue
            ended.process.returncode = os.waitstatus_to_exitcode(code)
            ended.report()
            status = max(status, abs(ended.process.returncode))
    except KeyboardInterrupt:
        status = 130  # the terminal interrupted each pass too: each stops its own servers
    except BaseException:
        for each in waiting.values():
            each.process.terminate()
        raise
    finally:
        # No pass outlives the run.
        for each in waiting.values():
            try:
                each.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                each.process.kill()
                each.process.wait()
    return status


if __name__ == "__main__":
    sys.exit(run(passes(sys.argv[1:])))
