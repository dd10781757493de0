"""The report as a client receives it: shared by link, printed to PDF by Chromium, as images.

Its first pages are the README's picture of the report (`SCREENSHOT_DIR=docs/screenshots`).
"""

import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, SCREENSHOTS, screenshot
from tests.browser.test_live_loop import sign_in
from tests.results_day import SHOWCASE_TITLE
from tests.server_process import ServerProcess

pytestmark = pytest.mark.browser

PDFTOPPM = shutil.which("pdftoppm")
if PDFTOPPM is None:
    if os.environ.get("CI"):
        raise RuntimeError("pdftoppm is missing: .ci/run installs Debian's poppler-utils.")
    pytest.skip(
        "pdftoppm is not installed (apt-get install poppler-utils)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def finished_day(tmp_path_factory):
    """A server with a whole day behind it: four tables, takeaways, votes, a spotlight."""
    process = ServerProcess(tmp_path_factory.mktemp("report")).prepare()
    process.manage(
        "shell",
        "-c",
        f"from tests.results_day import seed_showcase; seed_showcase({FACILITATOR_EMAIL!r})",
    )
    process.start()
    yield process.url
    process.stop()


def pdf_text(pdf_path) -> str:
    pdftotext = shutil.which("pdftotext")
    result = subprocess.run(
        [pdftotext, "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_a_shared_report_prints_as_a_clean_pdf(finished_day, open_context, tmp_path):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, finished_day)
    laptop.get_by_role("link", name=SHOWCASE_TITLE).first.click()
    laptop.get_by_role("link", name="Results and sharing").click()
    laptop.get_by_label("Organizer's email address").fill("learning@example.com")
    laptop.get_by_role("button", name="Share with this organizer").click()
    expect(
        laptop.get_by_role("heading", name="Send this link to learning@example.com")
    ).to_be_visible()
    laptop.get_by_label("Valid for (days)").fill("14")
    laptop.get_by_role("button", name="Make a share link").click()
    link = laptop.locator("#show-once-url").input_value()
    assert re.search(r"/r/[^/]+/$", link)
    screenshot(laptop, "results-sharing")

    client = open_context(viewport={"width": 1280, "height": 900}).new_page()
    client.goto(link)
    expect(client.get_by_role("heading", name=SHOWCASE_TITLE)).to_be_visible()
    client.get_by_role("link", name="Report").click()
    expect(client.get_by_role("heading", name="Most voted takeaways")).to_be_visible()
    expect(client.get_by_role("button", name="Print or save as PDF")).to_be_visible()

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(client.pdf(format="A4", print_background=True))
    text = pdf_text(pdf)
    assert SHOWCASE_TITLE in " ".join(text.split())
    assert "Facilitated by Maria Lopez" in text
    assert "Print or save as PDF" not in text  # the toolbar stays on screen
    assert "private answer" not in text
    assert re.search(r"\b1\s*/\s*[23]\b", text), "numbered pages"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("report-*.png"):
        old.unlink()
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "60", str(pdf), str(SCREENSHOTS / "report")], check=True
    )
    pages = sorted(SCREENSHOTS.glob("report-*.png"))
    assert 2 <= len(pages) <= 3, pages
