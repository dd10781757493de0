"""The facilitator removes someone from the workshop: their data goes, their phone cannot rejoin."""

import pytest

from tests.conftest import as_phone, post
from workshop import services
from workshop.models import Answer, RemovedDevice, Takeaway

pytestmark = pytest.mark.django_db

REMOVED = "The facilitator has removed you from this workshop."


def remove_url(workshop, participant):
    return f"/f/w/{workshop.pk}/people/{participant.pk}/remove/"


def test_the_console_offers_to_remove_each_person_at_a_table(client, facilitator, workshop, anna):
    client.force_login(facilitator)
    console = client.get(f"/f/w/{workshop.pk}/").content.decode()
    assert "Remove someone…" in console
    assert f'href="{remove_url(workshop, anna)}"' in console
    assert "Remove <bdi>Anna</bdi>" in console


def test_removing_asks_first_and_says_what_it_deletes(client, facilitator, workshop, anna):
    post(anna, "Mine")
    client.force_login(facilitator)
    page = client.get(remove_url(workshop, anna)).content.decode()
    assert "Remove <bdi>Anna</bdi> from the workshop?" in page
    assert "The 1 takeaway they posted is deleted" in page
    assert "That phone cannot join this workshop again." in page
    anna.refresh_from_db()
    assert anna.name == "Anna"  # asking removed nobody


def test_a_removed_participant_is_forgotten_and_their_phone_cannot_rejoin(
    client, facilitator, workshop, tables, anna
):
    takeaway = post(anna, "Spam, spam, spam")
    device = anna.device
    client.force_login(facilitator)
    response = client.post(remove_url(workshop, anna), follow=True)
    assert "Anna was removed from the workshop." in response.content.decode()

    anna.refresh_from_db()
    takeaway.refresh_from_db()
    assert (anna.name, anna.device) == ("Participant 1", "")
    assert takeaway.deleted and takeaway.text == ""
    assert not Answer.objects.filter(participant=anna).exists()
    assert RemovedDevice.objects.get(workshop=workshop).device_hash != device  # a digest only

    anna.device = device  # the same phone, its cookie still set
    phone = as_phone(client, anna)
    board = phone.get(f"/w/{workshop.code}/")
    assert board.status_code == 302  # nobody in the workshop now: sent to join
    join_page = phone.get(f"/j/{workshop.code}/")
    assert join_page.status_code == 403
    assert REMOVED in join_page.content.decode()
    joined = phone.post(f"/j/{workshop.code}/", {"name": "Anna", "table": tables[0].pk})
    assert joined.status_code == 403
    assert workshop.participants.count() == 1


def test_another_phone_still_joins_after_a_removal(client, facilitator, workshop, tables, anna):
    services.remove_participant(facilitator, anna)
    response = client.post(f"/j/{workshop.code}/", {"name": "Chloé", "table": tables[0].pk})
    assert response.status_code == 200  # the board
    assert workshop.participants.filter(name="Chloé").exists()


def test_only_the_workshops_facilitator_can_remove_someone(
    client, other_facilitator, workshop, anna
):
    client.force_login(other_facilitator)
    assert client.get(remove_url(workshop, anna)).status_code == 404
    assert client.post(remove_url(workshop, anna)).status_code == 404
    with pytest.raises(services.NotAllowed):
        services.remove_participant(other_facilitator, anna)
    anna.refresh_from_db()
    assert anna.name == "Anna"
    assert not Takeaway.objects.filter(deleted=True).exists()


def test_someone_who_left_is_no_longer_offered_for_removal(
    client, facilitator, workshop, anna, ben
):
    services.forget_participant(anna)
    client.force_login(facilitator)
    console = client.get(f"/f/w/{workshop.pk}/").content.decode()
    assert remove_url(workshop, anna) not in console
    assert remove_url(workshop, ben) in console
