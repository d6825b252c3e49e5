"""``hmi kiosk``: make this PC a line-side kiosk, and undo it.

``install`` (as root) creates a dedicated user that signs in by itself (LightDM where
installed), and in its home a systemd user service that runs the project on the touch
profile, restarts it when it ends (2 s, backing off to a minute on systemd 254 and later)
and counts its starts; a session autostart entry turns screen blanking off and starts the
service. ``remove`` takes all of it away again but keeps the user and its data. What was
made is listed in /etc/linea-hmi/kiosk.env, which a package purge reads too.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SERVICE = "linea-hmi.service"
RESTARTS_VARIABLE = "LINEA_HMI_RESTARTS"  # the file the service counts its starts in
RECORD = Path("/etc/linea-hmi/kiosk.env")
LIGHTDM = Path("/etc/lightdm/lightdm.conf.d/50-linea-hmi-kiosk.conf")
EXTRA_GROUPS = ("dialout", "video", "input")  # serial PLCs (Modbus RTU), cameras, touch


class KioskError(Exception):
    """The kiosk cannot be set up as asked; the message says why."""


@dataclass(frozen=True)
class Layout:
    """Where the kiosk's files go for ``user`` whose home is ``home``."""

    user: str
    home: Path

    @property
    def service(self) -> Path:
        return self.home / ".config" / "systemd" / "user" / SERVICE

    @property
    def autostart(self) -> Path:
        return self.home / ".config" / "autostart" / "linea-hmi.desktop"

    @property
    def restarts(self) -> Path:
        return self.home / ".local" / "state" / "linea-hmi" / "restarts.json"


def hmi_command() -> list[str]:
    """How this program is started again: the bundle's executable, the installed `hmi`
    script, or this Python with ``-m hmi``."""
    if getattr(sys, "frozen", False):
        return ["/usr/bin/hmi"] if Path("/usr/bin/hmi").is_file() else [sys.executable]
    found = shutil.which("hmi")
    return [found] if found else [sys.executable, "-m", "hmi"]


def service_text(layout: Layout, project: Path, screen: str | None = None) -> str:
    command = " ".join([*hmi_command(), "run", _quoted(str(project)), "--profile", "touch"])
    if screen:
        command += f" --screen {_quoted(screen)}"
    counter = " ".join([*hmi_command(), "kiosk", "count"])
    return f"""[Unit]
Description=Linea HMI kiosk ({project})
After=graphical-session.target
PartOf=graphical-session.target
StartLimitIntervalSec=0

[Service]
Environment={RESTARTS_VARIABLE}={layout.restarts}
ExecStartPre=-{counter}
ExecStart={command}
Restart=always
RestartSec=2
RestartSteps=6
RestartMaxDelaySec=60
TimeoutStopSec=20

[Install]
WantedBy=graphical-session.target
"""


def autostart_text() -> str:
    session = " ".join([*hmi_command(), "kiosk", "session"])
    return f"""[Desktop Entry]
Type=Application
Name=Linea HMI kiosk
Comment=Screen blanking off, then the Linea HMI service
Exec={session}
X-GNOME-Autostart-enabled=true
NoDisplay=true
"""


def _quoted(text: str) -> str:
    """A word for a systemd command line: quoted when it has spaces or quotes."""
    if text and not any(c in text for c in " \t\"'\\$%"):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$").replace("%", "%%")
    return f'"{escaped}"'


def count_start(path: Path | None = None, now: float | None = None) -> int:
    """One more start in the counter file; returns the starts counted so far."""
    where = path or Path(os.environ.get(RESTARTS_VARIABLE, "") or _default_counter())
    try:
        starts = int(json.loads(where.read_text())["starts"])
    except (OSError, ValueError, KeyError, TypeError):
        starts = 0
    starts += 1
    where.parent.mkdir(parents=True, exist_ok=True)
    temporary = where.with_suffix(".tmp")
    temporary.write_text(json.dumps({"starts": starts, "last": now or time.time()}))
    temporary.replace(where)
    return starts


def _default_counter() -> Path:
    return Layout(pwd.getpwuid(os.getuid()).pw_name, Path.home()).restarts


