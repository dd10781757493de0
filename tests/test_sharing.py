"""Sharing results: organizer accounts, share links, and every refusal looking the same."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import PASSWORD, as_phone
from workshop import services
from workshop.models import ShareLink, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(db):
    return User.objects.create_user("buyer@example.com", PASSWORD, is_organizer=True)


@pytest.fixture
def shared(workshop, facilitator, organizer, anna):
    services.post_takeaway(anna, "Coach after the call", uuid.uuid4())
    services.grant_access(facilitator, workshop, organizer.email)
    return workshop


def share_link(facilitator, workshop, days=7) -> tuple[ShareLink, str]:
    return services.create_share_link(facilitator, workshop, days)


def without_tokens(html: bytes) -> str:
    # The CSRF token changes on every response; nothing else may differ between refusals.
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html.decode())


def not_available(response) -> str:
    assert response.status_code == 404
    page = without_tokens(response.content)
    assert "This page is not available" in page
    return page


# --- Organizers --------------------------------------------------------------------------------


def test_a_new_organizer_chooses_a_password_from_a_one_time_link_then_sees_the_workshop(
    client, facilitator, workshop, anna
):
    services.post_takeaway(anna, "Coach after the call", uuid.uuid4())
    client.force_login(facilitator)
    response = client.post(f"/f/w/{workshop.pk}/results/organizers/", {"email": "HR@Example.com"})
    assert response.status_code == 302
    page = client.get(f"/f/w/{workshop.pk}/results/").content.decode()
    link = re.search(r'value="(http://[^"]+/o/welcome/[^"]+)"', page).group(1)
    assert "hr@example.com" in page
    assert "/o/welcome/" not in client.get(f"/f/w/{workshop.pk}/results/").content.decode()

    organizer = User.objects.get(email="hr@example.com")
    assert organizer.is_organizer and not organizer.has_usable_password()
    client.logout()
    path = link.split("://", 1)[1].split("/", 1)[1]
    new_password = "a brand new passphrase for HR"
    response = client.post(
        "/" + path, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response["Location"] == "/o/"
    home = client.get("/o/").content.decode()
    assert workshop.title in home
    assert client.get(f"/o/w/{workshop.pk}/").status_code == 200
    client.logout()
    not_available(client.get("/" + path))  # used once, it opens nothing
    assert client.login(email="hr@example.com", password=new_password)


def test_sharing_with_an_existing_account_needs_no_link(client, facilitator, workshop, organizer):
    client.force_login(facilitator)
    client.post(f"/f/w/{workshop.pk}/results/organizers/", {"email": organizer.email})
    page = client.get(f"/f/w/{workshop.pk}/results/").content.decode()
    assert "/o/welcome/" not in page
    assert "buyer@example.com can now sign in and download the results." in page


def test_the_facilitator_cannot_share_with_themselves_or_a_non_address(
    client, facilitator, workshop
):
    client.force_login(facilitator)
    for email, error in [
        (facilitator.email, "You run this workshop"),
        ("not an address", "Enter a valid email address."),
    ]:
        response = client.post(f"/f/w/{workshop.pk}/results/organizers/", {"email": email})
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not workshop.accesses.exists()


def test_an_organizer_sees_only_the_workshops_shared_with_them(
    client, facilitator, other_facilitator, shared, organizer
):
    other = services.create_workshop(other_facilitator, "Someone else's offsite", 2)
    client.force_login(organizer)
    home = client.get("/o/").content.decode()
    assert shared.title in home
    assert other.title not in home
    assert client.get(f"/o/w/{shared.pk}/").status_code == 200
    not_available(client.get(f"/o/w/{other.pk}/"))


def test_removing_access_refuses_the_organizer_at_once(client, facilitator, shared, organizer):
    access = shared.accesses.get()
    client.force_login(facilitator)
    client.post(f"/f/w/{shared.pk}/results/organizers/{access.pk}/remove/")
    client.force_login(organizer)
    not_available(client.get(f"/o/w/{shared.pk}/takeaways.csv"))
    assert shared.title not in client.get("/o/").content.decode()


def test_an_organizer_runs_no_workshops(client, organizer):
    client.force_login(organizer)
    assert client.get("/f/")["Location"] == "/o/"
    response = client.post("/f/", {"title": "Mine now", "table_count": "3"})
    assert response["Location"] == "/o/"
    with pytest.raises(services.NotAllowed):
        services.create_workshop(organizer, "Mine now", 3)


def test_an_organizer_signs_in_on_their_own_page_and_lands_on_their_workshops(
    client, organizer, shared
):
    page = client.get("/o/login/").content.decode()
    assert "Sign in to get your workshops’ results" in page
    response = client.post("/o/login/", {"username": organizer.email, "password": PASSWORD})
    assert response["Location"] == "/o/"


def test_downloads_work_while_the_workshop_runs_and_after_it_closes(
    client, facilitator, shared, organizer
):
    client.force_login(organizer)
    assert b"Coach after the call" in client.get(f"/o/w/{shared.pk}/takeaways.csv").getvalue()
    services.set_workshop_open(facilitator, shared, False)
    assert b"Coach after the call" in client.get(f"/o/w/{shared.pk}/takeaways.csv").getvalue()


def test_createorganizer_makes_an_organizer_account(db):
    call_command("createorganizer", "L&D@Example.com", "--password", PASSWORD)
    user = User.objects.get(email="l&d@example.com")
    assert user.is_organizer and not user.is_staff
    assert user.check_password(PASSWORD)
    with pytest.raises(CommandError):
        call_command("createorganizer", "l&d@example.com", "--password", PASSWORD)


# --- Share links -------------------------------------------------------------------------------


def test_a_share_link_opens_the_results_and_downloads_without_an_account(
    client, facilitator, shared
):
    _link, key = share_link(facilitator, shared)
    page = client.get(f"/r/{key}/")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert shared.title in page.content.decode()
    for kind in ("takeaways.csv", "takeaways.xlsx", "workshop.json", "report/"):
        response = client.get(f"/r/{key}/{kind}")
        assert response.status_code == 200, kind
        assert response["Cache-Control"] == "private, no-store"


def test_a_share_link_is_shown_once_and_only_a_hash_of_it_is_stored(client, facilitator, shared):
    client.force_login(facilitator)
    client.post(f"/f/w/{shared.pk}/results/links/", {"days": "7"})
    page = client.get(f"/f/w/{shared.pk}/results/").content.decode()
    url = re.search(r'value="(http://[^"]+/r/[^"]+/)"', page).group(1)
    key = url.rsplit("/r/", 1)[1].rstrip("/")
    assert "/r/" not in client.get(f"/f/w/{shared.pk}/results/").content.decode()
    link = shared.share_links.get()
    secret = key.split(":", 1)[0]
    assert link.secret_hash == ShareLink.hash_secret(secret)
    assert secret not in link.secret_hash
    client.logout()
    assert client.get(f"/r/{key}/").status_code == 200


def test_a_share_link_lasts_seven_days_by_default_and_can_last_longer(client, facilitator, shared):
    client.force_login(facilitator)
    client.post(f"/f/w/{shared.pk}/results/links/", {"days": "30"})
    link = shared.share_links.get()
    assert abs(link.expires_at - timezone.now() - timedelta(days=30)) < timedelta(minutes=1)
    default, _key = services.create_share_link(facilitator, shared)
    assert abs(default.expires_at - timezone.now() - timedelta(days=7)) < timedelta(minutes=1)
    for days in ("0", "91", "soon"):
        response = client.post(f"/f/w/{shared.pk}/results/links/", {"days": days})
        assert response.status_code == 400
    assert shared.share_links.count() == 2


def test_an_expired_link_is_refused(client, facilitator, shared):
    link, key = share_link(facilitator, shared)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    not_available(client.get(f"/r/{key}/"))
    not_available(client.get(f"/r/{key}/takeaways.csv"))


def test_a_revoked_link_is_refused_at_once(client, facilitator, shared):
    link, key = share_link(facilitator, shared)
    assert client.get(f"/r/{key}/").status_code == 200
    client.force_login(facilitator)
    client.post(f"/f/w/{shared.pk}/results/links/{link.pk}/revoke/")
    client.logout()
    not_available(client.get(f"/r/{key}/"))
    not_available(client.get(f"/r/{key}/workshop.json"))


def test_a_tampered_link_gets_the_same_page_as_an_unknown_expired_or_revoked_one(
    client, facilitator, shared
):
    _good, key = share_link(facilitator, shared)
    secret, signature = key.split(":", 1)
    expired, expired_key = share_link(facilitator, shared)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    revoked, revoked_key = share_link(facilitator, shared)
    services.revoke_share_link(facilitator, revoked)
    flipped = "A" if secret[0] != "A" else "B"
    pages = {
        not_available(client.get(f"/r/{key}x/")),
        not_available(client.get(f"/r/{flipped + secret[1:]}:{signature}/")),
        not_available(client.get(f"/r/{secret}/")),
        not_available(client.get("/r/nothing-here/")),
        not_available(client.get(f"/r/{expired_key}/")),
        not_available(client.get(f"/r/{revoked_key}/")),
    }
    assert len(pages) == 1


# --- Refusals ----------------------------------------------------------------------------------


def facilitator_routes(workshop, access_id, link_id):
    base = f"/f/w/{workshop.pk}"
    return [
        ("get", f"{base}/results/"),
        ("get", f"{base}/takeaways.csv"),
        ("get", f"{base}/takeaways.xlsx"),
        ("get", f"{base}/workshop.json"),
        ("get", f"{base}/report/"),
        ("get", f"{base}/data/"),
        ("post", f"{base}/data/"),
        ("get", f"{base}/data/remove/"),
        ("post", f"{base}/data/remove/"),
        ("get", f"{base}/delete/"),
        ("post", f"{base}/delete/"),
        ("post", f"{base}/results/organizers/"),
        ("post", f"{base}/results/organizers/{access_id}/remove/"),
        ("post", f"{base}/results/links/"),
        ("post", f"{base}/results/links/{link_id}/revoke/"),
    ]


def organizer_routes(workshop_id):
    base = f"/o/w/{workshop_id}"
    return [
        f"{base}/",
        f"{base}/takeaways.csv",
        f"{base}/takeaways.xlsx",
        f"{base}/workshop.json",
        f"{base}/report/",
    ]


@pytest.fixture
def everything(facilitator, shared, organizer):
    link, _key = share_link(facilitator, shared)
    return facilitator_routes(shared, shared.accesses.get().pk, link.pk)


FORM = {"email": "x@example.com", "days": "7", "anonymous": "on", "retention_days": "7"}


def assert_untouched(workshop, organizer):
    workshop.refresh_from_db()
    assert not workshop.anonymous
    assert workshop.participants.get().name == "Anna"
    assert workshop.accesses.get().user == organizer
    assert workshop.share_links.get().revoked_at is None


def test_signed_out_people_and_participants_are_sent_to_sign_in(
    client, shared, organizer, anna, everything
):
    as_phone(client, anna)  # a participant is signed out as far as results go
    for method, path in everything:
        response = getattr(client, method)(path, FORM)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/f/login/"), path
    for path in [*organizer_routes(shared.pk), "/o/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/o/login/"), path
    assert_untouched(shared, organizer)


def test_another_facilitator_and_an_organizer_find_nothing_of_the_facilitators(
    client, shared, organizer, other_facilitator, everything
):
    for someone in (other_facilitator, organizer):
        client.force_login(someone)
        for method, path in everything:
            response = getattr(client, method)(path, FORM)
            assert response.status_code == 404, (someone, path)
    assert_untouched(shared, organizer)


def test_an_organizer_route_refuses_everyone_it_was_not_shared_with(
    client, shared, facilitator, other_facilitator, db
):
    stranger = User.objects.create_user("stranger@example.com", PASSWORD, is_organizer=True)
    for someone in (stranger, other_facilitator, facilitator):
        client.force_login(someone)
        for path in organizer_routes(shared.pk):
            not_available(client.get(path))


def test_refusals_do_not_reveal_whether_a_workshop_exists(client, shared, db):
    stranger = User.objects.create_user("stranger@example.com", PASSWORD, is_organizer=True)
    client.force_login(stranger)
    for existing, missing in zip(
        organizer_routes(shared.pk), organizer_routes(shared.pk + 1000), strict=True
    ):
        assert not_available(client.get(existing)) == not_available(client.get(missing))
