"""Every person's interface in their own language: each phone its own, the facilitator's, the
projector's; live messages rendered once per language in use, never once per phone; what
participants write is never translated."""

import json
import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.template import loader
from django.test import Client, override_settings
from django.utils import translation

from tests.test_consumers import connect, facilitator_cookie, participant_cookie, receive
from workshop import agenda_templates, env, languages, services
from workshop.access import DEVICE_COOKIE
from workshop.live import cache, fanout
from workshop.models import Activity, Participant, Workshop

# What each language calls the share-out, which every phone's board names as the room moves.
SHAREOUT = {"en": "Share-out", "de": "Plenum", "fr": "Mise en commun"}
TAKEAWAY = "Ask, don't tell — frag, statt zu sagen"


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)" dir="([^"]+)"', page).groups()


def day(facilitator) -> Workshop:
    """The built-in day, its texts written in English (a facilitator in English made it)."""
    with translation.override("en"):
        agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
        return services.create_workshop(facilitator, "Kick-off", 2, agenda=agenda)


def the(workshop, kind) -> Activity:
    return workshop.activities.get(kind=kind)


def phone_in(language: str) -> Client:
    """A phone whose browser asks for `language` (the join screen's preset)."""
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def join(phone: Client, workshop, name: str) -> Participant:
    phone.get(f"/j/{workshop.code}/")  # the join page gives the phone its device cookie
    table = workshop.tables.order_by("number").first()
    response = phone.post(f"/j/{workshop.code}/", {"name": name, "table": table.pk})
    assert response.status_code == 200, response.content
    return Participant.objects.get(device=phone.cookies[DEVICE_COOKIE].value)


def test_the_default_languages_are_english_german_french_and_spanish():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "de", "fr", "es"]
    assert settings.LANGUAGE_CODE == "en"
    # Each named in itself, as a picker shows them to someone who reads only that one.
    assert dict(settings.LANGUAGES) == {
        "en": "English",
        "de": "Deutsch",
        "fr": "français",
        "es": "español",
    }


def test_languages_come_from_the_environment_and_a_typo_stops_the_server(monkeypatch):
    known = {"en": "English", "de": "German", "pt-br": "Brazilian Portuguese"}
    monkeypatch.setenv("LANGUAGES", "de, EN,pt-br")
    assert env.languages("LANGUAGES", ("en",), known) == ["de", "en", "pt-br"]
    monkeypatch.setenv("LANGUAGES", "en,deu")
    with pytest.raises(env.SettingError, match="LANGUAGES: deu is not a language code"):
        env.languages("LANGUAGES", ("en",), known)


def test_the_join_screen_is_preset_from_the_browser_and_the_choice_is_kept_on_the_phone(
    workshop,
):
    phone = phone_in("fr-CH, fr;q=0.9, en;q=0.5")
    page = phone.get(f"/j/{workshop.code}/").content.decode()
    assert html_lang(page) == ("fr", "ltr")
    assert "Bienvenue à" in page
    # The picker, each language named in itself, this one chosen.
    assert '<option value="de" lang="de">Deutsch</option>' in page
    assert '<option value="fr" lang="fr" selected>français</option>' in page

    # Changed on the join screen: Django's set_language keeps it in the language cookie.
    response = phone.post("/i18n/setlang/", {"language": "de", "next": f"/j/{workshop.code}/"})
    assert response["Location"] == f"/j/{workshop.code}/"
    assert phone.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = phone.get(f"/j/{workshop.code}/").content.decode()
    assert html_lang(page) == ("de", "ltr") and "Willkommen bei" in page

    join(phone, workshop, "Anna")
    board = phone.get(f"/w/{workshop.code}/").content.decode()
    assert html_lang(board) == ("de", "ltr")
    assert "Meine Notizen" in board and "Tischdiskussion" in board
    # Its socket says the page's language, which its live messages are rendered in.
    assert f'hx-ws:connect="/ws/w/{workshop.code}/?lang=de&amp;after=' in board
    # And changeable any time from the board's header.
    assert 'action="/i18n/setlang/"' in board.split("</header>")[0]


def test_a_phone_that_joins_in_its_browsers_language_keeps_it(workshop):
    phone = phone_in("es")
    join(phone, workshop, "Lucía")
    assert phone.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert phone.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == settings.LANGUAGE_COOKIE_AGE


def test_dates_are_written_the_way_the_facilitators_language_writes_them(client, facilitator):
    workshop = services.create_workshop(facilitator, "Kick-off", 2)
    Workshop.objects.filter(pk=workshop.pk).update(created_at="2026-12-03T09:00:00Z")
    client.force_login(facilitator)
    client.post("/i18n/setlang/", {"language": "de", "next": "/f/"})
    assert "3. Dezember 2026" in client.get("/f/").content.decode()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/f/"})
    assert "3 décembre 2026" in client.get("/f/").content.decode()


def test_the_facilitators_pages_are_in_the_language_they_pick(client, facilitator):
    workshop = day(facilitator)
    client.force_login(facilitator)
    page = client.get(f"/f/w/{workshop.pk}/").content.decode()
    assert html_lang(page) == ("en", "ltr") and "Workshop actions" in page
    client.post("/i18n/setlang/", {"language": "es", "next": f"/f/w/{workshop.pk}/"})
    page = client.get(f"/f/w/{workshop.pk}/").content.decode()
    assert html_lang(page) == ("es", "ltr") and "Acciones del taller" in page
    assert 'action="/i18n/setlang/"' in page  # the picker, in the header of every desk page


def test_the_projector_is_in_the_language_the_facilitator_gives_it(client, facilitator):
    workshop = day(facilitator)
    projector = phone_in("de")  # whatever the browser that shows it asks for
    page = projector.get(f"/p/{workshop.projector_key}/").content.decode()
    assert html_lang(page) == ("en", "ltr") and "Join on your phone" in page

    client.force_login(facilitator)
    client.post(f"/f/w/{workshop.pk}/projector-language/", {"language": "fr"})
    workshop.refresh_from_db()
    assert workshop.projector_language == "fr"
    response = projector.get(f"/p/{workshop.projector_key}/")
    page = response.content.decode()
    assert html_lang(page) == ("fr", "ltr") and "Rejoignez depuis votre téléphone" in page
    assert response["Content-Language"] == "fr"
    assert 'data-rendered-language="fr"' in page
    # The console offers the languages, the projector's chosen.
    console = client.get(f"/f/w/{workshop.pk}/").content.decode()
    assert '<option value="fr" lang="fr" selected>français</option>' in console

    with pytest.raises(services.Refused):
        services.set_projector_language(facilitator, workshop, "klingon")


def test_the_javascript_catalogue_is_one_address_per_language_kept_for_a_day(client, db):
    response = client.get("/jsi18n/de.js")
    assert response.status_code == 200
    assert "django.gettext" in response.content.decode()
    assert "max-age=86400" in response["Cache-Control"]
    assert client.get("/jsi18n/xx.js").status_code == 404
    page = phone_in("de").get("/j/").content.decode()
    assert '<script src="/jsi18n/de.js"></script>' in page


def test_the_built_in_template_is_created_in_the_facilitators_language(client, facilitator):
    client.force_login(facilitator)
    client.post("/i18n/setlang/", {"language": "de", "next": "/f/"})
    client.post(
        "/f/",
        {"title": "Auftakt", "table_count": "2", "start_from": "built-in:hero-to-hero-maker"},
    )
    titles = list(facilitator.workshops.get().activities.values_list("title", flat=True))
    assert titles[:2] == ["Vom Helden zum Heldenmacher", "Wo springe ich ein?"]


# --- Live: each phone in its own language, every change rendered once per language ---------


def board_of(message) -> str:
    return message["content"]


async def next_board(socket) -> str:
    """The next message that redraws the whole board (the room moved)."""
    while 'hx-target="#board"' not in (content := (await receive(socket)).get("content", "")):
        pass
    return content


@pytest.mark.django_db(transaction=True)
async def test_a_german_a_french_and_an_english_phone_each_hear_the_room_in_their_own(
    facilitator,
):
    workshop = await sync_to_async(day)(facilitator)
    table = await sync_to_async(lambda: workshop.tables.order_by("number").first())()
    people = {
        language: await sync_to_async(services.join)(workshop, table, name)
        for language, name in (("de", "Jana"), ("fr", "Chloé"), ("en", "Sam"))
    }
    phones = {}
    for language, person in people.items():
        path = f"/ws/w/{workshop.code}/?lang={language}"
        phones[language] = await connect(path, await participant_cookie(person))
        await receive(phones[language])
    console = await connect(
        f"/ws/f/w/{workshop.pk}/?lang=de", await facilitator_cookie(facilitator)
    )
    await receive(console)
    projector = await connect(f"/ws/p/{workshop.projector_key}/?lang=es")  # ignored: its own
    await receive(projector)
    await sync_to_async(services.set_projector_language)(facilitator, workshop, "fr")
    assert 'data-rendered-language="fr"' in board_of(await receive(projector))
    for socket in (*phones.values(), console):
        await receive(socket)  # the status piece, each in its language

    # The room moves to the table discussion; Jana posts, then the share-out.
    discussion = await sync_to_async(the)(workshop, Activity.Kind.DISCUSSION)
    shareout = await sync_to_async(the)(workshop, Activity.Kind.SHAREOUT)
    current = workshop.current_activity_id
    await sync_to_async(services.go_to_activity)(facilitator, workshop, discussion, current)
    for socket in (*phones.values(), console, projector):
        await receive(socket)
    await sync_to_async(services.post_takeaway)(people["de"], TAKEAWAY, uuid.uuid4())
    for socket in (*phones.values(), console, projector):
        await receive(socket)
    await sync_to_async(services.go_to_activity)(facilitator, workshop, shareout, discussion.pk)

    for language, phone in phones.items():
        board = await next_board(phone)
        eyebrows = re.findall(r'<p class="eyebrow">([^<]*)</p>', board)
        assert eyebrows[0] == SHAREOUT[language], language
        # The activity's title is the facilitator's words: the same on every phone.
        assert "With the room" in board
        # What Jana wrote is hers, in every language: never translated.
        assert TAKEAWAY.replace("'", "&#x27;") in board
    console_board = await next_board(console)
    assert "Jetzt · 5 von 6 · Plenum" in console_board
    projector_board = await next_board(projector)
    assert 'data-label-page="Tables {first} à {last} sur {total}"' in projector_board
    assert TAKEAWAY.replace("'", "&#x27;") in projector_board

    # A phone that changes its language reconnects in it, from its reloaded page.
    await phones["en"].disconnect()
    phones["en"] = await connect(
        f"/ws/w/{workshop.code}/?lang=es", await participant_cookie(people["en"])
    )
    assert '<p class="eyebrow">Puesta en común</p>' in await next_board(phones["en"])
    for socket in (*phones.values(), console, projector):
        await socket.disconnect()


def count_renders(monkeypatch) -> list:
    rendered = []
    original = loader.render_to_string

    def counting(template_name, context=None, request=None, using=None):
        rendered.append(template_name)
        return original(template_name, context, request, using)

    monkeypatch.setattr("workshop.live.render.render_to_string", counting)
    return rendered


@pytest.mark.django_db(transaction=True)
def test_a_change_is_rendered_once_per_language_in_use_whatever_the_number_of_phones(
    facilitator, monkeypatch
):
    workshop = day(facilitator)
    tables = list(workshop.tables.order_by("number"))

    def renders_of_a_close_and_a_reopen() -> int:
        rendered = count_renders(monkeypatch)
        cache.clear()
        services.set_workshop_open(facilitator, Workshop.objects.get(pk=workshop.pk), False)
        services.set_workshop_open(facilitator, Workshop.objects.get(pk=workshop.pk), True)
        monkeypatch.undo()
        return len(rendered)

    english_only = renders_of_a_close_and_a_reopen()
    # Phones' sockets record German and French (the first socket in each, once).
    for language in ("de", "fr", "de", "fr"):
        languages.record(Workshop.objects.get(pk=workshop.pk), "table", language)
    three = renders_of_a_close_and_a_reopen()
    # The status piece, twice (close and reopen), once more for each phone language.
    assert three == english_only + 2 * 2
    for n in range(40):
        services.join(workshop, tables[n % 2], f"Person {n}")
    assert renders_of_a_close_and_a_reopen() == three
    assert Workshop.objects.get(pk=workshop.pk).screen_languages == "[table:de][table:fr]"


@override_settings(LANGUAGES=[("en", "English"), ("de", "Deutsch")])
@pytest.mark.django_db(transaction=True)
async def test_a_socket_in_a_language_no_change_was_rendered_in_is_told_to_catch_up(workshop, anna):
    phone = await connect(f"/ws/w/{workshop.code}/?lang=de", await participant_cookie(anna))
    await receive(phone)
    # As if its language had been recorded only after this change was rendered.
    await sync_to_async(Workshop.objects.filter(pk=workshop.pk).update)(screen_languages="")
    takeaway = await sync_to_async(services.post_takeaway)(anna, "Listen first", uuid.uuid4())
    message = await receive(phone)
    assert message == {"revision": takeaway.revision, "now": message["now"]}  # a heartbeat
    # Its catch-up over HTTP is in its language.
    phone_client = Client(HTTP_ACCEPT_LANGUAGE="de")
    phone_client.cookies[DEVICE_COOKIE] = anna.device
    answer = await sync_to_async(phone_client.get)(f"/w/{workshop.code}/updates/?after=1")
    assert "Erkenntnis" in json.loads(answer.content)["content"]
    await phone.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_heartbeat_reaches_a_tables_phones_in_every_language(workshop, anna, tables):
    ben = await sync_to_async(services.join)(workshop, tables[0], "Ben")
    german = await connect(f"/ws/w/{workshop.code}/?lang=de", await participant_cookie(anna))
    english = await connect(f"/ws/w/{workshop.code}/", await participant_cookie(ben))
    for phone in (german, english):
        await receive(phone)
    await fanout.here().beat(workshop.pk, everyone=True)
    revision = await sync_to_async(lambda: workshop.tables.get(pk=tables[0].pk).feed_revision)()
    for phone in (german, english):
        message = await receive(phone)
        assert message == {"revision": revision, "now": message["now"]}
    for phone in (german, english):
        await phone.disconnect()


def test_the_projectors_catch_up_over_http_is_in_its_own_language_whatever_asks(facilitator):
    """A projector behind a network that blocks WebSockets catches up over HTTP: in the
    language the facilitator gave it, not the one its browser's request is in."""
    workshop = day(facilitator)
    services.set_projector_language(facilitator, workshop, "fr")
    projector = phone_in("de")
    answer = projector.get(f"/p/{workshop.projector_key}/updates/").json()["content"]
    assert 'data-rendered-language="fr"' in answer
