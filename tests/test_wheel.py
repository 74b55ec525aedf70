"""The package as docs/deployment.md installs it: ``pip install .`` builds a wheel.

CI otherwise installs the project editable, which reads every file from the source tree and so
cannot notice a file the wheel leaves out (the translation catalogues were left out once, and
the installed CLI then raised instead of printing its message). Here a wheel is built from a
copy of the sources, installed into a fresh virtualenv outside the source tree and run from a
directory where the source ``workshop/`` is not importable.

The fresh virtualenv has no pip and no dependencies of its own: a ``.pth`` file puts the test
run's site-packages on its path (a directory named in a ``.pth`` file is added to ``sys.path``,
but *its* ``.pth`` files are not run, so the editable install of the sources stays off), and
pip installs only the wheel into it. Building the wheel needs setuptools from the package
index (``pip wheel`` uses build isolation exactly like ``pip install .``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from workshop.accounts.users import MIN_PASSWORD_CHARS
from workshop.i18n import translate

ROOT = Path(__file__).resolve().parent.parent

# one worker builds and installs once (the fixture is per module, so per xdist worker)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    workdir: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"} and not key.startswith("LC_")
        }
        env["PATH"] = f"{self.bin}{os.pathsep}/usr/bin:/bin"
        env["LANG"] = "da_DK.UTF-8"
        env["SAMSKAB_DB_PATH"] = str(self.workdir / "samskab.db")
        env.update(extra)
        return env

    def run(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env=self.env(**env),
            timeout=120,
        )


def _package_files(root: Path) -> set[str]:
    """Every file of the package a running app may read, relative to the project root."""
    return {
        path.relative_to(root).as_posix()
        for path in (root / "workshop").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "workshop", source / "workshop", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
        cwd=base,
        timeout=600,
    )
    (wheel,) = dist.glob("samskab-*.whl")

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "test-run-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--no-index",
            # the editable install of the sources is on the path too: never mind it
            "--ignore-installed",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        timeout=300,
    )
    workdir = base / "run"
    workdir.mkdir()
    return Installed(wheel, venv, workdir)


def test_the_wheel_holds_every_file_of_the_package(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        shipped = set(archive.namelist())
    missing = sorted(_package_files(ROOT) - shipped)
    assert not missing, f"left out of the wheel: {missing}"
    assert any(name.startswith("workshop/i18n/da/") for name in shipped)


def test_the_installed_package_is_the_wheel_not_the_sources(installed: Installed) -> None:
    found = installed.run("python", "-c", "import workshop; print(workshop.__file__)")
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).is_relative_to(installed.venv)


def test_the_installed_cli_creates_a_user(installed: Installed) -> None:
    done = installed.run(
        "samskab",
        "create-user",
        "--role",
        "admin",
        "--username",
        "anna",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert done.returncode == 0, done.stderr
    assert "anna" in done.stdout


def test_the_installed_cli_refuses_a_short_password_in_danish(installed: Installed) -> None:
    refused = installed.run(
        "samskab",
        "create-user",
        "--role",
        "admin",
        "--username",
        "bodil",
        "--password-stdin",
        stdin="kort\n",
    )
    assert refused.returncode == 2, refused.stderr
    expected = translate("da", "error.account.password_short", min=MIN_PASSWORD_CHARS)
    assert refused.stderr.strip() == expected
    assert "Traceback" not in refused.stderr


def test_the_installed_cli_says_in_danish_that_a_backup_is_missing(installed: Installed) -> None:
    missing = installed.workdir / "findes-ikke.db"
    refused = installed.run("samskab", "restore", str(missing), "--yes")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip() == translate("da", "error.backup.missing", path=str(missing))
    # and in English for an administrator whose locale is English
    english = installed.run("samskab", "restore", str(missing), "--yes", LANG="en_GB.UTF-8")
    assert english.stderr.strip() == translate("en", "error.backup.missing", path=str(missing))
