"""The production layout on loopback: two app instances (gunicorn on two ports, standing for two hosts)
behind Debian's nginx, round-robin, on one PostgreSQL and one Redis.

nginx includes ``deploy/nginx/pilotage-proxy.conf`` as it is, the file production uses; only the
outer frame (pid, logs, temp folders, a loopback port, no TLS) is written here. Used by
``tests/test_deploy_cluster.py`` and ``bench/soak.py``; free of pytest on purpose.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROXY_SNIPPET = REPO / "deploy" / "nginx" / "pilotage-proxy.conf"
NGINX = os.environ.get("PILOTAGE_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
# The same upstream options as deploy/nginx/pilotage.conf.
UPSTREAM_OPTIONS = "max_fails=1 fail_timeout=5s"
# Shared by both instances, as on two hosts: sessions and CSRF tokens signed by one are valid on the other.
SECRET_KEY = "loopback-cluster-secret-key-0123456789abcdef"
START_S = 120


class ClusterError(RuntimeError):
    """A part of the layout did not start."""


def nginx_available() -> bool:
    return Path(NGINX).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen | None, log: Path, seconds: float = START_S) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ClusterError(f"{log.name}: exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)  # polling a server's start
    raise ClusterError(f"{url} did not answer /healthz within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def gunicorn() -> str:
    """The gunicorn of the running interpreter's environment (the project's venv), else the one on PATH."""
    beside_python = Path(sys.executable).with_name("gunicorn")
    return str(beside_python) if beside_python.exists() else (shutil.which("gunicorn") or "gunicorn")


def stop(process: subprocess.Popen, seconds: float = 40) -> None:
    """SIGTERM: gunicorn closes its socket and lets running requests finish (graceful_timeout), as systemd does."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Instance:
    """One app host: gunicorn with gunicorn.conf.py on its own port and its own var folder."""

    def __init__(self, name: str, env: dict[str, str], folder: Path, workers: int):
        self.name, self.folder, self.workers = name, folder, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PILOTAGE_VAR_DIR": str(folder / f"var-{name}")}
        self.log = folder / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, wait: bool = True) -> None:
        command = [gunicorn(), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        if wait:
            wait_healthy(self.url, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def restart(self) -> None:
        self.stop()
        self.start()


class Proxy:
    """nginx in the foreground with a loopback frame around the production snippet."""

    def __init__(self, folder: Path, backends: list[Instance]):
        self.folder = folder / "nginx"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = self.folder / "access.log"
        self.log = self.folder / "error.log"
        self.backends = backends
        self.conf = self.folder / "nginx.conf"
        self.write_conf()
        self.process: subprocess.Popen | None = None

    def write_conf(self, down: frozenset[int] = frozenset()) -> None:
        """The loopback frame; backends whose port is in ``down`` are marked down (drained)."""
        servers = "\n".join(f"        server 127.0.0.1:{b.port} {UPSTREAM_OPTIONS}{' down' if b.port in down else ''};"
                            for b in self.backends)
        temp = "\n".join(f"    {kind}_temp_path {self.folder / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        self.conf.write_text(f"""daemon off;
worker_processes 1;
pid {self.folder / 'nginx.pid'};
error_log {self.log} warn;
{'user root;' if os.geteuid() == 0 else ''}
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$remote_addr "$request" $status upstream=$upstream_addr $request_time';
    access_log {self.access_log} upstream;
{temp}
    upstream pilotage {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{self.port};
        include {PROXY_SNIPPET};
    }}
}}
""")

    def reload(self, down: frozenset[int] = frozenset()) -> None:
        """New configuration, as `systemctl reload nginx`: old workers finish the requests they hold."""
        self.write_conf(down)
        self.process.send_signal(signal.SIGHUP)
        time.sleep(1.0)  # nginx starts its new workers asynchronously

    def start(self) -> None:
        test = subprocess.run([NGINX, "-t", "-q", "-c", str(self.conf), "-e", str(self.log)], capture_output=True,
                              text=True)
        if test.returncode:
            raise ClusterError(f"nginx refuses its configuration: {test.stderr}")
        self.process = subprocess.Popen([NGINX, "-c", str(self.conf), "-e", str(self.log)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.url, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, 10)

    def upstreams(self) -> list[str]:
        """The instance ("127.0.0.1:PORT") that served each request, in order."""
        return [line.rsplit("upstream=", 1)[1].split()[0] for line in self.access_log.read_text().splitlines()
                if "upstream=" in line]


class Cluster:
    def __init__(self, a: Instance, b: Instance, proxy: Proxy):
        self.a, self.b, self.proxy = a, b, proxy

    def rolling_restart(self, instance: Instance) -> None:
        """A planned restart as docs/deployment.md describes it: mark the host down in nginx and reload,
        restart it (running requests finish), then put it back. Stopping an instance that still gets new
        connections resets the ones queued in its socket, and nginx cannot replay those POSTs."""
        self.proxy.reload(down=frozenset({instance.port}))
        instance.restart()
        self.proxy.reload()


def instance_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SECRET_KEY")}
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY=SECRET_KEY, PILOTAGE_ENV="demo",
               PILOTAGE_TRUSTED_PROXIES="1", PILOTAGE_LOG_LEVEL="warning", PILOTAGE_THREADS="4")
    return env


@contextlib.contextmanager
def cluster(database_url: str, redis_url: str, folder: Path, workers: int = 2):
    """Two instances and the proxy, started and (whatever happens) stopped."""
    if not nginx_available():
        raise ClusterError(f"{NGINX} is missing: install Debian's nginx (`apt-get install -y nginx-light`)")
    env = instance_env(database_url, redis_url)
    a, b = Instance("a", env, folder, workers), Instance("b", env, folder, workers)
    proxy = Proxy(folder, [a, b])
    try:
        a.start(wait=False)
        b.start(wait=False)
        wait_healthy(a.url, a.process, a.log)
        wait_healthy(b.url, b.process, b.log)
        proxy.start()
        yield Cluster(a, b, proxy)
    finally:
        proxy.stop()
        a.stop()
        b.stop()
