"""The real ``pmobot console`` at its terminal edge: Ctrl-C, Ctrl-D, and a reader that goes away.

Each test runs the command in a subprocess, on a pseudo-terminal when the
person's terminal matters (readline, echo) and on pipes otherwise. Nothing
sleeps: every wait is a read of the console's output bounded by a deadline.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from pmobot.i18n import t

pytestmark = pytest.mark.slow

# Starting Python and migrating a fresh database can be slow on a loaded machine.
DEADLINE_SECONDS = 120.0
PROMPT = b"alice> "
BYE_FR = t("fr", "console.bye")
# The console greets alice by name once it is ready to read.
GREETED = b"Alice Martin"


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMOBOT_")}
    env.update(PMOBOT_DATABASE_URL=f"sqlite:///{folder}/console.db", PMOBOT_NOW="2026-11-26T09:00:00+00:00",
               PMOBOT_ADMINS="dan")
    return env


def _start(folder: Path, **streams: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pmobot", "console", "--demo"], cwd=folder, env=_env(folder),
                            **streams)  # type: ignore[call-overload]


def read_until(fd: int, marker: bytes, seen: bytearray) -> bool:
    """Read ``fd`` into ``seen`` until ``marker`` shows, the output ends, or the deadline passes."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while marker not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return False
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # a pseudo-terminal whose other side closed reads as EIO
            return False
        if not chunk:
            return False
        seen.extend(chunk)
    return True


def read_written(fd: int, seen: bytearray) -> None:
    """Read what an exited process left to read, without waiting for more."""
    while select.select([fd], [], [], 0)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        seen.extend(chunk)


def log_of(folder: Path) -> str:
    log = folder / "var" / "pmobot.log"
    return log.read_text() if log.exists() else ""


def _echo_and_line_editing(fd: int) -> tuple[bool, bool]:
    lflag = termios.tcgetattr(fd)[3]
    return bool(lflag & termios.ECHO), bool(lflag & termios.ICANON)


@pytest.fixture
def terminal(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The console on a pseudo-terminal: (process, the terminal's keyboard-and-screen side, its own side)."""
    keyboard, own = pty.openpty()
    assert _echo_and_line_editing(own) == (True, True)  # a fresh terminal echoes and edits lines
    process = _start(tmp_path, stdin=own, stdout=own, stderr=own)
    yield process, keyboard, own
    if process.poll() is None:
        process.kill()
        process.wait()
    os.close(keyboard)
    os.close(own)


@pytest.mark.parametrize("leave", ["ctrl-c", "ctrl-d", "/quit"])
def test_the_console_leaves_at_once_with_a_goodbye(terminal, tmp_path: Path, leave: str) -> None:  # type: ignore[no-untyped-def]
    process, keyboard, own = terminal
    screen = bytearray()
    assert read_until(keyboard, PROMPT, screen), screen.decode(errors="replace")
    if leave == "ctrl-c":
        process.send_signal(signal.SIGINT)  # what the terminal does on Ctrl-C
    elif leave == "ctrl-d":
        os.write(keyboard, b"\x04")  # Ctrl-D on an empty line: the end of input
    else:
        os.write(keyboard, b"/quit\r")
    assert read_until(keyboard, BYE_FR.encode(), screen), screen.decode(errors="replace")
    assert process.wait(timeout=DEADLINE_SECONDS) == 0
    read_written(keyboard, screen)
    text = screen.decode()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    # The goodbye stands on its own line, right under the prompt: not glued to it, no blank line.
    *_, prompt_line, last = text.replace("\r\n", "\n").rstrip().splitlines()
    assert (prompt_line.rstrip(), last) == ({"/quit": "alice> /quit"}.get(leave, "alice>"), BYE_FR)
    assert "Traceback" not in log_of(tmp_path)
    # The person's terminal is given back as it was: echo and line editing on.
    assert _echo_and_line_editing(own) == (True, True)


def test_ctrl_c_with_piped_input_ends_cleanly(tmp_path: Path) -> None:
    process = _start(tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(b"/who\n")
    process.stdin.flush()
    seen = bytearray()
    # The transcript echoes each line read: once seen, the console waits for the next.
    assert read_until(process.stdout.fileno(), b"> /who\n", seen), seen.decode(errors="replace")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=DEADLINE_SECONDS)
    transcript = (seen + out).decode()
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode() and "KeyboardInterrupt" not in err.decode(), err.decode()
    assert transcript.rstrip().splitlines()[-1] == BYE_FR
    assert "Traceback" not in log_of(tmp_path)


def test_a_reader_that_closes_early_stops_the_console_quietly(tmp_path: Path) -> None:
    """``pmobot console --demo < scenario.txt | head``: no traceback, on screen or in the log."""
    process = _start(tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    seen = bytearray()
    assert read_until(process.stdout.fileno(), GREETED, seen), seen.decode(errors="replace")
    process.stdout.close()  # the reader has read enough, like head
    scenario = "".join(f"{line}\n" for line in ["/who", "/pmo mine", "/as bob", "/pmo queue"] * 20)
    try:
        process.stdin.write(scenario.encode())
        process.stdin.close()
    except BrokenPipeError:  # the console already stopped reading: that is the point
        pass
    err = process.stderr.read().decode()
    assert process.wait(timeout=DEADLINE_SECONDS) == 0, err
    assert err == "", err
    log = log_of(tmp_path)
    assert "Traceback" not in log and "BrokenPipeError" not in log, log
