"""Strict settings: a typo or an unsafe combination stops the server, saying what to fix."""

import ipaddress
import subprocess
import sys

import pytest

from tests.server_process import ROOT
from tests.test_deploy import PRODUCTION
from workshop import env


def manage_check(tmp_path, **environment):
    """`manage.py check` as a deployment runs it, with only the given settings."""
    base = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "s")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**base, **environment},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("environment", "names"),
    [
        ({"HTTPS": "ture"}, ["HTTPS: 'ture' is neither on nor off", "on, true, yes, 1"]),
        ({"DEBUG": "enabled"}, ["DEBUG: 'enabled'", "off, false, no, 0"]),
        ({"DATABASE_URL": "postgres//db/workshop"}, ["DATABASE_URL:", "postgres://USER:"]),
        ({"DATABASE_URL": "postgres://u:hunter2@db:54x2/w"}, ["port that is not a number"]),
        ({"REDIS_URL": "127.0.0.1:6379"}, ["REDIS_URL:", "redis://HOST:6379/0"]),
        ({"PUBLIC_URL": "workshops.example.com"}, ["PUBLIC_URL:", "https://workshops."]),
        ({"ALLOWED_HOSTS": "*"}, ["ALLOWED_HOSTS: a '*'", "List the host names"]),
        ({"DEBUG": "on", "ALLOWED_HOSTS": "workshops.example.com"}, ["DEBUG: on, with", "off"]),
        ({"DEBUG": "on", "PUBLIC_URL": "http://192.168.1.23:8000"}, ["DEBUG: on, with http://"]),
        ({"HTTPS": "on"}, ["HTTPS: on, but no TRUSTED_PROXIES", "127.0.0.1"]),
        ({"TRUSTED_PROXIES": "nginx"}, ["TRUSTED_PROXIES: 'nginx'", "CIDR"]),
        ({"MAX_PHONE_REQUESTS": "ten"}, ["MAX_PHONE_REQUESTS: 'ten' is not a whole number"]),
    ],
)
def test_a_bad_setting_refuses_to_start_with_one_line_that_says_what_to_fix(
    tmp_path, environment, names
):
    result = manage_check(tmp_path, **environment)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith("Refusing to start, a setting needs fixing.")
    assert len(message.splitlines()) == 1
    for name in names:
        assert name in message


def test_a_password_in_a_bad_database_url_is_not_printed(tmp_path):
    result = manage_check(tmp_path, DATABASE_URL="postgres://u:hunter2@db:54x2/w")
    assert result.returncode != 0
    assert "hunter2" not in result.stderr


def test_the_documented_production_settings_start(tmp_path):
    result = manage_check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_debug_on_this_machine_alone_starts(tmp_path):
    result = manage_check(tmp_path, DEBUG="on", PUBLIC_URL="http://localhost:8000")
    assert result.returncode == 0, result.stderr


# --- The helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["on", "ON", "true", "yes", "1", " on "])
def test_words_for_on(monkeypatch, word):
    monkeypatch.setenv("X", word)
    assert env.boolean("X") is True


@pytest.mark.parametrize("word", ["off", "False", "no", "0"])
def test_words_for_off(monkeypatch, word):
    monkeypatch.setenv("X", word)
    assert env.boolean("X", default=True) is False


def test_an_unset_or_empty_boolean_is_its_default(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    assert env.boolean("X", default=True) is True
    monkeypatch.setenv("X", "")
    assert env.boolean("X") is False


def test_a_public_url_loses_its_trailing_slash_and_keeps_its_port(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://workshops.example.com:8443/")
    assert env.public_url("PUBLIC_URL") == "https://workshops.example.com:8443"


@pytest.mark.parametrize(
    "url",
    ["https://workshops.example.com/app", "https://", "https://example.com:99999", "example.com"],
)
def test_a_public_url_with_a_path_no_host_or_a_bad_port_is_refused(monkeypatch, url):
    monkeypatch.setenv("PUBLIC_URL", url)
    with pytest.raises(env.SettingError, match="PUBLIC_URL"):
        env.public_url("PUBLIC_URL")


@pytest.mark.parametrize(
    "url", ["postgres://w:p@db:5432/workshop", "postgresql://db/workshop", "pgsql:///workshop"]
)
def test_postgresql_urls_are_accepted(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    assert env.database_url("DATABASE_URL") == url


@pytest.mark.parametrize("url", ["mysql://db/workshop", "postgres://db", "postgres://db:x/w"])
def test_urls_that_are_not_a_postgresql_database_are_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(env.SettingError, match="DATABASE_URL"):
        env.database_url("DATABASE_URL")


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://:pw@redis.internal/1"])
def test_redis_urls_are_accepted(monkeypatch, url):
    monkeypatch.setenv("REDIS_URL", url)
    assert env.redis_url("REDIS_URL") == url


@pytest.mark.parametrize("url", ["http://redis:6379", "redis://", "redis://redis:port/0"])
def test_urls_that_are_not_redis_are_refused(monkeypatch, url):
    monkeypatch.setenv("REDIS_URL", url)
    with pytest.raises(env.SettingError, match="REDIS_URL"):
        env.redis_url("REDIS_URL")


def test_trusted_proxies_are_addresses_and_ranges(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert env.networks("TRUSTED_PROXIES") == [
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("[::1]", True),
        ("app.localhost", True),
        ("192.168.1.23", False),
        ("laptop.local", False),
        (".example.com", False),
    ],
)
def test_which_hosts_are_this_machine_only(host, loopback):
    assert env.is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("value", "budget"), [("10,3", (10, 3.0)), ("30,0.5", (30, 0.5)), ("0", (0, 1.0))]
)
def test_a_budget_is_a_burst_and_a_pace(monkeypatch, value, budget):
    monkeypatch.setenv("POST_BUDGET", value)
    assert env.budget("POST_BUDGET", (1, 1)) == budget


@pytest.mark.parametrize("value", ["ten", "10,0", "-1,3", "10,abc"])
def test_a_budget_that_is_not_one_is_refused(monkeypatch, value):
    monkeypatch.setenv("POST_BUDGET", value)
    with pytest.raises(env.SettingError, match="POST_BUDGET"):
        env.budget("POST_BUDGET", (1, 1))
