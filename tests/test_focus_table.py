"""Focus one table: the projector's wall shows it alone until the facilitator brings every table
back, or the room moves on."""

import pytest

from workshop import live, services
from workshop.models import User

pytestmark = pytest.mark.django_db

AGENDA = [
    {"kind": "discussion", "title": "At your table"},
    {"kind": "shareout", "title": "With the room", "source": 0},
]


@pytest.fixture
def day():
    facilitator = User.objects.create_user("f@example.com", "x")
    workshop = services.create_workshop(facilitator, "Focus", 3, agenda=AGENDA)
    return facilitator, workshop


def test_the_projector_and_console_say_which_table_is_in_focus(day):
    facilitator, workshop = day
    table = workshop.tables.get(number=2)
    services.set_focus(facilitator, workshop, table)
    workshop.refresh_from_db()
    assert f'data-focus="{table.pk}"' in live.snapshot_html(live.Audience.projector(), workshop)
    console = live.snapshot_html(live.Audience.console(), workshop)
    assert "The projector shows only <bdi>Table 2</bdi>" in console
    services.set_focus(facilitator, workshop, None)
    workshop.refresh_from_db()
    assert 'data-focus=""' in live.snapshot_html(live.Audience.projector(), workshop)


def test_moving_on_brings_every_table_back(day):
    facilitator, workshop = day
    services.set_focus(facilitator, workshop, workshop.tables.get(number=1))
    shareout = workshop.activities.get(kind="shareout")
    services.go_to_activity(facilitator, workshop, shareout, workshop.current_activity_id)
    workshop.refresh_from_db()
    assert workshop.focus_table_id is None


def test_another_workshops_table_cannot_be_focused(day, client):
    facilitator, workshop = day
    other = services.create_workshop(facilitator, "Other", 1)
    with pytest.raises(services.NotAllowed):
        services.set_focus(facilitator, workshop, other.tables.get())
    client.force_login(facilitator)
    response = client.post(f"/f/w/{workshop.pk}/focus/", {"table": other.tables.get().pk})
    assert response.status_code == 404
    response = client.post(f"/f/w/{workshop.pk}/focus/", {"table": "not a number"})
    assert response.status_code == 404