def session(run: bool = True) -> list[list[str]]:
    """The session's start: screen blanking off, the start counter back to zero, the
    display handed to the user's service manager, the service started. Returns the
    commands (run unless ``run`` is false); one that fails is reported, the rest run."""
    commands = []
    if os.environ.get("DISPLAY") and shutil.which("xset"):
        commands += [["xset", "s", "off"], ["xset", "-dpms"], ["xset", "s", "noblank"]]
    if shutil.which("gsettings"):  # GNOME, on X11 or Wayland: no blanking, no lock
        commands += [
            ["gsettings", "set", "org.gnome.desktop.session", "idle-delay", "0"],
            ["gsettings", "set", "org.gnome.desktop.screensaver", "lock-enabled", "false"],
        ]
    variables = ["DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"]
    commands.append(["systemctl", "--user", "import-environment", *variables])
    commands.append(["systemctl", "--user", "restart", SERVICE])
    if run:
        counter = Path(os.environ.get(RESTARTS_VARIABLE, "") or _default_counter())
        counter.unlink(missing_ok=True)
        for command in commands:
            try:
                subprocess.run(command, check=True, timeout=30)
            except (OSError, subprocess.SubprocessError) as error:
                print(f"kiosk session: {' '.join(command)} failed: {error}", file=sys.stderr)
    return commands


def install(
    project: Path, user: str = "linea", screen: str | None = None, root: Path = Path("/")
) -> list[Path]:
    """Set the kiosk up for ``project``; returns the files written. ``root`` other than
    / writes everything under it and creates no user (a dry run for inspection)."""
    real = root == Path("/")
    if real and os.geteuid() != 0:
        raise KioskError("installing the kiosk creates a user and system files: run it as root")
    project = project.resolve()
    if not (project / "project.yaml").is_file():
        raise KioskError(f"no project.yaml in {project}")
    home = _ensure_user(user) if real else root / "home" / user
    layout = Layout(user, home)
    written = {
        layout.service: service_text(layout, project, screen),
        layout.autostart: autostart_text(),
        _under(root, RECORD): (
            f"KIOSK_USER={user}\nKIOSK_HOME={home}\nKIOSK_PROJECT={_quoted(str(project))}\n"
        ),
    }
    if _under(root, LIGHTDM).parent.parent.is_dir():  # LightDM is installed
        autologin = f"[Seat:*]\nautologin-user={user}\nautologin-user-timeout=0\n"
        written[_under(root, LIGHTDM)] = autologin
    wants = layout.service.parent / "graphical-session.target.wants" / SERVICE
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    wants.parent.mkdir(parents=True, exist_ok=True)
    wants.unlink(missing_ok=True)
    wants.symlink_to(layout.service)
    if real:
        _give_to(user, home, [layout.service, layout.autostart, wants])
    return [*written, wants]


def remove(root: Path = Path("/")) -> list[Path]:
    """Undo ``install`` as the record says; the user and its data stay."""
    record = _under(root, RECORD)
    if not record.is_file():
        raise KioskError(f"no kiosk is set up here ({record} is missing)")
    values = dict(line.split("=", 1) for line in record.read_text().splitlines() if "=" in line)
    layout = Layout(values.get("KIOSK_USER", ""), Path(values.get("KIOSK_HOME", "/nonexistent")))
    wants = layout.service.parent / "graphical-session.target.wants" / SERVICE
    made = [wants, layout.service, layout.autostart, _under(root, LIGHTDM), record]
    gone = [path for path in made if path.is_file() or path.is_symlink()]
    for path in gone:
        path.unlink()
    return gone


def _under(root: Path, path: Path) -> Path:
    return root / path.relative_to("/")


def _ensure_user(user: str) -> Path:
    try:
        return Path(pwd.getpwnam(user).pw_dir)
    except KeyError:
        pass
    groups = [g for g in EXTRA_GROUPS if _group_exists(g)]
    command = ["useradd", "--create-home", "--shell", "/bin/bash", "--comment", "Linea HMI kiosk"]
    if groups:
        command += ["--groups", ",".join(groups)]
    try:
        subprocess.run([*command, user], check=True, capture_output=True, text=True, timeout=60)
    except subprocess.CalledProcessError as error:
        raise KioskError(f"could not create the user {user}: {error.stderr.strip()}") from error
    except OSError as error:
        raise KioskError(f"could not create the user {user}: {error}") from error
    return Path(pwd.getpwnam(user).pw_dir)


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def _give_to(user: str, home: Path, paths: list[Path]) -> None:
    """The user owns what was written in its home, folders included."""
    entry = pwd.getpwnam(user)
    for path in paths:
        for place in [path, *path.parents]:
            if place == home or home not in place.parents:
                break
            os.chown(place, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
