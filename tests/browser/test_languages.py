"""A room in three languages: a phone in German, one in French and one in English join the same
workshop and each follows the day in its own language; the projector in the one the facilitator
gives it; what participants write is theirs, in every language."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import create_workshop, sign_in
from tests.browser.test_whole_day import click_next

pytestmark = pytest.mark.browser

# What each phone's board calls the activities the room moves through.
KINDS = {
    "de": ("Einzelreflexion (privat)", "Die Antworten des Raums", "Tischdiskussion"),
    "fr": ("Réflexion individuelle (privée)", "Les réponses de la salle", "Discussion en table"),
    "en": ("Solo reflection (private)", "The room's answers", "Table discussion"),
}
TAKEAWAY = "Ich lasse Jana das nächste Kundengespräch führen und coache sie danach."


def eyebrow(phone):
    return phone.locator("#board .stage-head .eyebrow")


def join(phone, url, *, name_label, name, join_button):
    phone.goto(url)
    phone.get_by_label(name_label).fill(name)
    phone.get_by_label("Table 1").check()
    phone.get_by_role("button", name=join_button, exact=True).click()
    expect(phone.locator("#board")).to_be_visible()
    expect(phone.locator("#live-status")).to_have_attribute("data-state", "live")


def test_three_phones_three_languages_and_a_projector_in_a_fourth(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Sales leadership day", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    join_url = f"{server}/j/{code}/"

    # The facilitator gives the projector French, from the console.
    laptop.get_by_label("Projector language").select_option("fr")
    laptop.locator(".language-choice").get_by_role("button", name="Set").click()
    expect(laptop.get_by_label("Projector language")).to_have_value("fr")
    projector = open_context(**PROJECTOR, locale="de-DE").new_page()
    projector.goto(
        server + laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    )
    expect(projector.locator("html")).to_have_attribute("lang", "fr")
    expect(projector.get_by_text("Rejoignez depuis votre téléphone")).to_be_visible()
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")

    # A phone whose browser asks for French gets the join screen in French.
    french = open_context(**PHONE, locale="fr-FR").new_page()
    french.goto(join_url)
    expect(french.locator("html")).to_have_attribute("lang", "fr")
    join(french, join_url, name_label="Votre prénom", name="Chloé", join_button="Rejoindre")

    # One whose browser asks for English picks German on the join screen.
    german = open_context(**PHONE, locale="en-US").new_page()
    german.goto(join_url)
    expect(german.get_by_text("Welcome to")).to_be_visible()
    german.get_by_label("Language").select_option("de")
    german.get_by_role("button", name="Change").click()
    expect(german.get_by_text("Willkommen bei")).to_be_visible()
    join(german, join_url, name_label="Ihr Vorname", name="Jana", join_button="Beitreten")

    english = open_context(**PHONE, locale="en-GB").new_page()
    join(english, join_url, name_label="Your first name", name="Sam", join_button="Join")

    phones = {"de": german, "fr": french, "en": english}
    for language, phone in phones.items():
        expect(phone.locator("html")).to_have_attribute("lang", language)

    # The room moves on, three times: each phone hears it in its own language, live; the
    # projector waits for the room's answers in French.
    for step in range(3):
        click_next(laptop)
        for language, phone in phones.items():
            expect(eyebrow(phone)).to_have_text(KINDS[language][step])
        if step == 1:
            expect(projector.locator(".pattern__waiting")).to_have_text(
                ["En attente d’au moins 5 réponses"] * 2
            )
    expect(projector.locator("html")).to_have_attribute("lang", "fr")
    expect(projector.locator("#board .stage-head__title")).to_have_text("At your table")

    # Jana posts in German; her words reach every phone and the projector as she wrote them.
    german.get_by_role("textbox", name=re.compile("Erkenntnis für Ihren Tisch")).fill(TAKEAWAY)
    german.get_by_role("button", name="Posten", exact=True).click()
    for page in (french, english, projector):
        expect(page.locator(".takeaway__text", has_text=TAKEAWAY)).to_be_visible()
    expect(english.get_by_role("link", name="My notes")).to_be_visible()
    expect(french.get_by_role("link", name="Mes notes")).to_be_visible()
    expect(german.get_by_role("link", name="Meine Notizen")).to_be_visible()

    # Changeable at any time from the header: the English phone switches to Spanish.
    english.get_by_label("Language").select_option("es")
    english.get_by_role("button", name="Change").click()
    expect(eyebrow(english)).to_have_text("Debate en mesa")
    expect(english.locator("#live-status")).to_have_attribute("data-state", "live")
    english.get_by_label("Idioma").select_option("en")
    english.get_by_role("button", name="Cambiar").click()
    expect(eyebrow(english)).to_have_text("Table discussion")
    expect(english.locator("#live-status")).to_have_attribute("data-state", "live")

    # The projector switches with the facilitator's choice, reloading itself in it.
    laptop.get_by_label("Projector language").select_option("de")
    laptop.locator(".language-choice").get_by_role("button", name="Set").click()
    expect(projector.locator("html")).to_have_attribute("lang", "de")
    expect(projector.get_by_role("img", name="QR-Code zum Beitreten")).to_be_visible()

    for page in phones.values():
        expect(page.locator(".takeaway__text", has_text=TAKEAWAY)).to_be_visible()
    screenshot(german, "phone-de")
    screenshot(english, "phone-en")
