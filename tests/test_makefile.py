"""`make` picks the Python that .python-version names, and says how to get one when it is old."""

import shutil
import subprocess

import pytest

from tests.server_process import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

# Answers --version as an old Python would, and fails make's version check like one.
OLD_PYTHON = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "Python 3.11.2"; exit 0; fi
exit 1
"""


def fake_python(path):
    path.write_text(OLD_PYTHON)
    path.chmod(0o755)
    return path


def make(*arguments, cwd=ROOT, path="/usr/bin:/bin"):
    return subprocess.run(
        ["make", *arguments],
        cwd=cwd,
        env={"PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_old_python_is_refused_with_the_ways_to_get_a_new_one(tmp_path):
    old = fake_python(tmp_path / "python3")
    venv = tmp_path / "venv"
    result = make(f"PYTHON={old}", f"VENV={venv}", f"{venv}/bin/python")
    assert result.returncode != 0
    assert f"Python 3.12 or newer is needed; {old} is Python 3.11.2." in result.stdout
    assert "uv python install 3.12" in result.stdout
    assert "pyenv install 3.12" in result.stdout
    assert "make test PYTHON=python3.12" in result.stdout
    assert not venv.exists()


def test_the_version_in_python_version_is_the_one_looked_for(tmp_path):
    assert (ROOT / ".python-version").read_text().strip() == "3.12"
    # A checkout whose .python-version names another version, with only that one on the PATH.
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / ".python-version").write_text("3.99\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wanted = fake_python(bin_dir / "python3.99")
    fake_python(bin_dir / "python3.13")
    result = make("-n", ".venv/bin/python", cwd=tmp_path, path=f"{bin_dir}:/usr/bin:/bin")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{wanted} -c"), result.stdout
