"""A real server process (the `make run` command) and real Chromium for browser tests."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.server_process import (  # noqa: F401 - re-exported for the tests
    FACILITATOR_EMAIL,
    FACILITATOR_PASSWORD,
    ROOT,
    ServerProcess,
)

# `make screenshots` points this at docs/screenshots to refresh the README's pictures.
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-artifacts" / "screenshots"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Upper bounds, not waits: every wait ends as soon as its condition holds. A busy 2-core machine
# running two suites at once can take several seconds to load a page or pass on a live update.
ACTION_TIMEOUT_MS = 20_000
expect.set_options(timeout=15_000)

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is missing: .ci/run installs Debian's chromium package.")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One server for the browser tests that do not need one of their own."""
    process = ServerProcess(tmp_path_factory.mktemp("data")).prepare().start()
    yield process.url
    process.stop()
    if "Traceback" in process.log_tail():
        print("Server log:\n" + process.log_tail())


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """A server of the test module's own, for tests that seed its database through
    `ServerProcess.shell` or change what the shared server's other tests expect."""
    process = ServerProcess(tmp_path_factory.mktemp("own")).prepare().start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium: Playwright's own browser download is not available here."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture
def open_context(browser):
    """Opens browser contexts (each its own cookies: a phone, a laptop) and closes them after."""
    contexts = []

    def open_(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    """The page as it looks once what is arriving has arrived: finite animations (a new card's
    highlight, the spotlight's entrance) are run to their end for the picture."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled")
