"""A light projector for a bright room, chosen from the console: the projector changes at once,
and in either theme every text on it keeps a contrast of 7:1 or more."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import create_workshop, join, post, sign_in

pytestmark = pytest.mark.browser

# Each visible text on the page with its contrast against what is behind it (WCAG's formula).
CONTRASTS = """() => {
  const rgba = (css) => {
    const [r, g, b, a = 1] = css.match(/[\\d.]+/g).map(Number);
    return { r, g, b, a };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let node = el; node instanceof Element; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a === 1) break;
    }
    return layers.reduceRight((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
  };
  const luminance = ({ r, g, b }) => {
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.bottom <= 0 || box.right <= 0 || box.top >= innerHeight || box.width < 2) continue;
    if (el.closest("svg, .qr, [aria-hidden=true]")) continue;
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    texts.push({ text: walker.currentNode.textContent.trim().slice(0, 40),
                 ratio: (light + 0.05) / (dark + 0.05) });
  }
  return texts;
}"""


def too_faint(page):
    return [t for t in page.evaluate(CONTRASTS) if t["ratio"] < 7]


def test_the_console_turns_the_projector_light_and_both_themes_read_at_7_to_1(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "A bright room", 2)
    code = laptop.locator(".console__join .code-inline").inner_text()
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(
        server + laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    )
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server}/j/{code}/", "Noor", table="Table 1")
    post(phone, "Ask the rep what they would do first, then wait")
    expect(projector.get_by_text("Ask the rep what they would do first")).to_be_visible()

    assert too_faint(projector) == []
    dark_background = projector.evaluate("getComputedStyle(document.body).backgroundColor")

    themes = laptop.get_by_role("group", name="Projector colours")
    themes.get_by_role("button", name="Light").click()
    expect(themes.get_by_role("button", name="Light")).to_have_attribute("aria-pressed", "true")
    expect(themes.get_by_role("button", name="Dark")).to_have_attribute("aria-pressed", "false")
    # The open projector changes without a reload.
    expect(projector.locator("#workshop-status")).to_have_attribute("data-theme", "light")
    light_background = projector.evaluate("getComputedStyle(document.body).backgroundColor")
    assert light_background != dark_background
    assert too_faint(projector) == []
    screenshot(projector, "projector-light")

    projector.reload()  # and it stays light
    expect(projector.locator("#workshop-status")).to_have_attribute("data-theme", "light")
    themes.get_by_role("button", name="Dark").click()
    expect(projector.locator("#workshop-status")).to_have_attribute("data-theme", "dark")
