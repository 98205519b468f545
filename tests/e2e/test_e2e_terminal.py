"""The run as a person sees it: ``run all 200 rules`` in a real 80x24 terminal (tmux), the
screen captured while it runs and at the end (issue 12)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from e2e_support import cli_env, run_cli

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


def _screen(session: str) -> list[str]:
    """The visible screen, wrapped lines joined (so a line wider than the pane shows as one)."""
    out = subprocess.run(
        ["tmux", "capture-pane", "-p", "-J", "-t", session],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.splitlines()


def _width(line: str) -> int:
    from rich.cells import cell_len

    return cell_len(line.rstrip())


def test_run_all_200_rules_in_an_80x24_terminal(tmp_path: Path) -> None:
    if not shutil.which("tmux"):
        pytest.skip("tmux is not installed")
    assert run_cli(tmp_path, "seed").returncode == 0
    env = {k: v for k, v in cli_env(tmp_path).items() if k not in ("COLUMNS", "LINES", "TERM")}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k.isidentifier())
    command = (
        f"cd {shlex.quote(str(tmp_path))} && env -i {exports} TERM=xterm-256color "
        f"{shlex.quote(sys.executable)} -c 'from indiclass.cli import main; main()' "
        "run all 200 rules; echo EXIT=$?; sleep 600"
    )
    session = f"ic-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True
    )
    screens: list[list[str]] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            screen = _screen(session)
            screens.append(screen)
            if any(line.startswith("EXIT=") for line in screen):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the run did not end in 240 s:\n" + "\n".join(screens[-1]))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    final = screens[-1]
    text = "\n".join(final)
    assert "EXIT=0" in text, text
    bars = [line for s in screens for line in s if re.search(r"\b\d+/200\b", line)]
    assert bars, "no progress bar with the run's total was ever on screen"
    assert all("/200" in b for b in bars)  # one bar for the whole run, never a group's total
    for screen in screens:  # one bar at a time, never a stack of them
        assert sum(1 for line in screen if re.search(r"\b\d+/\d+\b", line)) <= 1, screen
    assert "🎉 Done: 200 classified, 0 failed" in text
    assert re.search(r"^family\s+indicators", text, re.M)  # the summary table
    assert "more: indiclass query --run" in text
    wide = [line for s in screens for line in s if _width(line) > 80]
    assert not wide, wide
    lines = [line for line in final if line.strip()]
    assert len(lines) <= 20, final  # a run of 200 is a screenful, not 145 lines
