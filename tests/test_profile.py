"""A facilitator names themself once, from the app: the report, the downloads and every
participant's notes use that name, and never show their e-mail address."""

import json

import pytest

from participants import notes
from tests.results_day import run_a_day
from workshop import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(facilitator):
    return run_a_day(facilitator, title="Sales leadership offsite")


def everything_a_participant_or_organizer_gets(client, facilitator, day):
    client.force_login(facilitator)
    pages = [
        client.get(f"/f/w/{day.workshop.pk}/report/").content.decode(),
        client.get(f"/f/w/{day.workshop.pk}/workshop.json").getvalue().decode(),
        notes.as_text(notes.notes_for(day.anna)),
        notes.as_markdown(notes.notes_for(day.anna)),
    ]
    return pages


def test_the_profile_names_the_facilitator_everywhere_and_never_their_address(
    client, facilitator, day
):
    client.force_login(facilitator)
    page = client.get("/f/profile/")
    assert page.status_code == 200
    assert 'name="display_name"' in page.content.decode()
    saved = client.post(
        "/f/profile/", {"display_name": "  Jana Weber ", "organisation": "Acme Learning"}
    )
    assert saved.status_code == 302
    facilitator.refresh_from_db()
    assert (facilitator.display_name, facilitator.organisation) == ("Jana Weber", "Acme Learning")

    report, data, text, markdown = everything_a_participant_or_organizer_gets(
        client, facilitator, day
    )
    assert "Facilitated by <bdi>Jana Weber (Acme Learning)</bdi>" in report
    assert json.loads(data)["workshop"]["facilitator"] == "Jana Weber (Acme Learning)"
    assert "Facilitated by Jana Weber (Acme Learning)" in text
    assert "Facilitated by Jana Weber (Acme Learning)" in markdown
    # The header links to the profile under the name it gives.
    assert "Jana Weber (Acme Learning)</a>" in client.get("/f/").content.decode()


def test_without_a_name_nothing_shows_the_address_in_its_place(client, facilitator, day):
    for page in everything_a_participant_or_organizer_gets(client, facilitator, day):
        assert facilitator.email not in page
        assert "Facilitated by" not in page


@pytest.mark.parametrize(
    ("name", "organisation", "message"),
    [
        ("x" * 81, "", "The name is 81 characters long"),
        ("Jana", "o" * 121, "The organisation is 121 characters long"),
    ],
)
def test_a_name_too_long_is_refused_with_its_words_and_nothing_saved(
    client, facilitator, name, organisation, message
):
    client.force_login(facilitator)
    response = client.post("/f/profile/", {"display_name": name, "organisation": organisation})
    assert response.status_code == 400
    assert message in response.content.decode()
    facilitator.refresh_from_db()
    assert (facilitator.display_name, facilitator.organisation) == ("", "")


def test_control_characters_and_markup_in_a_name_are_harmless(client, facilitator):
    client.force_login(facilitator)
    client.post("/f/profile/", {"display_name": "Jana\x00\x07 <b>W</b>", "organisation": ""})
    facilitator.refresh_from_db()
    assert facilitator.display_name == "Jana <b>W</b>"
    assert "Jana &lt;b&gt;W&lt;/b&gt;" in client.get("/f/profile/").content.decode()


def test_an_organizer_has_no_profile_to_set(client, facilitator, day):
    organizer = services.grant_access(facilitator, day.workshop, "buyer@example.com").user
    client.force_login(organizer)
    assert client.get("/f/profile/")["Location"] == "/o/"
    with pytest.raises(services.NotAllowed):
        services.set_profile(organizer, display_name="Buyer", organisation="")
