"""Sets up a workshop for the benchmark in the app's own database, and prints how to reach it.

Usage (with the server's environment): python bench/prepare.py PHONES
Prints JSON: the join code, the projector key, one session key per phone with its table, and
a facilitator session. Phones are created in bulk: how fast people join is measured separately,
by the join burst, through the real pages.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.utils import timezone  # noqa: E402

from workshop import services  # noqa: E402
from workshop.models import Participant, User  # noqa: E402

# As a big room would have them: the most tables a workshop may have, people spread over them.
TABLES = 60
AGENDA = [
    {"kind": "discussion", "title": "Table discussion", "instructions": "Post takeaways."},
    {"kind": "slide", "title": "Coffee break", "instructions": "Back in ten minutes."},
]


def session_key(data: dict) -> str:
    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=1)
    key = store._get_new_session_key()
    Session.objects.create(session_key=key, session_data=store.encode(data), expire_date=expires)
    return key


def main(phones: int) -> dict:
    facilitator, _ = User.objects.get_or_create(email="bench@example.com")
    workshop = services.create_workshop(facilitator, "Benchmark", TABLES, agenda=AGENDA)
    tables = list(workshop.tables.order_by("number"))
    people = Participant.objects.bulk_create(
        Participant(workshop=workshop, table=tables[n % TABLES], name=f"Phone {n}")
        for n in range(phones)
    )
    return {
        "code": workshop.code,
        "workshop_id": workshop.pk,
        "projector_key": workshop.projector_key,
        "phones": [
            {"session": session_key({f"participant:{workshop.pk}": p.pk}), "table": p.table_id}
            for p in people
        ],
        "facilitator_session": session_key(
            {
                SESSION_KEY: str(facilitator.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: facilitator.get_session_auth_hash(),
            }
        ),
        "activities": list(workshop.activities.values_list("pk", flat=True)),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
