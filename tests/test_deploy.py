"""Production settings: `check --deploy` is clean behind HTTPS; embedded mode stays plain http."""

import secrets
import subprocess
import sys
from http.client import HTTPConnection

from tests.server_process import ROOT, ServerProcess

PRODUCTION = {
    "DEBUG": "off",
    "HTTPS": "on",
    "TRUSTED_PROXIES": "127.0.0.1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "workshops.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://workshops.example.com",
    "PUBLIC_URL": "https://workshops.example.com",
    "DATABASE_URL": "postgres://workshop:secret@db.internal:5432/workshop",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "s")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, **PRODUCTION},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def get(server, path, **headers):
    connection = HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers={"Host": "workshops.example.com", **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_behind_an_https_proxy_http_is_redirected_and_cookies_are_secure(tmp_path):
    settings = {
        k: PRODUCTION[k]
        for k in ("HTTPS", "TRUSTED_PROXIES", "SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_URL")
    }
    server = ServerProcess(tmp_path, **settings).prepare().start()
    try:
        plain = get(server, "/j/")
        assert plain.status == 301
        assert plain.getheader("Location") == "https://workshops.example.com/j/"

        secure = get(server, "/j/", **{"X-Forwarded-Proto": "https"})
        assert secure.status == 200
        hsts = secure.getheader("Strict-Transport-Security")
        assert hsts == "max-age=31536000; includeSubDomains; preload"
        cookies = secure.headers.get_all("Set-Cookie")
        assert cookies
        assert all("Secure" in cookie for cookie in cookies)
        assert "wss://workshops.example.com" in secure.getheader("Content-Security-Policy")
    finally:
        server.stop()


def test_a_client_that_is_not_the_trusted_proxy_cannot_claim_https(tmp_path):
    # The test connects from 127.0.0.1; the only trusted proxy is elsewhere.
    settings = {k: PRODUCTION[k] for k in ("HTTPS", "SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_URL")}
    server = ServerProcess(tmp_path, TRUSTED_PROXIES="10.0.0.1", **settings).prepare().start()
    try:
        claimed = get(server, "/j/", **{"X-Forwarded-Proto": "https"})
        assert claimed.status == 301
        assert claimed.getheader("Location") == "https://workshops.example.com/j/"
    finally:
        server.stop()


def test_embedded_mode_serves_plain_http_with_a_content_security_policy(client):
    response = client.get("/j/")
    assert response.status_code == 200  # no redirect to https on the venue's network
    assert "Strict-Transport-Security" not in response.headers
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


def test_livez_answers_without_a_session_or_the_database(client):
    # No database fixture: any query would fail this test.
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "Set-Cookie" not in response.headers
