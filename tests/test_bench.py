"""The benchmark's poll storm still speaks the app's language: the workshop bench/prepare.py
makes has an open poll the facilitator's go reaches, the answers the bench sends are taken (and
a refused one is told apart), the projector says how many answered in the words the bench looks
for, and the table reports the storm. (The figures themselves come from `make bench`.)"""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from workshop import live
from workshop.models import Workshop

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import prepare
import report
import scenarios

PROJECTOR = live.Audience.projector()


def sign_in(client, cookie: str):
    client.cookies.clear()
    name, _, value = cookie.partition("=")
    client.cookies[name] = value


@pytest.mark.django_db
def test_the_prepared_poll_is_reached_by_a_go_and_answered_as_the_bench_answers_it(client):
    setup = prepare.main(6, 0)
    workshop = Workshop.objects.get(pk=setup["workshop_id"])
    first, poll = setup["activities"][0]["pk"], setup["poll"]["activity"]
    question, options = setup["poll"]["question"], setup["poll"]["options"]
    assert [a["kind"] for a in setup["activities"]][-1] == "poll" and len(options) == 4
    sign_in(client, setup["facilitator_cookie"])
    go = client.post(
        f"/f/w/{workshop.pk}/go/{poll}/", {"seen": first}, headers={"HX-Request": "true"}
    )
    assert scenarios.ok(go.status_code)
    for n, phone in enumerate(setup["phones"]):
        sign_in(client, phone["cookie"])
        answer = client.post(
            f"/w/{workshop.code}/poll/{question}/",
            {"choices": options[n % 4]},
            headers={"HX-Request": "true"},
        )
        assert scenarios.answered_ok(answer.status_code, answer.content)
    workshop.refresh_from_db()
    frame = live.snapshot_html(PROJECTOR, workshop)
    tokens = scenarios.re.findall(scenarios.POLL_MARKER, frame)
    assert scenarios.answers_shown([[0, 1.0, tokens, []]], [0]) == {0: [(1.0, 6)]}

    sign_in(client, setup["facilitator_cookie"])
    client.post(f"/f/w/{workshop.pk}/go/{first}/", {"seen": poll}, headers={"HX-Request": "true"})
    sign_in(client, setup["phones"][0]["cookie"])
    late = client.post(
        f"/w/{workshop.code}/poll/{question}/",
        {"choices": options[1]},
        headers={"HX-Request": "true"},
    )
    assert not scenarios.answered_ok(late.status_code, late.content)  # closed once left


def test_an_answer_reaches_a_projector_once_it_counts_as_many_as_were_sent():
    sent = [1.0, 2.0, 3.0, 4.0]
    # Counts 1 at 1.5; then 3 at 3.5 (the second answer was late); never 4.
    shown = [(3.5, 3), (1.5, 1), (2.5, 1)]
    assert scenarios.reflected(sent, shown) == [1.5, 3.5, 3.5, None]


def test_the_report_has_the_poll_storm_and_its_verdict():
    storm = {
        "answers": 1000,
        "window_s": 20,
        "per_second": 50,
        "p50": 40.0,
        "p99": 600.0,
        "max": 900.0,
        "lost": 0,
        "failed_answers": 0,
        "busy_503": 2,
        "projectors": 3,
        "cpu_per_answer_ms": 9.0,
        "reconnects": 0,
    }
    results = {"app": {"poll_storm": storm, "poll_answer_1000": {"ms": 8.0}}}
    table = report.build(results, SimpleNamespace(phones=1000, rate=100), {})
    assert "quick poll storm: 1000 phones answer once in 20 s" in table
    assert "answer to a quick poll, 1000 phones answered" in table
    assert table.rstrip().endswith("**not met**.")
