"""The day run with the keyboard alone: after every action focus is on the control that was
used, or on its successor, never thrown back to <body> by the live update that redraws it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_live_loop import create_workshop, join, post, sign_in
from tests.browser.test_remote import SMALL_PHONE
from tests.browser.test_whole_day import stage_title

pytestmark = pytest.mark.browser

ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "<body>";
  return el.outerHTML.slice(0, 200);
}"""


def focused(page, selector):
    """Waits until the focused element matches the CSS selector (a live update may still be
    on its way), and says what has focus instead if it never does."""
    try:
        page.wait_for_function(
            "(selector) => document.activeElement?.matches(selector)", arg=selector, timeout=10_000
        )
    except Exception:
        raise AssertionError(f"focus is not on {selector} but on {page.evaluate(ACTIVE)}") from None


def tab_to(page, selector, backwards=False, most=60):
    """Presses Tab (or Shift+Tab) until the control is focused: how a keyboard user gets there.
    Returns how many presses it took."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, most + 1):
        page.keyboard.press(key)
        if page.evaluate("(selector) => document.activeElement?.matches(selector)", selector):
            return presses
    raise AssertionError(f"{most} presses of {key} never reached {selector}")


def key(name):
    return f'[data-focus-key="{name}"]'


def press_and_stay(laptop, control, *, on=None, key_name="Enter", then=None):
    """Presses a focused control, waits for what it changes (`then`), and checks that focus is
    on `on` (by default the same control) once the console has redrawn."""
    focused(laptop, control)
    laptop.keyboard.press(key_name)
    if then is not None:
        then()
    focused(laptop, on or control)


def test_the_whole_day_runs_from_the_console_with_the_keyboard_alone(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "A day without a mouse", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server}/j/{code}/", "Ana", table="Table 1")
    title = laptop.locator(".runbar__title")

    def now_showing(text):
        return lambda: (
            expect(title).to_have_text(text),
            expect(stage_title(phone)).to_have_text(text),
        )

    # Once to Next; from then on every Next is one key, no Tab in between.
    tab_to(laptop, key("step-next"))
    for text in ("Where do I step in?", "Where this room plays hero", "At your table"):
        press_and_stay(laptop, key("step-next"), then=now_showing(text))

    # The timer: each button hands focus to the one that takes its place.
    tab_to(laptop, "#timer-minutes")
    laptop.keyboard.press("Control+A")
    laptop.keyboard.type("20")
    laptop.keyboard.press("Tab")
    timer = laptop.locator("#timer-display .timer__value")
    press_and_stay(
        laptop,
        key("timer-start"),
        key_name="Space",
        on=key("timer-pause"),
        then=lambda: expect(timer).to_have_text(re.compile(r"^(20:00|19:5\d)$")),
    )
    press_and_stay(laptop, key("timer-pause"), on=key("timer-resume"))
    press_and_stay(laptop, key("timer-resume"), on=key("timer-pause"))
    tab_to(laptop, key("timer-add-minute"))
    press_and_stay(
        laptop, key("timer-add-minute"), then=lambda: expect(timer).to_have_text(re.compile("^2"))
    )
    tab_to(laptop, key("timer-stop"))
    press_and_stay(laptop, key("timer-stop"), on=key("timer-start"))

    # Approval before showing: each Approve hands focus to the next takeaway waiting, the last
    # one to the switch.
    switch = laptop.locator(key("moderation"))
    tab_to(laptop, key("moderation"))
    press_and_stay(
        laptop, key("moderation"), then=lambda: expect(switch).to_contain_text("Stop approving")
    )
    post(phone, "Ask one more question before giving the answer")
    post(phone, "Let the silence work")
    waiting = laptop.locator(".queue__item")
    expect(waiting).to_have_count(2)
    first, second = (item.get_attribute("id").split("-")[-1] for item in waiting.all())
    tab_to(laptop, key(f"approve-{first}"))
    press_and_stay(
        laptop,
        key(f"approve-{first}"),
        on=key(f"approve-{second}"),
        then=lambda: expect(waiting).to_have_count(1),
    )
    press_and_stay(
        laptop,
        key(f"approve-{second}"),
        on=key("moderation"),
        then=lambda: expect(waiting).to_have_count(0),
    )
    press_and_stay(
        laptop,
        key("moderation"),
        then=lambda: expect(switch).to_have_text("Approve before showing"),
    )

    # A takeaway comes in while focus rests on the switch: it stays there.
    post(phone, "Name the next step before you hang up")
    expect(laptop.locator(".takeaway", has_text="Name the next step")).to_be_visible()
    focused(laptop, key("moderation"))
    card = laptop.locator(".takeaway", has_text="Ask one more question")
    pk = card.get_attribute("id").removeprefix("takeaway-")

    tab_to(laptop, key("step-next"), backwards=True)
    press_and_stay(laptop, key("step-next"), then=now_showing("With the room"))

    # Share-out: Spotlight, Clear, Hide, Show, each from where the last one left focus.
    tab_to(laptop, key(f"spotlight-{pk}"))
    spotlight = laptop.locator("#spotlight")
    press_and_stay(
        laptop,
        key(f"spotlight-{pk}"),
        then=lambda: expect(spotlight).to_contain_text("Ask one more question"),
    )
    tab_to(laptop, key("spotlight-clear"), backwards=True)
    press_and_stay(
        laptop,
        key("spotlight-clear"),
        on=key(f"spotlight-{pk}"),
        then=lambda: expect(spotlight).not_to_contain_text("Ask one more question"),
    )
    tab_to(laptop, key(f"hide-{pk}"))
    press_and_stay(
        laptop,
        key(f"hide-{pk}"),
        then=lambda: expect(card.get_by_role("button", name="Show")).to_be_visible(),
    )
    focused(laptop, f"{key(f'hide-{pk}')}:is(button)")
    press_and_stay(
        laptop,
        key(f"hide-{pk}"),
        then=lambda: expect(card.get_by_role("button", name="Hide")).to_be_visible(),
    )

    # Go to the first activity: its Go button is gone, focus takes the next step.
    tab_to(laptop, '[aria-label="Go to From hero to hero-maker"]', backwards=True)
    press_and_stay(
        laptop,
        '[aria-label="Go to From hero to hero-maker"]',
        on=key("step-next"),
        then=now_showing("From hero to hero-maker"),
    )
    # Go to the last: Next is disabled there, so focus takes Back.
    tab_to(laptop, '[aria-label="Go to Thank you"]')
    press_and_stay(
        laptop,
        '[aria-label="Go to Thank you"]',
        on=key("step-back"),
        then=now_showing("Thank you"),
    )
    press_and_stay(laptop, key("step-back"), then=now_showing("With the room"))
    tab_to(laptop, key("step-next"))
    press_and_stay(laptop, key("step-next"), on=key("step-back"), then=now_showing("Thank you"))

    # The end of the day: closed from the keyboard, focus on what reopens it.
    tab_to(laptop, key("workshop-open"), backwards=True)
    laptop.once("dialog", lambda dialog: dialog.accept())
    press_and_stay(
        laptop,
        key("workshop-open"),
        then=lambda: expect(phone.locator(".banner--closed")).to_be_visible(),
    )
    expect(laptop.locator(key("workshop-open"))).to_have_text("Reopen workshop")


def test_a_phone_keeps_focus_sensible_through_a_reflection_and_a_move_of_the_room(
    server, open_context
):
    # The facilitator runs the room from the remote: the console on their phone.
    remote = open_context(**SMALL_PHONE).new_page()
    sign_in(remote, server)
    create_workshop(remote, "Paging with the keyboard", 2, template="Hero to hero-maker")
    code = remote.locator(".console__join .code-inline").inner_text()
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server}/j/{code}/", "Ben", table="Table 1")
    other = open_context(**PHONE).new_page()
    join(other, f"{server}/j/{code}/", "Cem", table="Table 1")

    # The room moves on while focus is on the page: the phone starts at the new heading.
    phone.locator(".phone-header").click()
    tab_to(remote, key("step-next"))
    press_and_stay(
        remote,
        key("step-next"),
        then=lambda: expect(stage_title(phone)).to_have_text("Where do I step in?"),
    )
    focused(phone, "#board .stage-head__title")

    # Paging: each step's own field, never the form's hidden token. The situations first.
    tab_to(phone, ".solo-step.is-current input[type=checkbox]")
    phone.keyboard.press("Space")
    expect(phone.get_by_role("checkbox", name="Leading team meetings")).to_be_checked()
    tab_to(phone, ".solo-step.is-current [data-step-go='1']")
    phone.keyboard.press("Enter")  # to the first written step: its field
    focused(phone, ".solo-step.is-current textarea")
    phone.keyboard.type("I chair every pipeline review")
    tab_to(phone, ".solo-step.is-current [data-step-go='1']")
    for _ in range(3):  # the other written steps
        phone.keyboard.press("Enter")
        focused(phone, ".solo-step.is-current textarea")
        tab_to(phone, ".solo-step.is-current [data-step-go='1']")
    phone.keyboard.press("Enter")  # to the checklist: its first box
    focused(phone, ".solo-step.is-current input[type=checkbox]")
    phone.keyboard.press("Space")
    expect(phone.get_by_label("Exhaustion and burn-out")).to_be_checked()
    tab_to(phone, ".solo-step.is-current [data-step-go='-1']")
    phone.keyboard.press("Enter")
    focused(phone, ".solo-step.is-current textarea")

    # The room's answers, then the table: each time the phone starts at the new heading.
    press_and_stay(
        remote,
        key("step-next"),
        then=lambda: expect(stage_title(phone)).to_have_text("Where this room plays hero"),
    )
    focused(phone, "#board .stage-head__title")
    # At the table, someone else's post redraws the list, not the field being typed in.
    press_and_stay(
        remote,
        key("step-next"),
        then=lambda: expect(stage_title(phone)).to_have_text("At your table"),
    )
    focused(phone, "#board .stage-head__title")
    field = phone.get_by_role("textbox", name=re.compile("Post a takeaway"))
    tab_to(phone, "#composer-text")
    phone.keyboard.type("Half a thought")
    post(other, "Let the rep open the call")
    expect(phone.get_by_text("Let the rep open the call")).to_be_visible()
    focused(phone, "#composer-text")
    expect(field).to_have_value("Half a thought")

    # Editing one's own takeaway: Edit leads into its field, Save back to its Edit.
    phone.keyboard.type(": ask before telling")
    tab_to(phone, "#composer button[type=submit]")
    phone.keyboard.press("Enter")
    mine = phone.locator(".takeaway[data-author]", has_text="Half a thought: ask before telling")
    expect(mine).to_be_visible()
    pk = mine.get_attribute("id").removeprefix("takeaway-")
    tab_to(phone, key(f"edit-link-{pk}"))
    phone.keyboard.press("Enter")
    focused(phone, f"#edit-{pk}")
    phone.keyboard.press("End")
    phone.keyboard.type(", then wait")
    tab_to(phone, key(f"edit-save-{pk}"))
    phone.keyboard.press("Enter")
    expect(phone.locator(".takeaway", has_text="ask before telling, then wait")).to_be_visible()
    focused(phone, key(f"edit-link-{pk}"))
