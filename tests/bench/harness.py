"""In-process Odoo plumbing for the benchmarks: databases, cursors, meters, statistics.

Everything runs in one Python process with one registry per database, so figures of
different databases come from the same interpreter, the same PostgreSQL server and the
same minutes. Queries are counted with ``odoo.sql_db.sql_counter``, the process-wide
counter every ``Cursor.execute`` increments (the process has no other thread issuing
queries), so statements run by new cursors (HTTP requests, cron jobs) are counted too.
"""

import contextlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

import psycopg2

import odoo
from odoo import SUPERUSER_ID, api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import config


def load_config(conf_path, prefix, logfile):
    """Read the Odoo configuration written by scripts/bench; log to ``logfile``."""
    config.parse_config(
        ["-c", conf_path, "--log-level=warn", f"--logfile={logfile}"],
        setup_logging=True,
    )
    # every database of this run is reachable over HTTP (portal benchmark), none else
    config["dbfilter"] = f"^{re.escape(prefix)}_"
    config["db_name"] = []


# ----------------------------------------------------------------------------- databases


def _admin_connection():
    _db, info = sql_db.connection_info_for("postgres")
    cnx = psycopg2.connect(**info)
    cnx.autocommit = True
    return cnx


def release(db):
    """Forget the registry of ``db`` and close its pooled connections."""
    Registry.delete(db)
    sql_db.close_db(db)


def drop_db(db):
    release(db)
    with contextlib.closing(_admin_connection()) as cnx, cnx.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    shutil.rmtree(config.filestore(db), ignore_errors=True)


def copy_db(source, target):
    """``CREATE DATABASE target TEMPLATE source``, with the filestore.

    The copy is made file by file and followed by a checkpoint where the server allows
    it: PostgreSQL 15's default strategy writes the whole copy to the WAL, whose
    checkpoint would then land in the middle of the next measurement.
    """
    release(source)
    drop_db(target)
    with contextlib.closing(_admin_connection()) as cnx, cnx.cursor() as cur:
        strategy = " STRATEGY FILE_COPY" if cnx.server_version >= 150000 else ""
        cur.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"{strategy}')
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cur.fetchone()[0]:
            cur.execute("CHECKPOINT")
    if os.path.isdir(config.filestore(source)):
        shutil.copytree(config.filestore(source), config.filestore(target))


def list_dbs(prefix):
    with contextlib.closing(_admin_connection()) as cnx, cnx.cursor() as cur:
        cur.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [prefix.replace("_", r"\_") + r"\_%"],
        )
        return [row[0] for row in cur.fetchall()]


def install(conf_path, stages, logdir):
    """Create databases, each from an empty one or a copy of an earlier one.

    :param stages: list of ``{db: (source db or None, modules)}``; the databases of a
        stage are installed in parallel, the stages one after the other, so a later
        stage can start from a copy of an earlier database (Odoo's base module and
        helpdesk_mgmt are installed once, not in every database)
    :raise RuntimeError: with the log's tail when an installation fails
    """
    for stage in stages:
        procs = {}
        for db, (source, modules) in stage.items():
            if source:
                copy_db(source, db)
            else:
                drop_db(db)
            log = os.path.join(logdir, f"install-{db}.log")
            cmd = [sys.executable, "-m", "odoo", "-c", conf_path, "-d", db]
            cmd += ["-i", modules, "--stop-after-init", "--log-level=warn"]
            with open(log, "wb") as out:
                procs[db] = (
                    subprocess.Popen(
                        cmd,
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
        failed = []
        for db, (proc, log) in procs.items():
            if proc.wait():
                with open(log, encoding="utf-8", errors="replace") as f:
                    failed.append(f"{db}:\n" + "".join(f.readlines()[-40:]))
        if failed:
            raise RuntimeError("installing failed:\n" + "\n".join(failed))


@contextlib.contextmanager
def environment(db, uid=SUPERUSER_ID, context=None, su=None):
    """An environment on a new cursor of ``db``, committed when the block succeeds."""
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, dict(context or {}))
        if su is not None:
            env = env(su=su)
        yield env


def analyze(db):
    with environment(db) as env:
        env.cr.execute("ANALYZE")


# ----------------------------------------------------------------------------- meters


class Meter:
    """Wall-clock seconds and SQL queries of a block (``with Meter() as m``)."""

    seconds = 0.0
    queries = 0

    def __enter__(self):
        self._q0 = sql_db.sql_counter
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._t0
        self.queries = sql_db.sql_counter - self._q0
        return False


def median(values):
    return statistics.median(values) if values else 0.0


def mean(values):
    return statistics.fmean(values) if values else 0.0


def summary(values):
    """Median, mean, 10th/90th percentiles, min and max of a sample."""
    values = sorted(values)
    if not values:
        return {}
    deciles = statistics.quantiles(values, n=10) if len(values) > 1 else values * 9
    return {
        "n": len(values),
        "median": statistics.median(values),
        "mean": statistics.fmean(values),
        "p10": deciles[0],
        "p90": deciles[-1],
        "min": values[0],
        "max": values[-1],
    }


# ----------------------------------------------------------------------------- machine


def _cpu_model():
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _ram_gib():
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/meminfo", encoding="utf-8") as f,
    ):
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    return None


def machine(db):
    """What the figures were measured on."""
    with environment(db) as env:
        env.cr.execute("SHOW server_version")
        pg_version = env.cr.fetchone()[0]
        modules = env["ir.module.module"].search_read(
            [("state", "=", "installed"), ("name", "=like", "helpdesk%")],
            ["name", "installed_version"],
        )
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "postgresql": pg_version.split()[0],
        "odoo": odoo.release.version,
        "modules": {m["name"]: m["installed_version"] for m in modules},
        "load_average": os.getloadavg(),
    }
