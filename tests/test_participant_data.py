"""Participants' data: anonymous workshops, removing and deleting data, retention, one's own."""

import csv
import io
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from participants import notes
from tests.conftest import as_phone
from tests.results_day import COMMITMENT, PRIVATE, run_a_day
from workshop import services
from workshop.models import Answer, Participant, ShareLink, Takeaway, Vote, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(facilitator):
    return run_a_day(facilitator, title="Sales offsite")


def csv_authors(client, workshop) -> list[str]:
    body = client.get(f"/f/w/{workshop.pk}/takeaways.csv").getvalue().decode("utf-8-sig")
    return [row[4] for row in list(csv.reader(io.StringIO(body)))[1:]]


# --- Anonymous ---------------------------------------------------------------------------------


def test_an_anonymous_workshop_asks_phones_for_no_name(client, facilitator, workshop, tables):
    services.set_data_settings(facilitator, workshop, anonymous=True, retention_days=30)
    page = client.get(f"/j/{workshop.code}/").content.decode()
    assert "Your first name" not in page
    assert "This workshop is anonymous" in page
    response = client.post(f"/j/{workshop.code}/", {"name": "Anna", "table": tables[1].pk})
    assert response.status_code == 200  # the board
    participant = workshop.participants.get()
    assert participant.name == "Participant 1"
    assert participant.table == tables[1]
    assert participant.public_name == "Anonymous"


def test_anonymous_downloads_say_anonymous_and_show_no_name(client, facilitator, day):
    services.set_data_settings(facilitator, day.workshop, anonymous=True, retention_days=30)
    client.force_login(facilitator)
    assert set(csv_authors(client, day.workshop)) == {"anonymous"}
    data = json.loads(client.get(f"/f/w/{day.workshop.pk}/workshop.json").getvalue())
    assert {t["author"] for t in data["takeaways"]} == {"anonymous"}
    report = client.get(f"/f/w/{day.workshop.pk}/report/").content.decode()
    for name in ("Anna", "Chloé", "Ben"):
        # As a word: a random token on the page (CSRF) may hold "Ben" by chance.
        assert not re.search(rf"\b{name}\b", report), name


def test_names_are_hidden_from_other_phones_but_not_from_the_facilitator(facilitator, day):
    services.set_data_settings(facilitator, day.workshop, anonymous=True, retention_days=None)
    day.chloe.refresh_from_db()
    assert day.chloe.public_name == "Anonymous"
    assert day.chloe.name == "Chloé"  # the console still says who wrote what
    taken_home = notes.as_text(notes.notes_for(day.anna))
    assert "Chloé" not in taken_home
    assert "(Anonymous)" in taken_home


def test_the_facilitator_sets_anonymity_and_retention_on_the_data_page(
    client, facilitator, workshop
):
    client.force_login(facilitator)
    page = client.get(f"/f/w/{workshop.pk}/data/").content.decode()
    assert "Anonymous workshop" in page
    response = client.post(f"/f/w/{workshop.pk}/data/", {"anonymous": "on", "retention_days": "90"})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.anonymous, workshop.retention_days) == (True, 90)
    client.post(f"/f/w/{workshop.pk}/data/", {"retention_days": ""})
    workshop.refresh_from_db()
    assert (workshop.anonymous, workshop.retention_days) == (False, None)
    response = client.post(f"/f/w/{workshop.pk}/data/", {"retention_days": "12"})
    assert response.status_code == 400


# --- Removing personal data ------------------------------------------------------------------


def test_removing_personal_data_numbers_names_and_deletes_reflections(client, facilitator, day):
    client.force_login(facilitator)
    confirm = client.get(f"/f/w/{day.workshop.pk}/data/remove/").content.decode()
    assert "Remove personal data?" in confirm
    assert day.workshop.participants.count() == 3
    client.post(f"/f/w/{day.workshop.pk}/data/remove/")
    names = list(day.workshop.participants.order_by("joined_at").values_list("name", flat=True))
    assert names == ["Participant 1", "Participant 2", "Participant 3"]
    assert not Answer.objects.filter(participant__workshop=day.workshop).exists()
    day.workshop.refresh_from_db()
    assert day.workshop.personal_data_removed_at is not None
    # What the tables produced stays, with numbers for names.
    assert "Participant 1" in csv_authors(client, day.workshop)
    assert day.workshop.takeaways.filter(deleted=False).count() == 5


def test_deleting_a_workshop_deletes_everything_in_it(client, facilitator, day):
    services.create_share_link(facilitator, day.workshop)
    client.force_login(facilitator)
    assert (
        "Delete “<bdi>Sales offsite</bdi>”?"
        in client.get(f"/f/w/{day.workshop.pk}/delete/").content.decode()
    )
    response = client.post(f"/f/w/{day.workshop.pk}/delete/")
    assert response["Location"] == "/f/"
    assert not Workshop.objects.filter(pk=day.workshop.pk).exists()
    for model in (Participant, Takeaway, Answer, Vote, ShareLink):
        assert not model.objects.exists(), model


