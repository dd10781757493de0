"""Screens fed by what `broadcast` sends end up showing exactly what the database holds.

Every audience starts from its page (a snapshot). Each change's one channel-layer message is
captured as it is sent and handed to every screen as its server process would hand it
(workshop.live.fanout.texts_for): in order — then no screen ever needs to catch up — or with
messages lost, two swapped, a screen dropping and reconnecting with ?after=; and, handed out
while the room keeps changing, with messages arriving late or after a heartbeat. Screens follow
live.js's rule (tests/live_dom.py): apply a message that follows what they hold, ignore old
news, catch up at once on a gap or behind a heartbeat. At the end each gets the heartbeat its
process sends, and every screen must equal a fresh snapshot, element for element.
"""

import json

from channels.layers import InMemoryChannelLayer
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.live_dom import Document, Screen
from tests.replay_room import ReplayRoom, actions, property_test
from workshop import live
from workshop.live import envelope, fanout


class RecordingLayer(InMemoryChannelLayer):
    """The in-memory layer, keeping every message sent to a workshop for the test to hand out."""

    sent: list = []

    async def group_send(self, group, message):
        RecordingLayer.sent.append(message)
        await super().group_send(group, message)


faults = st.lists(st.sampled_from(["deliver", "drop", "swap", "reconnect"]), max_size=80)
# While the room keeps changing: a message may also arrive long after later ones ("late"), or
# after a heartbeat that already told the screen of it.
live_faults = st.lists(
    st.sampled_from(["deliver", "drop", "late", "reconnect", "heartbeat"]), max_size=80
)


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "tests.test_live_replay.RecordingLayer"}})
@property_test
class LiveScreensEqualTheDatabase(ReplayRoom, TestCase):
    def start_screens(self) -> dict:
        live.cache.clear()
        RecordingLayer.sent.clear()
        return {
            audience: Screen(
                lambda after, audience=audience: live.catch_up(audience, self.workshop.pk, after)
            )
            for audience in self.audiences()
        }

    def run_actions(self, steps) -> list[dict]:
        """Each action committed, as a request commits it; the messages its broadcast sent."""
        for step in steps:
            with self.captureOnCommitCallbacks(execute=True):
                self.act(step)
        sent, RecordingLayer.sent[:] = list(RecordingLayer.sent), []
        return sent

    def deliveries(self, sent, screens) -> list[tuple[live.Audience, str]]:
        by_key = {audience.key: audience for audience in screens}
        return [
            (by_key[key], text)
            for message in sent
            for key, _revision, text in fanout.texts_for(message, set(by_key))
        ]

    def assert_screens_equal_the_database(self, screens) -> None:
        for audience, screen in screens.items():
            # The heartbeat the screen's process sends it: the revision it should hold.
            screen.receive(
                envelope.heartbeat(live.Position.load(audience, self.workshop.pk).revision)
            )
            fresh = json.loads(live.catch_up(audience, self.workshop.pk, None))["content"]
            assert screen.document.html() == Document(fresh).html(), audience

    @given(steps=actions)
    def test_every_message_in_order_keeps_every_screen_exact(self, steps):
        self.fresh_workshop()
        screens = self.start_screens()
        for audience, text in self.deliveries(self.run_actions(steps), screens):
            screens[audience].receive(text)
        for audience, screen in screens.items():
            assert screen.catch_ups == 0, f"{audience} saw a gap although nothing was lost"
        self.assert_screens_equal_the_database(screens)

    @given(steps=actions, faults=faults)
    def test_lost_swapped_and_reconnecting_screens_still_end_exact(self, steps, faults):
        self.fresh_workshop()
        screens = self.start_screens()
        deliveries = self.deliveries(self.run_actions(steps), screens)
        held_back: dict = {}
        for n, (audience, text) in enumerate(deliveries):
            fault = faults[n] if n < len(faults) else "deliver"
            screen = screens[audience]
            if fault == "drop":
                continue  # a doorbell that never rang
            if fault == "reconnect":
                screen.caught_up()  # the socket dropped and came back with ?after=
                continue
            if fault == "swap" and audience not in held_back:
                held_back[audience] = text  # overtaken by the next message
                continue
            screen.receive(text)
            if audience in held_back:
                screen.receive(held_back.pop(audience))
        for audience, text in held_back.items():
            screens[audience].receive(text)
        self.assert_screens_equal_the_database(screens)

    @given(steps=actions, faults=live_faults)
    def test_screens_fed_while_the_room_changes_end_exact_whatever_is_lost_or_late(
        self, steps, faults
    ):
        # Each action's messages are handed out before the next action commits, so a screen
        # that reconnects or catches up reaches a revision in the middle, and must go on from
        # there with what follows.
        self.fresh_workshop()
        screens = self.start_screens()
        late = []
        fault_of = iter(faults)
        for step in steps:
            for audience, text in self.deliveries(self.run_actions([step]), screens):
                fault = next(fault_of, "deliver")
                screen = screens[audience]
                if fault == "drop":
                    continue
                if fault == "late":
                    late.append((audience, text))
                    continue
                if fault == "reconnect":
                    screen.caught_up()  # the socket dropped (losing this one) and came back
                    continue
                if fault == "heartbeat":  # the heartbeat read the database before this arrived
                    position = live.Position.load(audience, self.workshop.pk)
                    screen.receive(envelope.heartbeat(position.revision))
                screen.receive(text)
        for audience, text in late:
            screens[audience].receive(text)
        self.assert_screens_equal_the_database(screens)
