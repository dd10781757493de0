"""Embedded mode serves a room from one process: a second one on the same data is refused."""

import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

from django.test import override_settings

from tests.server_process import ROOT, ServerProcess, free_port
from workshop import single_process

REFUSAL = "Another workshop server is already running"


def run(command, env):
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_second_server_on_the_same_data_folder_is_refused_with_an_explanation(tmp_path):
    first = ServerProcess(tmp_path).prepare().start()
    try:
        second = run(
            [sys.executable, "manage.py", "runworkshop", "--port", str(free_port())], first.env
        )
        assert second.returncode != 0
        assert REFUSAL in second.stderr
        assert str(tmp_path) in second.stderr
        assert f"process {first.process.pid}" in second.stderr
        assert "REDIS_URL" in second.stderr
        assert "Phones join at" not in second.stdout  # refused before it claimed anything

        # Daphne started by hand, as a deployment might, is held to the same rule.
        daphne = Path(sys.executable).with_name("daphne")
        by_hand = run(
            [str(daphne), "-b", "127.0.0.1", "-p", str(free_port()), "workshop.asgi:application"],
            first.env,
        )
        assert by_hand.returncode != 0
        assert REFUSAL in by_hand.stderr

        with urlopen(f"{first.url}/j/", timeout=10) as response:
            assert response.status == 200  # the first one carries on
    finally:
        first.stop()

    # Once it has stopped, however it stopped, the data folder is free again.
    again = ServerProcess(tmp_path).start()
    again.kill()
    ServerProcess(tmp_path).start().stop()


def test_with_redis_several_processes_may_share_a_data_folder():
    redis_layer = {"default": {"BACKEND": "workshop.channel_layer.LiveChannelLayer"}}
    with override_settings(CHANNEL_LAYERS=redis_layer):
        assert not single_process.applies()
    in_memory = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with override_settings(CHANNEL_LAYERS=in_memory):
        assert single_process.applies()
