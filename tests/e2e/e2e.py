"""End-to-end reliability suite: a real multi-worker Odoo under load and faults.

Run through ``scripts/e2e`` (which prepares the venv and the addons path)::

    scripts/e2e [--duration 90] [--customers 24] [--nodes 2] [--workers 2]
                [--pg private|shared]

Steps: a PostgreSQL cluster of its own (``--pg private``, the default, so stopping it
disturbs nobody; ``--pg shared`` stops the machine's cluster with ``pg_ctlcluster``),
a real SMTP server (``smtp_sink.py``) as Odoo's outgoing mail server, a throw-away
database with hotrush_priority and its demo data, the fixture of ``fixture.py``, then
two Odoo servers (nodes) on that database and one data directory, each
``odoo --workers=N --max-cron-threads=1`` on ports of its own. Portal customers and
agents load both (their requests take turns between the nodes) while the suite kills
an HTTP worker, kills the cron worker in the middle of a large batch, makes the SMTP
server refuse connections and stops PostgreSQL; then the races; then the invariants
of ``checks.py``, among them what the SMTP server received. Prints a summary and exits
non-zero on any failure, printing the log entries that made it fail and keeping the
servers' logs.
"""

import argparse
import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import checks
import logscan
from client import PortalClient, health
from infra import (
    Fleet,
    OdooServer,
    SharedCluster,
    make_cluster,
    odoo_config,
    wait_for,
)
from logscan import log_entries
from scenario import Run
from smtp_sink import SmtpSink
from tickets_sql import TICKETS

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PAUSE_BETWEEN_FAULTS = 10.0
# How long the end waits for the e-mails still queued (retries after the refusal)
MAIL_QUEUE_WAIT = 240.0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument(
        "--duration",
        type=float,
        default=90.0,
        help="minimum seconds of load (at least 60); the load also lasts until the "
        "faults are over",
    )
    parser.add_argument("--customers", type=int, default=24)
    parser.add_argument(
        "--nodes",
        type=int,
        default=2,
        help="Odoo servers on the one database and data directory",
    )
    parser.add_argument("--workers", type=int, default=2, help="HTTP workers per node")
    parser.add_argument(
        "--batch",
        type=int,
        default=300,
        help="breached tickets the interrupted SLA run works on",
    )
    parser.add_argument(
        "--pg",
        choices=["private", "shared", "auto"],
        default="auto",
        help="private: a cluster of our own (initdb); shared: the machine's cluster "
        "(pg_ctlcluster), stopped for the outage; auto: private when initdb exists",
    )
    parser.add_argument("--pg-outage", type=float, default=5.0)
    parser.add_argument(
        "--smtp-refusal",
        type=float,
        default=8.0,
        help="seconds the SMTP server refuses connections",
    )
    parser.add_argument(
        "--preload",
        action="store_true",
        help="start Odoo with -d DB (registry preloaded in the master): shows that "
        "the master then exits during a database outage",
    )
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the work directory (logs, database) afterwards",
    )
    parser.add_argument("--report", help="also write the summary as JSON here")
    parser.add_argument(
        "--log-dir",
        default=os.path.join(REPO, "e2e-logs"),
        help="where the servers' logs are kept when the suite fails",
    )
    args = parser.parse_args(argv)
    if args.duration < 60:
        parser.error("--duration must be at least 60 seconds")
    if args.customers < 20:
        parser.error("--customers must be at least 20")
    if args.workers < 2:
        parser.error("--workers must be at least 2")
    if args.nodes < 1:
        parser.error("--nodes must be at least 1")
    return args


