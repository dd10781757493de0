"""Facilitator screens: who reaches them, workshops, tables, cards, hiding, setup."""

import uuid

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import PASSWORD, as_phone
from workshop import services, setup_link
from workshop.models import Takeaway, User

pytestmark = pytest.mark.django_db


def facilitator_routes(workshop, takeaway):
    return [
        ("get", f"/f/w/{workshop.pk}/"),
        ("get", f"/f/w/{workshop.pk}/tables/"),
        ("get", f"/f/w/{workshop.pk}/cards/"),
        ("get", f"/f/w/{workshop.pk}/takeaways.csv"),
        ("post", f"/f/w/{workshop.pk}/status/"),
        ("post", f"/f/w/{workshop.pk}/t/{takeaway.pk}/hide/"),
    ]


def test_signed_out_people_are_sent_to_sign_in(client, workshop, anna):
    takeaway = services.post_takeaway(anna, "Private", uuid.uuid4())
    for method, path in facilitator_routes(workshop, takeaway):
        response = getattr(client, method)(path, {"hidden": "1", "open": "0"})
        assert response.status_code == 302, path
        assert response["Location"].startswith("/f/login/"), path


def test_another_facilitator_finds_nothing_and_changes_nothing(
    client, workshop, anna, other_facilitator
):
    takeaway = services.post_takeaway(anna, "Private", uuid.uuid4())
    client.force_login(other_facilitator)
    for method, path in facilitator_routes(workshop, takeaway):
        response = getattr(client, method)(path, {"hidden": "1", "open": "0"})
        assert response.status_code == 404, path
    takeaway.refresh_from_db()
    workshop.refresh_from_db()
    assert not takeaway.hidden
    assert workshop.is_open


def test_a_participant_cannot_reach_the_console(client, workshop, anna):
    as_phone(client, anna)
    assert client.get(f"/f/w/{workshop.pk}/").status_code == 302


def test_creating_a_workshop_lands_on_its_console(client, facilitator):
    client.force_login(facilitator)
    response = client.post("/f/", {"title": "Kick-off", "table_count": "5"})
    workshop = facilitator.workshops.get()
    assert response["Location"] == f"/f/w/{workshop.pk}/"
    assert workshop.tables.count() == 5
    console = client.get(response["Location"]).content.decode()
    assert workshop.code in console
    assert f"/p/{workshop.projector_key}/" in console


def test_the_workshop_form_explains_bad_input(client, facilitator):
    client.force_login(facilitator)
    page = client.post("/f/", {"title": "", "table_count": "0"}).content.decode()
    assert "This field is required." in page
    assert "greater than or equal to 1" in page
    assert not facilitator.workshops.exists()


def test_the_projector_is_read_only_behind_its_secret_link(client, workshop):
    page = client.get(f"/p/{workshop.projector_key}/").content.decode()
    assert workshop.code in page
    assert "<svg" in page
    assert f"/j/{workshop.code}/" in page
    assert "<form" not in page
    assert client.get("/p/guess/").status_code == 404


def test_the_projector_join_link_uses_an_address_phones_can_reach(client, workshop, settings):
    settings.PUBLIC_URL = "https://workshops.example.com"
    page = client.get(f"/p/{workshop.projector_key}/").content.decode()
    assert f"workshops.example.com/j/{workshop.code}/" in page


def test_renaming_tables(client, facilitator, workshop, tables):
    client.force_login(facilitator)
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "3",
        **{f"form-{i}-id": str(t.pk) for i, t in enumerate(tables)},
        "form-0-name": "The Optimists",
        "form-1-name": "Table 2",
        "form-2-name": "Window",
    }
    response = client.post(f"/f/w/{workshop.pk}/tables/", data)
    assert response.status_code == 302
    names = list(workshop.tables.order_by("number").values_list("name", flat=True))
    assert names == ["The Optimists", "Table 2", "Window"]


def test_table_cards_carry_a_link_straight_into_each_table(client, facilitator, workshop):
    client.force_login(facilitator)
    page = client.get(f"/f/w/{workshop.pk}/cards/").content.decode()
    for number in (1, 2, 3):
        assert f"/j/{workshop.code}/{number}/" in page
    assert page.count('class="sheet"') == 2  # two cards a page by default
    four = client.get(f"/f/w/{workshop.pk}/cards/?per_page=4").content.decode()
    assert four.count('class="sheet"') == 1


