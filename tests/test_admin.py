"""Django's admin, for staff: every model has its pages, and reflections stay private."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.results_day import PRIVATE, run_a_day
from workshop import services
from workshop.models import Answer, User, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin@example.com", PASSWORD)


@pytest.fixture
def day(facilitator):
    day = run_a_day(facilitator)
    services.grant_access(facilitator, day.workshop, "buyer@example.com")
    services.create_share_link(facilitator, day.workshop)
    services.save_as_template(facilitator, day.workshop, "Our day")
    latecomer = services.join(day.workshop, day.workshop.tables.first(), "Zed")
    services.remove_participant(facilitator, latecomer)
    return day


@pytest.fixture
def polled(facilitator):
    """A poll someone answered: the day has none."""
    question = {"kind": "choice", "prompt": "Which?", "options": ["A", "B"]}
    poll = [{"kind": "poll", "title": "Quick poll", "steps": [question]}]
    workshop = services.create_workshop(facilitator, "Poll", 1, agenda=poll)
    voter = services.join(workshop, workshop.tables.get(), "Yan")
    services.answer_poll(voter, workshop.activities.get().steps.get(), choices=["A"])


def test_every_model_of_the_app_is_in_the_admin():
    for model in apps.get_app_config("workshop").get_models():
        assert admin.site.is_registered(model), model.__name__


def test_every_admin_page_opens_for_a_superuser(client, superuser, day, polled):
    client.force_login(superuser)
    for model in apps.get_app_config("workshop").get_models():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, model.__name__
        instance = model.objects.first()
        assert instance is not None, model.__name__
        change = client.get(reverse("admin:{}_{}_change".format(*info), args=[instance.pk]))
        assert change.status_code == 200, model.__name__


def test_the_admin_never_shows_what_a_reflection_says(client, superuser, day):
    client.force_login(superuser)
    answer = Answer.objects.filter(text=PRIVATE).get()
    for path in (
        reverse("admin:workshop_answer_changelist"),
        reverse("admin:workshop_answer_change", args=[answer.pk]),
    ):
        assert PRIVATE not in client.get(path).content.decode()


def test_the_admin_deletes_a_workshop_with_everything_in_it(client, superuser, day):
    client.force_login(superuser)
    path = reverse("admin:workshop_workshop_delete", args=[day.workshop.pk])
    assert client.post(path, {"post": "yes"}).status_code == 302
    assert not Workshop.objects.exists()
    assert not Answer.objects.exists()


def test_a_facilitator_without_permissions_sees_nothing_in_the_admin(client, facilitator, day):
    client.force_login(facilitator)
    assert client.get(reverse("admin:workshop_answer_changelist")).status_code == 403


def test_live_data_is_read_only_in_the_admin(client, superuser, day):
    """Only the services raise revisions and tell the screens: the admin writes nothing live."""
    client.force_login(superuser)
    takeaway = day.workshop.takeaways.first()
    path = reverse("admin:workshop_takeaway_change", args=[takeaway.pk])
    response = client.post(path, {"text": "Rewritten by staff", "hidden": "on"})
    assert response.status_code == 403
    takeaway.refresh_from_db()
    assert takeaway.text != "Rewritten by staff" and not takeaway.hidden
    for model in ("workshop", "takeaway", "table", "participant", "activity"):
        page = client.get(reverse(f"admin:workshop_{model}_add"))
        assert page.status_code == 403, model


def test_the_admin_revokes_a_share_link_through_the_services(client, superuser, day):
    client.force_login(superuser)
    link = day.workshop.share_links.get()
    path = reverse("admin:workshop_sharelink_changelist")
    data = {"action": "revoke", "_selected_action": [link.pk]}
    assert client.post(path, data).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