# --- Retention -------------------------------------------------------------------------------


def test_a_new_workshop_is_kept_thirty_days_after_it_closes(facilitator, workshop):
    assert workshop.retention_days == 30
    assert workshop.expires_at is None  # open: the countdown has not started
    services.set_workshop_open(facilitator, workshop, False)
    workshop.refresh_from_db()
    assert workshop.expires_at - workshop.closed_at == timedelta(days=30)
    services.set_workshop_open(facilitator, workshop, True)
    workshop.refresh_from_db()
    assert workshop.closed_at is None and workshop.expires_at is None


def test_purgeexpired_deletes_only_what_has_expired(facilitator, day, capsys):
    keep_forever = services.create_workshop(facilitator, "Kept until deleted", 1)
    services.set_data_settings(facilitator, keep_forever, anonymous=False, retention_days=None)
    still_running = services.create_workshop(facilitator, "Still running", 1)
    recently_closed = services.create_workshop(facilitator, "Closed yesterday", 1)
    for workshop in (day.workshop, keep_forever, recently_closed):
        services.set_workshop_open(facilitator, workshop, False)
    long_ago = timezone.now() - timedelta(days=31)
    Workshop.objects.filter(pk__in=[day.workshop.pk, keep_forever.pk]).update(closed_at=long_ago)
    Workshop.objects.filter(pk=still_running.pk).update(created_at=long_ago)
    _alive, _key = services.create_share_link(facilitator, recently_closed)
    dead, _key = services.create_share_link(facilitator, recently_closed)
    services.revoke_share_link(facilitator, dead)

    call_command("purgeexpired")
    assert "Deleted 1 expired workshop(s) and 1 dead share link(s)." in capsys.readouterr().out
    assert set(Workshop.objects.values_list("title", flat=True)) == {
        "Kept until deleted",
        "Still running",
        "Closed yesterday",
    }
    assert not Participant.objects.filter(workshop_id=day.workshop.pk).exists()
    assert recently_closed.share_links.count() == 1

    call_command("purgeexpired")  # nothing left to do: safe to run again and again
    assert "Deleted 0 expired workshop(s) and 0 dead share link(s)." in capsys.readouterr().out


# --- A participant's own data -----------------------------------------------------------------


def test_a_participant_deletes_their_own_data_from_their_phone(client, facilitator, day):
    phone = as_phone(client, day.anna)
    notes_page = phone.get(f"/w/{day.workshop.code}/notes/").content.decode()
    assert f"/w/{day.workshop.code}/forget/" in notes_page
    confirm = phone.get(f"/w/{day.workshop.code}/forget/").content.decode()
    assert "the 2 takeaways you posted for your table" in confirm

    page = phone.post(f"/w/{day.workshop.code}/forget/").content.decode()
    assert "Your data was deleted" in page
    assert Participant.objects.get(pk=day.anna.pk).device == ""  # this phone is nobody now
    assert phone.get(f"/w/{day.workshop.code}/")["Location"] == f"/j/{day.workshop.code}/"

    day.anna.refresh_from_db()
    assert day.anna.name == "Participant 1"
    assert not Answer.objects.filter(participant=day.anna).exists()
    assert not Vote.objects.filter(participant=day.anna).exists()
    for takeaway in Takeaway.objects.filter(author=day.anna):
        assert takeaway.deleted and takeaway.text == ""
    texts = [t.text for t in Takeaway.objects.filter(deleted=False)]
    assert texts == [
        "Coach after the call, not during it",
        "HIDDEN-TAKEAWAY",
        "Pipeline reviews: ask, don't answer.",
    ]
    client.force_login(facilitator)
    body = client.get(f"/f/w/{day.workshop.pk}/takeaways.csv").getvalue().decode()
    assert "Anna" not in body and PRIVATE not in body and COMMITMENT not in body


def test_forgetting_a_spotlighted_takeaway_takes_it_off_the_big_screen(facilitator, day):
    services.set_spotlight(facilitator, day.workshop, day.tricky)
    services.forget_participant(day.anna)
    day.workshop.refresh_from_db()
    assert day.workshop.spotlight is None


def test_only_the_phone_itself_can_delete_its_data(client, day):
    response = client.post(f"/w/{day.workshop.code}/forget/")
    assert response["Location"] == f"/j/{day.workshop.code}/"
    day.anna.refresh_from_db()
    assert day.anna.name == "Anna"


def test_spotlighting_a_takeaway_records_it_for_good(facilitator, workshop, anna):
    takeaway = services.post_takeaway(anna, "Ask, don't tell", uuid.uuid4())
    assert takeaway.spotlighted_at is None
    services.set_spotlight(facilitator, workshop, takeaway)
    first = Takeaway.objects.get(pk=takeaway.pk).spotlighted_at
    services.set_spotlight(facilitator, workshop, None)
    services.set_spotlight(facilitator, workshop, takeaway)
    assert first is not None
    assert Takeaway.objects.get(pk=takeaway.pk).spotlighted_at == first
