"""make test's two passes side by side (tests/both_passes.py): either failing fails the run, and
each one's output is printed whole, never interleaved with the other's."""

import sys

from tests.both_passes import Pass, passes, run


def script(text: str) -> list[str]:
    return [sys.executable, "-c", text]


def test_the_run_fails_when_either_pass_fails_and_prints_each_whole(capfd):
    chatty = "print('one'); print('two', flush=True); print('three')"
    status = run([Pass("Fine", script(chatty)), Pass("Broken", script("print('x'); exit(3)"))])
    assert status == 3
    out = capfd.readouterr().out
    sections = {part.split(":")[0]: part for part in out.split("\n=== ")[1:]}
    assert sections.keys() == {"Fine", "Broken"}
    assert sections["Fine"].endswith(" s ===\none\ntwo\nthree\n")
    assert "x\n" in sections["Broken"]


def test_the_run_passes_only_when_both_pass():
    assert run([Pass("One", script("pass")), Pass("Two", script("pass"))]) == 0


def test_the_second_pass_is_the_services_one_without_the_browser_tests():
    embedded, services = passes(["-x"])
    assert embedded.command[1:] == ["-m", "pytest", "-x"]
    assert services.command[1] == "tests/with_services.py"
    assert "--ignore=tests/browser" in services.command
    assert services.command[-1] == "-x"