def test_hiding_and_showing_a_takeaway(client, facilitator, workshop, anna):
    takeaway = services.post_takeaway(anna, "Too much", uuid.uuid4())
    client.force_login(facilitator)
    client.post(f"/f/w/{workshop.pk}/t/{takeaway.pk}/hide/", {"hidden": "1"})
    assert Takeaway.objects.get().hidden
    assert "Too much" not in client.get(f"/p/{workshop.projector_key}/").content.decode()
    client.post(f"/f/w/{workshop.pk}/t/{takeaway.pk}/hide/", {"hidden": "0"})
    assert not Takeaway.objects.get().hidden


def test_closing_and_reopening_a_workshop(client, facilitator, workshop):
    client.force_login(facilitator)
    client.post(f"/f/w/{workshop.pk}/status/", {"open": "0"})
    workshop.refresh_from_db()
    assert not workshop.is_open
    client.post(f"/f/w/{workshop.pk}/status/", {"open": "1"})
    workshop.refresh_from_db()
    assert workshop.is_open


def test_signing_in_with_email_and_password(client, facilitator):
    response = client.post("/f/login/", {"username": facilitator.email, "password": PASSWORD})
    assert response["Location"] == "/f/"
    assert client.get("/f/").status_code == 200


def test_the_first_run_link_creates_the_first_facilitator_once(client, db):
    path = setup_link.path_with_token()
    form = {"email": "First@Example.com", "password": "a long passphrase here"}
    response = client.post(path, form)
    assert response["Location"] == "/f/"
    assert User.objects.get().email == "first@example.com"
    assert client.get("/f/").status_code == 200

    client.logout()
    again = client.post(path, {"email": "second@example.com", "password": "another passphrase"})
    assert again.status_code == 404
    assert "no longer works" in again.content.decode()
    assert User.objects.count() == 1


def test_a_forged_setup_link_is_refused(client, db):
    response = client.get("/f/setup/forged-token/")
    assert response.status_code == 404
    assert not User.objects.exists()


def test_createfacilitator_makes_an_account_that_can_sign_in(client, db):
    call_command("createfacilitator", "Coach@Example.com", "--password", "s3cret enough!")
    assert client.login(username="coach@example.com", password="s3cret enough!")
    with pytest.raises(CommandError, match="exists already"):
        call_command("createfacilitator", "coach@example.com", "--password", "whatever it is")
    with pytest.raises(CommandError, match="not an email"):
        call_command("createfacilitator", "nobody", "--password", "whatever it is")


def test_the_root_sends_phones_to_the_code_page_and_facilitators_home(client, facilitator):
    assert client.get("/")["Location"] == "/j/"
    client.force_login(facilitator)
    assert client.get("/")["Location"] == "/f/"


def test_http_catch_up_is_authorised_like_the_screens(client, workshop, anna, other_facilitator):
    services.post_takeaway(anna, "Caught up over HTTP", uuid.uuid4())
    projector = client.get(f"/p/{workshop.projector_key}/updates/?after=0")
    assert projector.status_code == 200
    assert "Caught up over HTTP" in projector.json()["content"]
    assert client.get("/p/wrong/updates/").status_code == 404
    assert client.get(f"/w/{workshop.code}/updates/").status_code == 403
    assert client.get(f"/f/w/{workshop.pk}/updates/").status_code == 302

    client.force_login(other_facilitator)
    assert client.get(f"/f/w/{workshop.pk}/updates/").status_code == 404
    client.logout()
    as_phone(client, anna)
    phone = client.get(f"/w/{workshop.code}/updates/?after=0")
    assert "Caught up over HTTP" in phone.json()["content"]


def test_the_projector_theme_is_the_facilitators_to_choose_and_only_dark_or_light(
    client, facilitator, other_facilitator, workshop
):
    client.force_login(facilitator)
    response = client.post(f"/f/w/{workshop.pk}/theme/", {"theme": "light"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true">Light' in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.projector_theme == "light"
    assert 'data-theme="light"' in client.get(f"/p/{workshop.projector_key}/").content.decode()
    with pytest.raises(services.Refused):
        services.set_projector_theme(facilitator, workshop, "neon")
    with pytest.raises(services.NotAllowed):
        services.set_projector_theme(other_facilitator, workshop, "dark")
    workshop.refresh_from_db()
    assert workshop.projector_theme == "light"
