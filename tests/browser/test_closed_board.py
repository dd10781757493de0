"""Close stops new posts, and a phone says so: its own cards lose Edit and Delete the moment the
room closes, without a reload."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import close_workshop, create_workshop, join, post, sign_in

pytestmark = pytest.mark.browser


def one_table(server, open_context, title):
    """A console on a laptop and one phone joined to the workshop's only table."""
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, title, 1)
    code = laptop.locator(".console__join .code-inline").inner_text()
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server}/j/{code}/", "Pia")
    return laptop, phone


def test_closing_takes_away_edit_and_delete_on_the_phone(server, open_context):
    laptop, phone = one_table(server, open_context, "Closing time")
    post(phone, "Mine to edit")
    card = phone.locator(".takeaway", has_text="Mine to edit")
    expect(card.get_by_role("link", name="Edit")).to_be_visible()
    expect(card.get_by_role("button", name="Delete")).to_be_visible()

    close_workshop(laptop)
    expect(phone.locator(".banner--closed")).to_be_visible()
    expect(card.get_by_role("link", name="Edit")).to_be_hidden()
    expect(card.get_by_role("button", name="Delete")).to_be_hidden()
    expect(phone.get_by_role("textbox", name="Post a takeaway for your table")).to_be_hidden()
    expect(card).to_be_visible()  # what was posted stays


def test_words_typed_when_the_room_closes_stay_in_sight(server, open_context):
    laptop, phone = one_table(server, open_context, "Closing mid-sentence")
    composer = phone.get_by_role("textbox", name="Post a takeaway for your table")
    composer.fill("Half a thought")

    close_workshop(laptop)
    expect(phone.locator(".banner--closed")).to_be_visible()
    expect(composer).to_have_value("Half a thought")
    phone.get_by_role("button", name="Post").click()
    expect(phone.locator("#composer-error")).to_contain_text("This workshop is closed.")
    expect(composer).to_have_value("Half a thought")


def test_close_asks_first_and_reopen_is_always_there(server, open_context):
    laptop, phone = one_table(server, open_context, "A mis-tap on the remote")
    asked = []

    def say_no(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    laptop.once("dialog", say_no)
    laptop.get_by_role("button", name="Close workshop").click()
    expect(laptop.get_by_role("button", name="Close workshop")).to_be_enabled()
    assert len(asked) == 1 and "Close the workshop?" in asked[0]
    # "No": nothing happened, on the console or on the phone.
    expect(laptop.get_by_role("button", name="Close workshop")).to_be_visible()
    post(phone, "Still open")
    expect(phone.get_by_text("Still open")).to_have_count(1)

    close_workshop(laptop)
    expect(phone.locator(".banner--closed")).to_be_visible()
    laptop.get_by_role("button", name="Reopen workshop").click()  # no question: it undoes
    expect(phone.locator(".banner--closed")).to_be_hidden()
    expect(phone.get_by_role("textbox", name="Post a takeaway for your table")).to_be_visible()


def test_closed_the_projector_thanks_the_room_in_the_facilitators_name(module_server, open_context):
    """On a server of its own: its facilitator gets a name, which other tests do not expect."""
    own_server = module_server.url
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, own_server)
    laptop.goto(f"{own_server}/f/profile/")
    laptop.get_by_label("Your name").fill("Jana Weber")
    laptop.get_by_label("Organisation (optional)").fill("Acme Learning")
    laptop.get_by_role("button", name="Save").click()
    laptop.goto(f"{own_server}/f/")
    create_workshop(laptop, "Sales leadership day", 2)
    projector = open_context(**PROJECTOR).new_page()
    path = laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    projector.goto(own_server + path)
    closing = projector.get_by_role("heading", name="Thank you")
    expect(closing).to_have_count(0)

    close_workshop(laptop)
    expect(closing).to_be_visible()
    expect(projector.locator(".closing")).to_contain_text(
        "Facilitated by Jana Weber (Acme Learning)"
    )
    expect(projector.locator(".closing")).not_to_contain_text("@")
    screenshot(projector, "projector-closing")

    laptop.get_by_role("button", name="Reopen workshop").click()
    expect(closing).to_have_count(0)
    expect(projector.locator(".stage-head__title")).to_be_visible()