class Suite:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.failures = []
        self.workdir = tempfile.mkdtemp(prefix="hotrush_e2e.")
        self.database = f"hotrush_e2e_{int(time.time())}_{os.getpid()}"
        self.cluster = make_cluster(args.pg, self.workdir)
        self.smtp = SmtpSink()
        self.config = os.path.join(self.workdir, "odoo.conf")
        self.server = None
        self.run = None
        self.fixture = None
        self.results = []
        self.races = []

    def say(self, text):
        print(f"[{time.monotonic() - self.t0:6.1f}s] {text}", flush=True)

    def odoo(self, *args, log):
        """Run an Odoo command (or script) of the venv against our cluster."""
        env = dict(os.environ, **self.cluster.env())
        with open(log, "w", encoding="utf-8") as out:
            done = subprocess.run(
                [sys.executable, *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=1200,
            )
        if done.returncode:
            with open(log, encoding="utf-8", errors="replace") as out:
                print("".join(out.readlines()[-40:]), file=sys.stderr)
            raise RuntimeError(f"{args[:3]} failed (log: {log})")

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------

    def prepare(self):
        self.say(f"PostgreSQL: {self.cluster.description}")
        self.cluster.setup()
        if self.cluster.wait_ready(60) is None:
            raise RuntimeError("PostgreSQL is not answering")
        self.smtp.start()
        self.say(f"outgoing mail server: {self.smtp.description}")
        smtp = (self.smtp.host, self.smtp.port)
        data_dir = os.path.join(self.workdir, "data")
        odoo_config(
            self.config,
            self.database,
            self.args.addons_path,
            self.cluster,
            data_dir,
            smtp=smtp,
        )
        self.say(f"installing hotrush_priority with demo data in {self.database}")
        self.odoo(
            *("-m", "odoo", "-c", self.config, "-d", self.database),
            *("-i", "hotrush_priority", "--with-demo", "--stop-after-init"),
            "--log-level=warn",
            log=os.path.join(self.workdir, "install.log"),
        )
        self.say(
            f"fixture: {self.args.customers} portal customers with balances, "
            f"agents, race tickets, a batch of {self.args.batch} breached tickets"
        )
        fixture_path = os.path.join(self.workdir, "fixture.json")
        self.odoo(
            os.path.join(HERE, "fixture.py"),
            *("-c", self.config, "-d", self.database, "--out", fixture_path),
            *("--customers", str(self.args.customers)),
            *("--batch", str(self.args.batch)),
            log=os.path.join(self.workdir, "fixture.log"),
        )
        with open(fixture_path, encoding="utf-8") as data:
            self.fixture = json.load(data)
        server_config = os.path.join(self.workdir, "server.conf")
        preload = self.args.preload or isinstance(self.cluster, SharedCluster)
        odoo_config(
            server_config,
            self.database,
            self.args.addons_path,
            self.cluster,
            data_dir,
            preload=preload,
            smtp=smtp,
        )
        self.server = Fleet(
            OdooServer(
                sys.executable,
                server_config,
                self.database,
                os.path.join(self.workdir, f"odoo-node{n}.log"),
                workers=self.args.workers,
                preload=preload,
                name=f"node{n}",
            )
            for n in range(1, self.args.nodes + 1)
        )
        waited = self.server.start(self.cluster)
        for node in self.server.nodes:
            self.say(
                f"Odoo {node.name} serving {node.base_url} after {waited:.1f}s: "
                f"{node.workers} HTTP workers {node.worker_pids('WorkerHTTP')}, "
                f"cron worker {node.worker_pids('WorkerCron')}"
                + (", registry preloaded by the master" if node.preload else "")
            )

    def load_and_faults(self):
        run = self.run = Run(
            self.server,
            self.cluster,
            self.fixture,
            self.database,
            self.args.seed,
            self.say,
            smtp=self.smtp,
        )
        duration = self.args.duration
        self.say(
            f"load: {len(self.fixture['customers'])} portal customers, "
            f"{len(self.fixture['agents'])} agents, the admin making the SLA action "
            f"due every 10 s, for at least {duration:.0f} s"
        )
        ((self.load_started_at,),) = run.sql("SELECT now() AT TIME ZONE 'UTC'")
        run.start_load()
        plan = [
            (0.2, run.fault_kill_http_worker),
            (0.3, run.fault_interrupt_cron),
            (0.5, lambda: run.fault_smtp_refusal(self.args.smtp_refusal)),
            (0.7, lambda: run.fault_postgres_outage(self.args.pg_outage)),
        ]
        earliest = run.load_start
        for at, inject in plan:
            start = max(run.load_start + at * duration, earliest)
            time.sleep(max(0.0, start - time.time()))
            if not self.server.alive():
                self.say("the Odoo server process has exited: no further faults")
                break
            fault = inject()
            self.say(
                f"fault: {fault.name}: {'; '.join(fault.facts)}; recovery "
                + ", ".join(f"{k} {_secs(v)}" for k, v in fault.recovery.items())
            )
            earliest = time.time() + PAUSE_BETWEEN_FAULTS
        end = max(run.load_start + duration, earliest)
        time.sleep(max(0.0, end - time.time()))
        run.stop_load()
        self.say(f"load stopped after {run.load_end - run.load_start:.0f} s")

    def wait_for_due_notices(self):
        """Until the exact-time tickets' last due moment has passed and its notices
        came, or could no longer come in time (HR-85)."""
        ids = self.fixture["exact"]["ticket_ids"]
        started = time.monotonic()
        while True:
            passed, pending = self.run.sql(
                f"""SELECT bool_and(GREATEST(t.hotrush_queued_until,
                                            t.hotrush_deadline + interval '1 second')
                                   < (now() AT TIME ZONE 'UTC')),
                          count(*) FILTER (WHERE t.hotrush_escalated_at IS NULL
                              OR (t.hotrush_queued_until IS NOT NULL
                                  AND t.hotrush_opening_notified_at IS NULL))
                     FROM {TICKETS} t WHERE t.id = ANY(%s)""",
                (ids,),
            )[0]
            waited = time.monotonic() - started
            if (passed and not pending) or waited > checks.DUE_MAX_SECONDS + 120:
                break
            time.sleep(2)
        self.say(f"exact-time tickets: waited {waited:.0f} s for their last notices")

    def races_and_checks(self):
        run = self.run
        for name, race in (
            ("withdraw vs close of the same ticket", run.race_withdraw_close),
            ("two tickets drawing the last credit", run.race_last_credit),
            ("first charges of a customer without credit", run.race_first_charges),
            ("a double click on the new-ticket form", run.race_double_submit),
        ):
            report, problems = race()
            self.races.append((name, report, problems))
            self.say(f"race: {name}: {'ok' if not problems else 'FAILED'}")
        # serves again without repair: a fresh customer session works end to end
        spec = self.fixture["customers"][-1]
        client = PortalClient(
            self.server.base_urls,
            run.recorder,
            "final-check",
            spec["login"],
            spec["password"],
        )
        served = (
            all(health(url) for url in self.server.base_urls)
            and client.login()
            and client.my_tickets() is not None
            and client.my_tickets() is not None  # the session on the next node
        )
        if not served:
            self.failures.append("the server does not serve a fresh portal session")
        self.say(
            f"final check: a fresh portal session {'works' if served else 'FAILS'}"
        )
        self.wait_for_due_notices()
        self.wait_for_mail_queue()
        records = run.recorder.snapshot()
        submits = [r for r in records if r.label == "portal_submit_ticket"]
        ok_submits = sum(r.outcome == "ok" for r in submits)
        uncertain = sum(r.outcome == "error" for r in submits)
        self.results = checks.run_all(
            run.sql,
            self.fixture,
            ok_submits,
            uncertain,
            self.load_started_at,
            run.mails,
            smtp=(
                self.smtp.snapshot(),
                run.commit_cut_windows(),
                self.smtp.refusals,
            ),
        )

    def wait_for_mail_queue(self):
        """Until Odoo's mail queue holds no e-mail still to send (those the SMTP
        server's refusal sent back to it are due a minute or two later)."""

        def queued():
            return self.run.sql(
                "SELECT count(*) FROM mail_mail WHERE state = 'outgoing'"
            )[0][0]

        waited = wait_for(lambda: not queued(), MAIL_QUEUE_WAIT, 2.0)
        self.say(
            f"mail queue: empty after {waited:.0f} s"
            if waited is not None
            else f"mail queue: {queued()} e-mails still queued after "
            f"{MAIL_QUEUE_WAIT:.0f} s"
        )

    def server_log(self, windows):
        """ERROR/CRITICAL entries of the servers' logs: (failures, in faults, retried).

        Each entry is classified from its whole text (logscan.classify): a statement
        Odoo retries, an error of a fault (in its window, or a connection the
        database outage broke, whenever it surfaces), or a failure.
        """
        outages = [start for start, _end in self.run.outage_windows()]
        failures, inside, retried = [], 0, 0
        for node in self.server.nodes:
            for stamp, level, text in log_entries(node.log_lines()):
                if level not in ("ERROR", "CRITICAL"):
                    continue
                verdict = logscan.classify(stamp, text, windows, outages)
                if verdict == "retried":
                    retried += 1
                elif verdict == "fault":
                    inside += 1
                else:
                    failures.append((node.name, text))
        return failures, inside, retried

    # ------------------------------------------------------------------
    # Summary
    # ------------------------------------------------------------------

    def summary(self):
        run = self.run
        windows = [fault.window() for fault in run.faults]
        records = run.recorder.snapshot()

        def in_fault(record):
            return any(
                record.start <= end and record.end >= start for start, end in windows
            )

        ok = [r for r in records if r.outcome == "ok"]
        refused = [r for r in records if r.outcome == "refused"]
        errors = [r for r in records if r.outcome == "error"]
        during = [r for r in errors if in_fault(r)]
        failures = [r for r in errors if not in_fault(r)]
        server_5xx = [r for r in records if r.status and r.status >= 500]
        answered = [r for r in ok + refused if not in_fault(r)]
        p50, p95 = _percentile(answered, 50), _percentile(answered, 95)
        load_seconds = run.load_end - run.load_start
        print("\n" + "=" * 78)
        print("HotRush end-to-end reliability summary")
        print("=" * 78)
        print(
            f"servers: {len(self.server.nodes)} nodes on one database and data "
            f"directory, each odoo --workers={self.args.workers} "
            f"--max-cron-threads=1; {self.cluster.description}"
        )
        for n, node in enumerate(self.server.nodes):
            served = [r for r in records if r.node == n]
            print(
                f"  {node.name} {node.base_url}: {len(served)} requests served "
                f"({sum(r.outcome == 'error' for r in served)} errors)"
            )
        print(
            f"mail: {self.smtp.description}, {len(self.smtp.snapshot())} messages "
            f"received; refused connections {len(self.smtp.refusals)} time(s)"
        )
        print(
            f"load: {load_seconds:.0f} s, {len(self.fixture['customers'])} portal "
            f"customers, {len(self.fixture['agents'])} agents, 1 admin making the SLA "
            f"action due; {len(records) / load_seconds:.1f} requests/s"
        )
        print(
            f"requests: {len(records)}  ok {len(ok)}  refused by business rules "
            f"{len(refused)}  errors during faults {len(during)}  "
            f"FAILURES {len(failures)}"
        )
        print(
            f"5xx answers: {len(server_5xx)} "
            f"({sum(not in_fault(r) for r in server_5xx)} outside fault windows)"
        )
        print(
            f"latency outside faults: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
            f"(n={len(answered)})"
        )
        print(f"  {'request':40} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'refused':>8}")
        for label in sorted({r.label for r in records}):
            mine = [r for r in answered if r.label == label]
            if mine:
                print(
                    f"  {label:40} {len(mine):>6} "
                    f"{_percentile(mine, 50) * 1000:>8.0f} "
                    f"{_percentile(mine, 95) * 1000:>8.0f} "
                    f"{sum(r.outcome == 'refused' for r in mine):>8}"
                )
        for record in failures[:15]:
            print(
                f"  FAILURE {record.actor} {record.label} at "
                f"+{record.start - run.load_start:.1f}s: {record.status} {record.detail}"
            )
        self.print_faults_and_races(errors)
        log_errors, log_in_faults, log_retried = self.server_log(windows)
        retries = sum(
            "tries left" in text
            for _s, _l, text in log_entries(self.server.log_lines())
        )
        print(
            f"server logs: {log_retried} statements hit a serialization failure "
            f"({retries} request retries by Odoo), {log_in_faults} ERROR entries of "
            f"the faults, {len(log_errors)} failures"
        )
        for node_name, text in log_errors[:10]:
            print(f"  FAILURE in the log of {node_name}:")
            for line in text.rstrip().splitlines()[:60]:
                print(f"    {line}")
        passed = sum(not problems for _, problems, _ in self.results)
        print(f"invariants: {passed}/{len(self.results)} passed")
        for name, problems, facts in self.results:
            print(f"  [{'ok' if not problems else 'FAIL'}] {name}: {'; '.join(facts)}")
            for problem in problems:
                print(f"        {problem}")

        self.failures += [f"request failure: {r.label} {r.detail}" for r in failures]
        self.failures += [f"fault: {p}" for f in run.faults for p in f.problems]
        self.failures += [f"race {n}: {p}" for n, _, ps in self.races for p in ps]
        self.failures += [f"invariant: {n}" for n, ps, _ in self.results if ps]
        self.failures += [
            f"server log of {name}: {text.splitlines()[0][:200]}"
            for name, text in log_errors
        ]
        if not self.server.alive():
            self.failures.append("an Odoo server process exited")
        elapsed = time.monotonic() - self.t0
        verdict = "PASSED" if not self.failures else f"FAILED ({len(self.failures)})"
        print(f"duration: {elapsed // 60:.0f} min {elapsed % 60:.0f} s")
        print(f"RESULT: {verdict}")
        if self.args.report:
            self.write_report(records, ok, refused, during, failures, p50, p95, elapsed)

    def print_faults_and_races(self, errors):
        run = self.run
        print("faults:")
        for n, fault in enumerate(run.faults, 1):
            start, end = fault.window()
            hits = [r for r in errors if r.start <= end and r.end >= start]
            print(
                f"  {n}. {fault.name} at +{fault.start - run.load_start:.1f}s "
                f"(window {end - start:.1f} s)"
            )
            for fact in fault.facts:
                print(f"     {fact}")
            kinds = {}
            for record in hits:
                kind = " ".join(record.detail.split(":")[0].split()[:2])
                kinds[kind] = kinds.get(kind, 0) + 1
            detail = ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items()))
            print(
                f"     requests failed in its window: {len(hits)}"
                + (f" ({detail})" if detail else "")
            )
            print(
                "     recovery: "
                + ", ".join(f"{k} {_secs(v)}" for k, v in fault.recovery.items())
            )
            for problem in fault.problems:
                print(f"     PROBLEM: {problem}")
        print("races:")
        for name, report, problems in self.races:
            print(f"  {name}:")
            for line in report:
                print(f"     {line}")
            for problem in problems:
                print(f"     PROBLEM: {problem}")

    def write_report(self, records, ok, refused, during, failures, p50, p95, elapsed):
        with open(self.args.report, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "requests": len(records),
                    "ok": len(ok),
                    "refused": len(refused),
                    "errors_during_faults": len(during),
                    "failures": len(failures),
                    "p50_ms": round(p50 * 1000),
                    "p95_ms": round(p95 * 1000),
                    "faults": [
                        {
                            "name": f.name,
                            "facts": f.facts,
                            "recovery": f.recovery,
                            "problems": f.problems,
                        }
                        for f in self.run.faults
                    ],
                    "races": self.races,
                    "invariants": self.results,
                    "result_failures": self.failures,
                    "duration_s": round(elapsed),
                },
                out,
                indent=1,
            )

    def keep_logs(self):
        """Copy the servers' and the setup's logs where they outlive the run."""
        target = os.path.join(self.args.log_dir, self.database)
        os.makedirs(target, exist_ok=True)
        logs = glob.glob(os.path.join(self.workdir, "*.log"))
        logs += glob.glob(os.path.join(self.workdir, "pg", "*.log"))
        for log in logs:
            shutil.copy2(log, target)
        print(
            f"logs kept in {target}: {', '.join(sorted(map(os.path.basename, logs)))}"
        )

    def cleanup(self):
        if self.server:
            self.server.stop()
        with contextlib.suppress(Exception):
            self.smtp.stop()
        if self.failures:
            with contextlib.suppress(Exception):
                self.keep_logs()
        if self.args.keep:
            self.cluster.teardown()
            self.say(f"kept {self.workdir} (database {self.database}, cluster stopped)")
            return
        if isinstance(self.cluster, SharedCluster):
            with contextlib.suppress(Exception):
                conn = self.cluster.connect("postgres")
                conn.autocommit = True
                conn.cursor().execute(f'DROP DATABASE IF EXISTS "{self.database}"')
                conn.close()
        self.cluster.teardown()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _percentile(records, pct):
    """Nearest-rank percentile of the request durations."""
    values = sorted(r.duration for r in records)
    if not values:
        return 0.0
    rank = max(0, min(len(values) - 1, -(-pct * len(values) // 100) - 1))
    return values[int(rank)]


def _secs(value):
    return "not within the limit" if value is None else f"{value:.2f} s"


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    suite = Suite(args)
    try:
        suite.prepare()
        suite.load_and_faults()
        suite.races_and_checks()
        suite.summary()
    except Exception as exc:  # noqa: BLE001 (reported, then the exit code says it)
        import traceback

        traceback.print_exc()
        suite.failures.append(f"suite error: {exc}")
        print(f"RESULT: FAILED (suite error: {exc})")
    finally:
        with contextlib.suppress(Exception):
            # PostgreSQL must be up again whatever happened during a fault
            if not suite.cluster.ready():
                suite.cluster.start()
        suite.cleanup()
    return 1 if suite.failures else 0


if __name__ == "__main__":
    sys.exit(main())
