"""A room to replay random actions in, for the tests that compare screens with the database."""

import uuid

import pytest
from hypothesis import strategies as st

from workshop import agenda_templates, live, services
from workshop.models import User

# A passing property test takes about ten seconds (tests/conftest.py bounds its examples), but a
# failing example is shrunk for up to five minutes (Hypothesis's own limit) before it is
# reported: the tests get that long, so that a failure says what failed instead of timing out.
property_test = pytest.mark.timeout(360)

actions = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(0, 2), st.sampled_from(["Ana", "Bo", "<b>Cy</b>"])),
        st.tuples(st.just("post"), st.integers(0, 9), st.text(min_size=1, max_size=30)),
        st.tuples(st.just("edit"), st.integers(0, 19), st.text(min_size=1, max_size=30)),
        st.tuples(st.just("hide"), st.integers(0, 19), st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, 19), st.none()),
        st.tuples(st.just("rename"), st.integers(0, 2), st.sampled_from(["Window", "Door"])),
        # An activity of the built-in day by its place: it has six (modulo, should that change).
        st.tuples(st.just("go"), st.integers(0, 5), st.none()),
        st.tuples(st.just("vote"), st.integers(0, 19), st.integers(0, 9)),
        st.tuples(st.just("spotlight"), st.integers(0, 19), st.booleans()),
        st.tuples(st.just("timer"), st.integers(1, 30), st.booleans()),
    ),
    max_size=25,
)


class ReplayRoom:
    """A workshop in its table discussion with two people seated, and random actions on it."""

    def fresh_workshop(self):
        # Hypothesis runs many examples in one test: each starts from an empty workshop.
        self.facilitator = User.objects.get_or_create(email="f@example.com")[0]
        agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
        self.workshop = services.create_workshop(self.facilitator, "Replay", 3, agenda=agenda)
        self.activities = list(self.workshop.activities.all())
        # Start in the table discussion, where most generated actions are accepted.
        discussion = next(a for a in self.activities if a.kind == "discussion")
        self.workshop = services.go_to_activity(
            self.facilitator, self.workshop, discussion, self.activities[0].pk
        )
        self.tables = list(self.workshop.tables.order_by("number"))
        # Two people already seated, so that most generated posts are accepted.
        self.participants = [
            services.join(self.workshop, self.tables[0], "Dee"),
            services.join(self.workshop, self.tables[1], "Eli"),
        ]
        self.takeaways = []

    def audiences(self):
        return [live.Audience.projector(), live.Audience.console()] + [
            live.Audience.table(table.pk) for table in self.tables
        ]

    def act(self, action):
        kind, index, value = action
        try:
            if kind == "join":
                self.participants.append(services.join(self.workshop, self.tables[index], value))
            elif kind == "rename":
                services.rename_table(self.facilitator, self.tables[index], value)
            elif kind == "go":
                self.workshop.refresh_from_db()
                services.go_to_activity(
                    self.facilitator,
                    self.workshop,
                    self.activities[index % len(self.activities)],
                    self.workshop.current_activity_id,
                )
            elif kind == "timer":
                if value:
                    services.start_timer(self.facilitator, self.workshop, index)
                else:
                    services.pause_timer(self.facilitator, self.workshop)
            elif kind == "post" and self.participants:
                author = self.participants[index % len(self.participants)]
                self.takeaways.append(services.post_takeaway(author, value, uuid.uuid4()))
            elif self.takeaways:
                takeaway = self.takeaways[index % len(self.takeaways)]
                takeaway.refresh_from_db()
                if kind == "edit":
                    services.edit_takeaway(takeaway.author, takeaway, value)
                elif kind == "hide":
                    services.set_takeaway_hidden(self.facilitator, takeaway, value)
                elif kind == "delete":
                    services.delete_takeaway(takeaway.author, takeaway)
                elif kind == "vote":
                    voter = self.participants[value % len(self.participants)]
                    services.vote(voter, takeaway)
                elif kind == "spotlight":
                    self.workshop.refresh_from_db()
                    services.set_spotlight(
                        self.facilitator, self.workshop, takeaway if value else None
                    )
        except (services.Refused, services.NotAllowed):
            pass  # refused actions change nothing, which the comparison also checks
