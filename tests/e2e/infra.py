"""PostgreSQL and the multi-worker Odoo server the end-to-end suite runs against."""

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2
from client import health

WORKER_RE = re.compile(r" Worker (WorkerHTTP|WorkerCron) \((\d+)\) alive")


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, interval=0.2):
    """Poll ``predicate`` until it is true; return the seconds waited or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(interval)
    return None


# ----------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------


class Cluster:
    """A PostgreSQL server the suite may stop and start."""

    host = "127.0.0.1"
    port = 5432
    user = pwd.getpwuid(os.getuid()).pw_name
    description = ""

    def connect(self, dbname, **kwargs):
        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname, **kwargs
        )

    def ready(self):
        try:
            self.connect("postgres", connect_timeout=2).close()
        except psycopg2.Error:
            return False
        return True

    def wait_ready(self, timeout=60):
        return wait_for(self.ready, timeout)

    def env(self):
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user}

    def stop(self):
        raise NotImplementedError

    def start(self):
        raise NotImplementedError

    def setup(self):
        pass

    def teardown(self):
        pass


def system_command(name):
    """A system tool, also found where root's tools live when PATH lacks them."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which(name, path=path) or name


def postgres_bindir():
    """Directory of initdb/pg_ctl: pg_config's, else the newest Debian one."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if os.path.exists(os.path.join(bindir, "initdb")):
            return bindir
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]),
    )
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class PrivateCluster(Cluster):
    """A throw-away cluster of our own: stopping it disturbs nobody else.

    Started with ``initdb`` in the work directory on a free port, as the
    ``postgres`` system user when we are root (PostgreSQL refuses to run as root).
    Durability settings are off: the cluster lives for one run.
    """

    def __init__(self, workdir, bindir):
        self.bindir = bindir
        self.root = os.path.join(workdir, "pg")
        self.datadir = os.path.join(self.root, "data")
        self.logfile = os.path.join(self.root, "postgres.log")
        self.port = free_port()
        self.run_as = "postgres" if os.getuid() == 0 else None
        self.description = f"private cluster {self.datadir} on port {self.port}"

    def _run(self, *command, check=True):
        command = [os.path.join(self.bindir, command[0]), *command[1:]]
        if self.run_as:
            command = [system_command("runuser"), "-u", self.run_as, "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, check=check, timeout=120
        )

    def setup(self):
        os.makedirs(self.root)
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            os.chmod(os.path.dirname(self.root), 0o711)
        self._run(
            "initdb",
            "-D",
            self.datadir,
            "-A",
            "trust",
            "-U",
            self.user,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.start()

    def start(self):
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        self._run(
            "pg_ctl",
            "-D",
            self.datadir,
            "-l",
            self.logfile,
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self):
        self._run("pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop")

    def teardown(self):
        if not os.path.exists(os.path.join(self.datadir, "PG_VERSION")):
            return  # the cluster was never created
        self._run(
            "pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop", check=False
        )


class SharedCluster(Cluster):
    """The machine's Debian cluster (``pg_ctlcluster``): other users see the outage."""

    def __init__(self, version, name="main"):
        self.version = version
        self.name = name
        self.host = os.environ.get("PGHOST", "127.0.0.1")
        self.port = int(os.environ.get("PGPORT", "5432"))
        self.user = os.environ.get("PGUSER", self.user)
        self.description = f"shared cluster {version}/{name} (pg_ctlcluster)"

    def _ctl(self, *args):
        command = [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            self.version,
            self.name,
            *args,
        ]
        if os.getuid() != 0:
            command = ["sudo", "-n", *command]
        subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)

    def stop(self):
        self._ctl("stop", "-m", "fast")

    def start(self):
        self._ctl("start")


def make_cluster(kind, workdir):
    """``private`` (default) or ``shared``; ``auto`` falls back to shared."""
    bindir = postgres_bindir()
    if kind in ("private", "auto") and bindir:
        return PrivateCluster(workdir, bindir)
    if kind == "private":
        raise RuntimeError("initdb/pg_ctl not found: cannot start a private cluster")
    versions = sorted(
        (
            os.path.basename(os.path.dirname(p))
            for p in glob.glob("/etc/postgresql/*/main")
        ),
        key=int,
    )
    if not versions:
        raise RuntimeError("no pg_ctlcluster cluster found to stop and start")
    return SharedCluster(versions[-1])


# ----------------------------------------------------------------------
# Odoo
# ----------------------------------------------------------------------


def odoo_config(
    path, database, addons_path, cluster, data_dir, preload=True, smtp=None
):
    """An Odoo configuration file for ``database`` on ``cluster``.

    ``smtp``: (host, port) of the outgoing mail server (Odoo's ``smtp_server``).

    ``preload=False`` leaves ``db_name`` empty: the HTTP workers still serve only
    ``database`` (``dbfilter``) and the cron worker works on the databases of the
    cluster, but the prefork master does not load a registry (see OdooServer).
    """
    with open(path, "w", encoding="utf-8") as conf:
        conf.write(
            "\n".join(
                [
                    "[options]",
                    f"addons_path = {addons_path}",
                    f"db_host = {cluster.host}",
                    f"db_port = {cluster.port}",
                    f"db_user = {cluster.user}",
                    f"db_name = {database if preload else ''}",
                    f"dbfilter = ^{database}$",
                    "list_db = False",
                    f"data_dir = {data_dir}",
                    "http_interface = 127.0.0.1",
                    *(
                        [f"smtp_server = {smtp[0]}", f"smtp_port = {smtp[1]}"]
                        if smtp
                        else []
                    ),
                    "",
                ]
            )
        )


