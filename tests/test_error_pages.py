"""Error pages as a person meets them, with DEBUG off: 400, 403, a CSRF failure, 404 and 500 in
the app's look and the person's language, each with a way forward: a phone rejoins its
workshop, the desk goes back to its workshops. Never Django's bare English pages."""

import re

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import as_phone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _not_debugging(settings):
    settings.DEBUG = False  # Django shows its own technical pages when it is on


@pytest.fixture
def german(settings):
    """German among the screens' languages, whatever LANGUAGES the environment sets."""
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    return "de"


def forward(page: str) -> tuple[str, str]:
    """The page's way forward: its primary button's address and words."""
    match = re.search(r'<a class="button button--primary" href="([^"]*)">([^<]*)</a>', page)
    assert match, "no way forward on the page"
    return match[1], match[2]


def assert_ours(response, status, heading):
    assert response.status_code == status
    page = response.content.decode()
    assert page.startswith("<!doctype html>") or "<!doctype html>" in page[:200]
    assert 'rel="stylesheet"' in page  # the app's look
    assert f'<h1 class="page-title">{heading}</h1>' in page
    for bare in ("Not Found</h1>", "Forbidden <span>(403)", "Server Error (500)", "Bad Request"):
        assert bare not in page
    return page


def test_a_phones_404_rejoins_its_workshop(client, workshop):
    page = assert_ours(client.get(f"/w/{workshop.code}/no-such/"), 404, "This page does not exist")
    assert forward(page) == (f"/j/{workshop.code}/", "Rejoin the workshop")
    assert '<body class="phone"' in page


def test_rejoining_takes_a_phone_that_is_still_in_to_its_board(client, workshop, anna):
    as_phone(client, anna)
    page = client.get(f"/w/{workshop.code}/no-such/").content.decode()
    rejoin = client.get(forward(page)[0])
    assert (rejoin.status_code, rejoin["Location"]) == (302, f"/w/{workshop.code}/")


def test_the_desks_404_goes_back_to_the_workshops(client, facilitator):
    client.force_login(facilitator)
    page = assert_ours(client.get("/f/w/999999/"), 404, "This page does not exist")
    assert forward(page) == ("/f/", "Back to your workshops")
    assert '<body class="desk"' in page


def test_an_organizers_404_goes_back_to_their_workshops(client):
    page = assert_ours(client.get("/o/w/nope/"), 404, "This page does not exist")
    assert forward(page) == ("/o/", "Back to your workshops")


def test_any_other_404_goes_to_the_start_page(client):
    page = assert_ours(client.get("/no/such/page/"), 404, "This page does not exist")
    assert forward(page) == ("/", "Go to the start page")


def test_a_404_is_in_the_persons_language(client, workshop, german):
    response = client.get(f"/w/{workshop.code}/no-such/", headers={"Accept-Language": "de"})
    with translation.override("de"):
        heading, rejoin = (
            translation.gettext("This page does not exist"),
            translation.gettext("Rejoin the workshop"),
        )
    page = assert_ours(response, 404, heading)
    assert '<html lang="de"' in page
    assert forward(page)[1] == rejoin


def test_a_facilitator_refused_by_the_admin_gets_the_403_page(client, facilitator):
    client.force_login(facilitator)  # staff, without the admin's permissions
    response = client.get("/admin/workshop/answer/")
    page = assert_ours(response, 403, "This is not open to you")
    assert forward(page) == ("/", "Go to the start page")  # which takes them to their workshops
    assert client.get("/")["Location"] == "/f/"


@pytest.mark.urls("tests.error_urls")
def test_a_phone_refused_gets_the_403_page_and_rejoins(client, workshop):
    page = assert_ours(client.get(f"/w/{workshop.code}/refused/"), 403, "This is not open to you")
    assert forward(page) == (f"/j/{workshop.code}/", "Rejoin the workshop")
    assert '<body class="phone"' in page


