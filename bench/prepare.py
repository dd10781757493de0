"""Sets up a workshop for the benchmark in the app's own database, and prints how to reach it.

Usage (with the server's environment): python bench/prepare.py PHONES [TAKEAWAYS_PER_TABLE]
Prints JSON: the join code, the projector key, one Cookie header per phone with its table, the
facilitator's Cookie header, the activities by kind, the takeaways posted beforehand and the
poll's question. Phones are created in bulk: how fast people join is measured separately,
through the real pages.

Every client of the benchmark sends exactly the `cookie` (and `facilitator_cookie`) printed
here: how a phone or a facilitator is recognised is decided in one place, `identity_cookie`.
"""

import json
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.utils import timezone  # noqa: E402

from workshop import access, services  # noqa: E402
from workshop.models import Participant, User  # noqa: E402

# Phones known by a device cookie (workshop.access), where the app has one; else by a session.
DEVICE_COOKIE = getattr(access, "DEVICE_COOKIE", None)

# As a big room would have them: the most tables a workshop may have, people spread over them.
TABLES = 60
POLL_OPTIONS = ["Coach", "Ask", "Tell", "Do it myself"]
# Every kind of activity, in the order "Next" walks through them. The titles are the markers the
# benchmark's probe phones look for in what their sockets bring.
AGENDA = [
    {"kind": "discussion", "title": "bench-discussion-1-", "instructions": "Post takeaways."},
    {"kind": "shareout", "title": "bench-shareout-1-", "instructions": "Vote.", "source": 0},
    {"kind": "slide", "title": "bench-slide-1-", "instructions": "Back in ten minutes."},
    {
        "kind": "solo",
        "title": "bench-solo-1-",
        "instructions": "On your own.",
        "steps": [
            {"kind": "text", "prompt": "Where do I step in?"},
            {"kind": "checklist", "prompt": "Which costs?", "options": ["One", "Two", "Three"]},
        ],
    },
    # A quick poll, its results on the projector while the room answers. Leaving it closes it:
    # the poll storm (bench/run.py's poll group) answers it on a fresh server, still open.
    {
        "kind": "poll",
        "title": "bench-poll-1-",
        "votes_hidden": False,
        "steps": [{"kind": "choice", "prompt": "What first?", "options": POLL_OPTIONS}],
    },
]


def _session(data: dict) -> str:
    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=1)
    key = store._get_new_session_key()
    Session.objects.create(session_key=key, session_data=store.encode(data), expire_date=expires)
    return key


def identity_cookie(participant: Participant | None = None, user: User | None = None) -> str:
    """The complete Cookie header that makes a request come from this phone or facilitator.

    The one place that knows how the app recognises people: a phone by its device cookie (it
    gets a device id here, which the caller saves), or, in an app without one, by a Django
    session; a facilitator by the session of a signed-in user.
    """
    if participant is not None and DEVICE_COOKIE:
        participant.device = participant.device or access.new_device_id()
        return f"{DEVICE_COOKIE}={participant.device}"
    if participant is not None:
        data = {f"participant:{participant.workshop_id}": participant.pk}
    else:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    return f"{settings.SESSION_COOKIE_NAME}={_session(data)}"


def main(phones: int, per_table: int) -> dict:
    facilitator, _ = User.objects.get_or_create(email="bench@example.com")
    workshop = services.create_workshop(facilitator, "Benchmark", TABLES, agenda=AGENDA)
    tables = list(workshop.tables.order_by("number"))
    people = Participant.objects.bulk_create(
        Participant(workshop=workshop, table=tables[n % TABLES], name=f"Phone {n}")
        for n in range(phones)
    )
    activities = list(workshop.activities.order_by("position"))
    poll = next(a for a in activities if a.kind == "poll")
    question = poll.steps.get()
    # Takeaways already on the walls, posted by the first phone of each table as a phone would:
    # the share-out shows them and its votes go to them.
    posters = people[:TABLES] if len(people) >= TABLES else []
    seeded = []
    for round_ in range(per_table):
        for author in posters:
            takeaway = services.post_takeaway(
                author, f"bench-seed-{len(seeded)}- round {round_}", uuid.uuid4()
            )
            seeded.append({"pk": takeaway.pk, "table": takeaway.table_id})
    phones = [{"cookie": identity_cookie(participant=p), "table": p.table_id} for p in people]
    if DEVICE_COOKIE:
        Participant.objects.bulk_update(people, ["device"], batch_size=500)
    return {
        "code": workshop.code,
        "workshop_id": workshop.pk,
        "projector_key": workshop.projector_key,
        "phones": phones,
        "facilitator_cookie": identity_cookie(user=facilitator),
        # In agenda order; "Next" from the last one wraps to the first with a go.
        "activities": [{"pk": a.pk, "kind": a.kind, "title": a.title} for a in activities],
        "takeaways": seeded,
        # The poll's one question: a phone answers it with one of its options.
        "poll": {"activity": poll.pk, "question": question.pk, "options": question.options},
    }


if __name__ == "__main__":
    per_table = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(json.dumps(main(int(sys.argv[1]), per_table)))
