"""A real PostgreSQL server run from the distribution's binaries (no Docker)."""

from __future__ import annotations

import glob
import logging
import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

from resonance.devstack._util import tail

log = logging.getLogger(__name__)

PG_OS_USER = "postgres"
_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _version_key(bin_dir: str) -> int:
    match = re.search(r"/postgresql/(\d+)/bin", bin_dir)
    return int(match.group(1)) if match else 0


def _locate_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        # Debian puts only wrappers/symlinks on PATH; the real bin dir also holds pg_ctl/postgres.
        real = Path(initdb).resolve().parent
        if (real / "pg_ctl").exists() and (real / "postgres").exists():
            return real
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for cand in candidates:
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    return None


def find_pg_bin() -> Path:
    """Directory with initdb/pg_ctl/postgres; installs Debian's postgresql package if missing."""
    found = _locate_pg_bin()
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("PostgreSQL binaries not found; install the 'postgresql' package")
    log.warning("PostgreSQL binaries not found: installing the postgresql package with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], check=True, env=env
    )
    found = _locate_pg_bin()
    if not found:
        raise RuntimeError("apt-get installed postgresql but initdb is still not found")
    return found


def _ensure_os_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(PG_OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_OS_USER],
            check=True,
        )
        return pwd.getpwnam(PG_OS_USER)


def _make_traversable(directory: Path) -> None:
    """Grant others search (x, not read) on our own ancestors so the postgres user reaches the data.

    Temp dirs (mkdtemp, pytest's tmp_path) are 0700; without this initdb fails as postgres.
    """
    for parent in [directory, *directory.parents]:
        st = parent.stat()
        if st.st_uid == os.geteuid() and not st.st_mode & 0o001 and parent != Path("/"):
            log.info("chmod o+x %s so the %s user can reach its data dir", parent, PG_OS_USER)
            os.chmod(parent, st.st_mode | 0o001)


class LocalPostgres:
    """One PostgreSQL cluster on 127.0.0.1:`port`, data in `data_dir`, trust auth, user postgres.

    `fast=True` turns off fsync and friends: for throwaway test clusters only.
    """

    def __init__(self, data_dir: Path, port: int, fast: bool = False) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.port = port
        self.fast = fast
        self.log_path = self.data_dir / "postgres.log"
        self._bin: Path | None = None
        self._as_root = os.geteuid() == 0

    @property
    def bin_dir(self) -> Path:
        if self._bin is None:
            self._bin = find_pg_bin()
        return self._bin

    def _server_cmd(self, *args: str) -> list[str]:
        # postgres refuses to run as root: server-side tools run as the postgres OS user.
        if self._as_root:
            return ["runuser", "-u", PG_OS_USER, "--", *args]
        return list(args)

    def _run_server_tool(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        # cwd="/": the postgres user may not be allowed into the caller's working directory.
        return subprocess.run(
            self._server_cmd(*args), check=check, cwd="/", capture_output=True, text=True
        )

    def _prepare_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self._as_root:
            return
        user = _ensure_os_user()
        _make_traversable(self.data_dir.parent)
        os.chown(self.data_dir, user.pw_uid, user.pw_gid)
        os.chmod(self.data_dir, 0o700)
        probe = subprocess.run(
            ["runuser", "-u", PG_OS_USER, "--", "test", "-w", str(self.data_dir)], check=False
        )
        if probe.returncode != 0:
            raise RuntimeError(
                f"the {PG_OS_USER} OS user cannot reach {self.data_dir}: every parent directory "
                "needs o+x (choose a data dir outside /root, e.g. under the repo or /tmp)"
            )

    def _initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self._prepare_dir()
        log.warning("initdb %s", self.data_dir)
        # --no-locale: the C locale exists everywhere and is fastest for tests; encoding stays UTF8.
        args = [
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "--auth=trust",
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--no-locale",
        ]
        if self.fast:
            args.append("--no-sync")
        result = self._run_server_tool(*args, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stderr.strip()}")

    def _running_port(self) -> int | None:
        """Port of a postmaster already serving this data dir, if any."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return None
        status = self._run_server_tool(
            str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.data_dir), check=False
        )
        if status.returncode != 0:
            return None
        lines = pid_file.read_text().splitlines()
        return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None

    def start(self) -> None:
        """initdb if needed, then start (or reuse a server already running on this data dir)."""
        if (self.data_dir / "PG_VERSION").exists():
            self._prepare_dir()
        else:
            self._initdb()
        running = self._running_port()
        if running is not None:
            if running != self.port:
                raise RuntimeError(
                    f"PostgreSQL already runs on {self.data_dir} with port {running}, not {self.port}"
                )
            log.info("reusing PostgreSQL already running on %s", self.data_dir)
            return
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.data_dir}",
            "-c max_connections=200",
        ]
        if self.fast:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        result = self._run_server_tool(
            str(self.bin_dir / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-o",
            " ".join(options),
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"pg_ctl start failed ({result.returncode}): {result.stderr.strip()}\n"
                f"{tail(self.log_path)}"
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            ready = subprocess.run(
                [str(self.bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL not ready on {self.port}:\n{tail(self.log_path)}")
            time.sleep(0.2)

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run one SQL statement through psql (sync, safe to call inside an event loop)."""
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-tA",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                dbname,
                "-c",
                sql,
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()} (SQL: {sql})")
        return result.stdout.strip()

    @staticmethod
    def _check_name(name: str) -> str:
        if not _DB_NAME.match(name):
            raise ValueError(f"invalid database name {name!r}")
        return name

    def database_exists(self, name: str) -> bool:
        name = self._check_name(name)
        # name is checked against a strict identifier pattern above.
        return self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608

    def create_database(self, name: str) -> None:
        """Create the database if it does not exist (idempotent, tolerates concurrent callers)."""
        if self.database_exists(name):
            return
        try:
            self.psql(f'CREATE DATABASE "{name}"')
        except RuntimeError:
            if not self.database_exists(name):
                raise

    def drop_database(self, name: str) -> None:
        name = self._check_name(name)
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url(self, dbname: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{dbname}"

    def dsn(self, dbname: str) -> str:
        """Plain libpq/asyncpg DSN (asyncpg.connect does not accept the SQLAlchemy prefix)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        if self._running_port() is None:
            return
        self._run_server_tool(
            str(self.bin_dir / "pg_ctl"),
            "stop",
            "-w",
            "-m",
            "fast",
            "-D",
            str(self.data_dir),
            check=False,
        )