def test_a_phone_whose_form_outlived_its_token_is_asked_to_rejoin(workshop, anna):
    """A plain form post after lunch: the session and its token are gone."""
    phone = as_phone(Client(enforce_csrf_checks=True), anna)
    response = phone.post(f"/w/{workshop.code}/post/", {"text": "After lunch", "token": "t"})
    page = assert_ours(response, 403, "This page was open too long")
    assert "This page was open too long; reload to continue." in page
    assert forward(page) == (f"/j/{workshop.code}/", "Rejoin the workshop")
    assert '<body class="phone"' in page
    assert not workshop.takeaways.exists()


def test_a_desk_form_that_outlived_its_token_reloads_its_page(facilitator, workshop):
    laptop = Client(enforce_csrf_checks=True)
    laptop.force_login(facilitator)
    console = f"http://testserver/f/w/{workshop.pk}/"
    response = laptop.post(
        f"/f/w/{workshop.pk}/status/", {"open": "0"}, headers={"Referer": console}
    )
    page = assert_ours(response, 403, "This page was open too long")
    assert forward(page) == (console, "Reload the page")
    workshop.refresh_from_db()
    assert workshop.is_open


def test_a_csrf_failure_is_in_the_persons_language(workshop, anna, german):
    phone = as_phone(Client(enforce_csrf_checks=True), anna)
    response = phone.post(
        f"/w/{workshop.code}/post/", {"text": "x"}, headers={"Accept-Language": "de"}
    )
    with translation.override("de"):
        heading = translation.gettext("This page was open too long")
    page = assert_ours(response, 403, heading)
    assert '<html lang="de"' in page


def test_a_request_for_another_host_gets_the_400_page(client):
    response = client.get(
        "/j/", headers={"Host": "evil.example", "Referer": "http://evil.example/x"}
    )
    page = assert_ours(response, 400, "This request was not understood")
    assert forward(page) == ("/j/", "Enter a workshop code")


@pytest.mark.urls("tests.error_urls")
def test_a_bug_on_a_phone_gets_the_500_page_in_its_language(workshop, german):
    phone = Client(raise_request_exception=False)
    response = phone.get(f"/w/{workshop.code}/broken/", headers={"Accept-Language": "de"})
    with translation.override("de"):
        heading = translation.gettext("Something went wrong on the server")
        rejoin = translation.gettext("Rejoin the workshop")
    page = assert_ours(response, 500, heading)
    assert '<html lang="de"' in page
    assert forward(page) == (f"/j/{workshop.code}/", rejoin)


@pytest.mark.urls("tests.error_urls")
def test_a_bug_on_the_desk_gets_the_500_page_back_to_the_workshops(facilitator):
    laptop = Client(raise_request_exception=False)
    laptop.force_login(facilitator)
    page = assert_ours(laptop.get("/f/broken/"), 500, "Something went wrong on the server")
    assert forward(page) == ("/f/", "Back to your workshops")


@pytest.mark.urls("tests.error_urls")
def test_the_outbox_and_htmx_get_their_own_answers_to_a_bug(workshop):
    phone = Client(raise_request_exception=False)
    outbox = phone.get(f"/w/{workshop.code}/broken/", headers={"Accept": "application/json"})
    assert outbox.status_code == 500
    assert outbox.json()["error"].startswith("Something went wrong on the server")
    fragment = phone.get(f"/w/{workshop.code}/broken/", headers={"HX-Request": "true"})
    assert (fragment.status_code, fragment["HX-Reswap"]) == (500, "none")
    assert b"data-error-message" in fragment.content  # errors.js shows its message


def test_a_404_for_htmx_swaps_nothing_and_the_outbox_gets_json(client, workshop):
    fragment = client.get(f"/w/{workshop.code}/no-such/", headers={"HX-Request": "true"})
    assert (fragment.status_code, fragment["HX-Reswap"]) == (404, "none")
    outbox = client.get(f"/w/{workshop.code}/no-such/", headers={"Accept": "application/json"})
    assert outbox.status_code == 404
    assert "error" in outbox.json()
