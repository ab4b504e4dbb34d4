"""The daemons of a deployment, from Debian, each on a loopback port with a throw-away data directory:
PostgreSQL (saved queries), Redis (limits counted across instances) and nginx (the load balancer, from
the repo's deploy/nginx.conf). Each is a context manager (lmkg.bench.servers.running) that stops it after.

Missing packages are installed as `make system-deps` does; a test skips only when that fails."""
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from lmkg.bench.servers import answers, free_port, running

REPO = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = REPO / "deploy" / "nginx.conf"
NGINX_VARIABLES = "$LISTEN $INSTANCE_1 $INSTANCE_2 $INSTANCE_3"   # what envsubst replaces (README: Deployment)
SERVICE_USER = "postgres"   # PostgreSQL refuses to run as root: as root, it runs as this user


def postgres_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


COMMANDS = {   # command -> the Debian package that has it
    "postgres": ("postgresql", lambda: postgres_bin("postgres")),
    "redis-server": ("redis-server", lambda: shutil.which("redis-server")),
    "nginx": ("nginx", lambda: shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")),
}


def require(*commands: str) -> dict[str, str]:
    """The paths of these daemons, installed from Debian when missing; skips only if that fails."""
    missing = [COMMANDS[c][0] for c in commands if not COMMANDS[c][1]()]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for step in (["update", "-q"], ["install", "-y", "-q", "--no-install-recommends", *missing]):
            subprocess.run([*sudo, "apt-get", *step], env=env, capture_output=True, timeout=900, check=False)
    found = {c: COMMANDS[c][1]() for c in commands}
    absent = [COMMANDS[c][0] for c, path in found.items() if not path]
    if absent:
        pytest.skip(f"cannot install {', '.join(absent)} from Debian here (apt-get install failed)")
    return found


@contextlib.contextmanager
def scratch_dir(prefix: str, owner: str | None = None):
    """A directory under /tmp (not pytest's, which only root can enter), owned by `owner`; removed after."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        if owner:
            shutil.chown(folder, owner, owner)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_service_user(command: list[str]) -> list[str]:
    """The command as SERVICE_USER when we are root (setpriv execs: no extra process to stop)."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", f"--reuid={SERVICE_USER}", f"--regid={SERVICE_USER}", "--init-groups", *command]


@contextlib.contextmanager
def postgres_server():
    """A fresh PostgreSQL cluster (initdb into a scratch directory) on a loopback port, with a database
    `lmkg` whose owner `lmkg` logs in without a password from loopback; yields its URL."""
    import psycopg
    require("postgres")
    owner = SERVICE_USER if os.geteuid() == 0 else None
    with scratch_dir("lmkg-postgres-", owner) as folder:
        data, port = folder / "data", free_port()
        subprocess.run(as_service_user([postgres_bin("initdb"), "-D", str(data), "-U", "lmkg", "-A", "trust",
                                        "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        admin = f"postgresql://lmkg@127.0.0.1:{port}/postgres"

        def accepts() -> bool:
            try:
                psycopg.connect(admin, connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                return False

        command = as_service_user([postgres_bin("postgres"), "-D", str(data), "-p", str(port),
                                   "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}"])
        with running(command, accepts):
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute("CREATE DATABASE lmkg")
            yield f"postgresql://lmkg@127.0.0.1:{port}/lmkg"


@contextlib.contextmanager
def redis_server():
    """redis-server on a loopback port, keeping nothing on disk; yields its redis:// URL."""
    import redis
    paths = require("redis-server")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def pings() -> bool:
        try:
            return redis.Redis.from_url(url, socket_timeout=2).ping()
        except redis.RedisError:
            return False

    with scratch_dir("lmkg-redis-") as folder:
        command = [paths["redis-server"], "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(folder)]
        with running(command, pings):
            yield url


def render_nginx_config(listen: str, instances: list[str]) -> str:
    """deploy/nginx.conf with its variables filled in by envsubst, as the README does."""
    env = {**os.environ, "LISTEN": listen, **{f"INSTANCE_{n}": address for n, address in enumerate(instances, 1)}}
    return subprocess.run(["envsubst", NGINX_VARIABLES], input=NGINX_TEMPLATE.read_text(), env=env,
                          capture_output=True, text=True, check=True).stdout


@contextlib.contextmanager
def nginx_server(instances: list[str], port: int | None = None):
    """nginx from deploy/nginx.conf in front of `instances` (host:port each), with a scratch prefix; yields
    its base URL."""
    paths = require("nginx")
    port = port or free_port()
    with scratch_dir("lmkg-nginx-") as prefix:
        prefix.chmod(0o755)   # nginx's workers (nobody, when started as root) keep request bodies under it
        (prefix / "nginx.conf").write_text(render_nginx_config(f"127.0.0.1:{port}", instances))
        command = [paths["nginx"], "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", "stderr",
                   "-g", "daemon off;"]
        base = f"http://127.0.0.1:{port}"
        with running(command, lambda: answers(base + "/health")):
            yield base