class OdooServer:
    """``odoo`` in prefork mode: HTTP workers, one cron worker, a gevent process.

    By default the master does not preload the database (no ``-d``/``db_name``):
    with a preloaded registry, Odoo 19's prefork master opens a cursor before it
    respawns any worker (``PreforkServer.process_spawn``) and exits when that fails,
    so a worker dying during a database outage (the cron worker always does: its
    LISTEN connection breaks) takes the whole server down. ``preload=True`` keeps
    that behaviour, to show it.
    """

    def __init__(
        self, python, config, database, logfile, workers=3, preload=False, name="odoo"
    ):
        self.name = name
        self.python = python
        self.config = config
        self.database = database
        self.logfile = logfile
        self.workers = workers
        self.preload = preload
        self.port = free_port()
        self.gevent_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def command(self):
        return [
            self.python,
            "-m",
            "odoo",
            "-c",
            self.config,
            *(["-d", self.database] if self.preload else []),
            f"--workers={self.workers}",
            "--max-cron-threads=1",
            f"--http-port={self.port}",
            f"--gevent-port={self.gevent_port}",
            "--http-interface=127.0.0.1",
            "--limit-time-real=120",
            "--limit-time-cpu=90",
            "--limit-time-real-cron=300",
            "--log-level=info",
            f"--logfile={self.logfile}",
        ]

    def start(self, cluster, timeout=120):
        # Odoo reads PGHOST/PGPORT/PGUSER before its configuration file: set them
        env = dict(os.environ, **cluster.env())
        # changes of the scheduled action (made due through RPC) wake the cron worker
        env["ODOO_NOTIFY_CRON_CHANGES"] = "1"
        self.process = subprocess.Popen(
            self.command(),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        waited = wait_for(lambda: self.alive() and health(self.base_url), timeout, 0.5)
        if waited is None:
            raise RuntimeError(
                f"Odoo did not answer within {timeout}s (see {self.logfile})"
            )
        wait_for(lambda: len(self.worker_pids("WorkerCron")) >= 1, 30)
        self.warm_up()
        return waited

    def warm_up(self, rounds=5):
        """Let every HTTP worker load the registry before the load is measured.

        Without a preloaded master each worker loads it on its first request; a few
        rounds of parallel requests reach all of them.
        """
        for _ in range(rounds):
            with ThreadPoolExecutor(self.workers * 2) as pool:
                started = time.monotonic()
                list(
                    pool.map(
                        lambda _n: health(self.base_url, 60), range(self.workers * 2)
                    )
                )
            if time.monotonic() - started < 1.0:
                return

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def children(self):
        """Pids of the live processes whose parent is the server process."""
        pids = set()
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat, encoding="utf-8") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # after the command: state, ppid, ...; zombies are not alive
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.add(int(stat.split("/")[2]))
        return pids

    def log_lines(self):
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as log:
                return log.readlines()
        except OSError:
            return []

    def worker_pids(self, kind):
        """Live workers of a kind (``WorkerHTTP`` or ``WorkerCron``), oldest first.

        Workers announce themselves in the log; only children still alive count.
        """
        alive = self.children()
        pids = []
        for line in self.log_lines():
            match = WORKER_RE.search(line)
            if match and match.group(1) == kind and int(match.group(2)) in alive:
                pids.append(int(match.group(2)))
        return pids


class Fleet:
    """Several Odoo servers (nodes) on one database and one data directory, as a
    deployment that outgrew one server runs them behind a load balancer: the
    sessions are files of the shared data directory, so any node serves any
    session, and each node's cron worker takes the scheduled actions that are due
    (Odoo locks a job while it runs, so each runs on one node at a time)."""

    def __init__(self, nodes):
        self.nodes = list(nodes)

    @property
    def base_urls(self):
        return [node.base_url for node in self.nodes]

    def start(self, cluster):
        """Start every node; return the seconds the slowest took."""
        return max(node.start(cluster) for node in self.nodes)

    def stop(self):
        for node in self.nodes:
            node.stop()

    def alive(self):
        return all(node.alive() for node in self.nodes)

    def healthy(self):
        """Every node renders the login page."""
        return all(health(node.base_url) for node in self.nodes)

    def worker_pids(self, kind):
        return [pid for node in self.nodes for pid in node.worker_pids(kind)]

    def node_of(self, pid):
        return next(node for node in self.nodes if pid in node.children())

    def log_lines(self):
        return [line for node in self.nodes for line in node.log_lines()]
