"""A whole day that produced results worth downloading, shared by the results tests."""

import uuid
from types import SimpleNamespace

from workshop import agenda_templates, services

TITLE = 'Q3 "Kick-off",\nsales leadership'
TRICKY = '=HYPERLINK("http://evil.example","click"), "quotes", commas,\na new line and emoji 🚀'
PRIVATE = "PRIVATE-REFLECTION: I run the Monday meeting myself"
COMMITMENT = "PRIVATE-COMMITMENT: Sam runs the pipeline review"
SHARED = "Let the reps lead their own meetings"


def go_to(facilitator, workshop, kind):
    workshop.refresh_from_db()
    activity = workshop.activities.get(kind=kind)
    services.go_to_activity(facilitator, workshop, activity, workshop.current_activity_id)
    return activity


def run_a_day(facilitator, title=TITLE):
    """Two tables: a reflection (one answer shared), a discussion, votes and a spotlight.

    Table 1 (Anna, Chloé) posts the tricky takeaway, a plain one and a hidden one; table 2
    (Ben) posts one and deletes another.
    """
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    workshop = services.create_workshop(facilitator, title, 2, agenda=agenda)
    table_1, table_2 = workshop.tables.order_by("number")
    anna = services.join(workshop, table_1, "Anna")
    chloe = services.join(workshop, table_1, "Chloé")
    ben = services.join(workshop, table_2, "Ben")

    solo = go_to(facilitator, workshop, "solo")
    steps = list(solo.steps.filter(kind="text").order_by("position"))
    services.save_answer(anna, steps[0], PRIVATE)
    services.save_answer(anna, steps[1], SHARED)
    services.save_answer(anna, solo.steps.get(kind="commitment"), COMMITMENT)
    services.save_answer(ben, steps[0], "PRIVATE-REFLECTION of Ben")
    services.complete_solo(anna, solo)
    shared = services.share_answer(anna, steps[1])

    go_to(facilitator, workshop, "discussion")
    tricky = services.post_takeaway(anna, TRICKY, uuid.uuid4())
    coach = services.post_takeaway(chloe, "Coach after the call, not during it", uuid.uuid4())
    hidden = services.post_takeaway(chloe, "HIDDEN-TAKEAWAY", uuid.uuid4())
    services.set_takeaway_hidden(facilitator, hidden, True)
    pipeline = services.post_takeaway(ben, "Pipeline reviews: ask, don't answer.", uuid.uuid4())
    deleted = services.post_takeaway(ben, "DELETED-TAKEAWAY", uuid.uuid4())
    services.delete_takeaway(ben, deleted)

    go_to(facilitator, workshop, "shareout")
    services.vote(ben, tricky)
    services.vote(ben, coach)
    services.vote(anna, pipeline)
    services.vote(chloe, pipeline)
    workshop.refresh_from_db()
    services.set_spotlight(facilitator, workshop, tricky)
    services.set_spotlight(facilitator, workshop, None)  # spotlighted once is spotlighted
    workshop.refresh_from_db()
    return SimpleNamespace(
        workshop=workshop,
        anna=anna,
        chloe=chloe,
        ben=ben,
        tricky=tricky,
        coach=coach,
        pipeline=pipeline,
        hidden=hidden,
        deleted=deleted,
        shared=shared,
    )


# --- A room's worth, for the report's screenshot -----------------------------------------------

SHOWCASE_TITLE = "From hero to hero-maker: sales leadership offsite"
SHOWCASE_PEOPLE = {
    1: ["Amira", "Jonas", "Elif"],
    2: ["Priya", "Tom", "Hanna"],
    3: ["Lena", "Marco", "Yusuf"],
    4: ["Sofia", "Ravi", "Claire"],
}
SHOWCASE_TAKEAWAYS = [
    (
        1,
        "I jump into customer calls the moment a deal wobbles. Next time I ask the rep what "
        "they would do first.",
    ),
    (1, "Pipeline reviews: ask, don't answer."),
    (2, "Field days are for watching and debriefing, not for taking over the meeting."),
    (2, "My team can't scale if every big presentation goes through me."),
    (3, "Reporting up: let the reps present their own numbers to the VP."),
    (3, "Being the hero feels good today and costs the team tomorrow."),
    (4, "Book a weekly coaching slot with each rep, and protect it."),
    (4, "Top performers leave when they never get the hard deals."),
]


def seed_showcase(email: str) -> int:
    """A finished day for the screenshot of the report: `manage.py shell -c` runs it."""
    from workshop.models import User

    facilitator = User.objects.get(email=email)
    facilitator.first_name, facilitator.last_name = "Maria", "Lopez"
    facilitator.save()
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    workshop = services.create_workshop(facilitator, SHOWCASE_TITLE, 4, agenda=agenda)
    tables = {t.number: t for t in workshop.tables.all()}
    people = {
        name: services.join(workshop, tables[number], name)
        for number, names in SHOWCASE_PEOPLE.items()
        for name in names
    }
    solo = go_to(facilitator, workshop, "solo")
    steps = list(solo.steps.filter(kind="text").order_by("position"))
    for name in list(people)[:10]:
        services.save_answer(people[name], steps[0], f"{name}'s private answer")
        services.complete_solo(people[name], solo)
    services.save_answer(
        people["Tom"], steps[2], "I rewrite my reps' slides the night before. That stops now."
    )
    services.share_answer(people["Tom"], steps[2])

    go_to(facilitator, workshop, "discussion")
    posted = []
    for number, text in SHOWCASE_TAKEAWAYS:
        author = people[SHOWCASE_PEOPLE[number][len(posted) % 2]]
        posted.append(services.post_takeaway(author, text, uuid.uuid4()))

    go_to(facilitator, workshop, "shareout")
    votes = {1: 6, 6: 5, 3: 4, 2: 3, 4: 2, 0: 1}  # takeaway index: how many +1s
    for index, count in votes.items():
        takeaway = posted[index]
        voters = [p for p in people.values() if p.table_id != takeaway.table_id][:count]
        for voter in voters:
            services.vote(voter, takeaway)
    workshop.refresh_from_db()
    services.set_spotlight(facilitator, workshop, posted[1])
    services.set_spotlight(facilitator, workshop, posted[6])
    workshop.refresh_from_db()
    closing = workshop.activities.order_by("position").last()
    services.go_to_activity(facilitator, workshop, closing, workshop.current_activity_id)
    workshop.refresh_from_db()
    services.set_workshop_open(facilitator, workshop, False)
    return workshop.pk
