"""Places for requests: a few at once, a short line, then "busy" at once."""

import asyncio

from workshop.admission import Places


async def test_a_request_beyond_the_places_waits_its_turn_briefly_then_goes_ahead():
    places = Places(size=1, patience=5)
    assert await places.take()
    waiting = asyncio.ensure_future(places.take())
    await asyncio.sleep(0)  # one turn of the loop, not a wait: the task is now in line
    assert not waiting.done()
    places.give_back()  # the place goes straight to the one in line
    assert await waiting
    assert places.taken == 1


async def test_the_line_is_as_long_as_the_places_and_no_longer():
    places = Places(size=2, patience=5)
    assert await places.take() and await places.take()
    line = [asyncio.ensure_future(places.take()) for _ in range(2)]
    await asyncio.sleep(0)  # one turn of the loop, not a wait: the task is now in line
    assert not await places.take()  # a fifth is refused at once
    for _ in line:
        places.give_back()
    assert await asyncio.gather(*line) == [True, True]


async def test_a_request_that_waited_long_enough_is_refused_and_leaves_the_line():
    places = Places(size=1, patience=0.01)
    assert await places.take()
    assert not await places.take()
    assert not places.line
    places.give_back()
    assert places.taken == 0
    assert await places.take()
