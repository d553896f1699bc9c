"""End-to-end reliability suite: a real multi-worker Odoo under load and faults.

Run through ``scripts/e2e`` (which prepares the venv and the addons path)::

    scripts/e2e [--duration 90] [--customers 24] [--workers 3] [--pg private|shared]

Steps: a PostgreSQL cluster of its own (``--pg private``, the default, so stopping it
disturbs nobody; ``--pg shared`` stops the machine's cluster with ``pg_ctlcluster``),
a throw-away database with hotrush_priority and its demo data, the fixture of
``fixture.py``, then ``odoo --workers=N --max-cron-threads=1`` on a free port. Portal
customers and agents load it over HTTP while the suite kills an HTTP worker, kills the
cron worker in the middle of a large batch and stops PostgreSQL; then two races; then
the invariants of ``checks.py``. Prints a summary and exits non-zero on any failure.
"""

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import checks
from client import PortalClient, health
from infra import OdooServer, SharedCluster, log_entries, make_cluster, odoo_config
from scenario import Run

HERE = os.path.dirname(os.path.abspath(__file__))
# ERROR entries Odoo logs for a statement it then retries (odoo.service.model.retrying)
RETRIED = (
    "could not serialize access",
    "deadlock detected",
    "could not obtain lock",
    # rows a concurrent request inserted first: the portal's actions run again
    # (the same form submitted twice at once; a follower an agent's assignment
    # subscribed while the customer's chat did)
    "helpdesk_ticket_hotrush_form_key_uniq",
    "mail_followers_res_partner_res_model_id_uniq",
)
# A pooled connection that the PostgreSQL outage broke fails on its first use, which
# may come long after the outage (a job that runs once a minute): such errors belong
# to the outage whenever they come after it
BROKEN_BY_OUTAGE = (
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    "connection already closed",
    "SSL SYSCALL error",
    "could not receive data from server",
)
PAUSE_BETWEEN_FAULTS = 10.0
# Seconds after a fault whose server errors still belong to it: after PostgreSQL comes
# back, a pooled connection fails on its first use (the e-mail queue's job, say), and
# a request whose commit the outage cut is retried into the rows it did commit
FAULT_AFTERMATH = 10.0


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
    parser.add_argument("--workers", type=int, default=3)
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
    args = parser.parse_args(argv)
    if args.duration < 60:
        parser.error("--duration must be at least 60 seconds")
    if args.customers < 20:
        parser.error("--customers must be at least 20")
    if args.workers < 2:
        parser.error("--workers must be at least 2")
    return args


class Suite:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.failures = []
        self.workdir = tempfile.mkdtemp(prefix="hotrush_e2e.")
        self.database = f"hotrush_e2e_{int(time.time())}_{os.getpid()}"
        self.cluster = make_cluster(args.pg, self.workdir)
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
        data_dir = os.path.join(self.workdir, "data")
        odoo_config(
            self.config, self.database, self.args.addons_path, self.cluster, data_dir
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
        odoo_config(
            server_config,
            self.database,
            self.args.addons_path,
            self.cluster,
            data_dir,
            preload=self.args.preload or isinstance(self.cluster, SharedCluster),
        )
        self.server = OdooServer(
            sys.executable,
            server_config,
            self.database,
            os.path.join(self.workdir, "odoo.log"),
            workers=self.args.workers,
            preload=self.args.preload or isinstance(self.cluster, SharedCluster),
        )
        waited = self.server.start(self.cluster)
        self.say(
            f"Odoo serving {self.server.base_url} after {waited:.1f}s: "
            f"{self.args.workers} HTTP workers "
            f"{self.server.worker_pids('WorkerHTTP')}, cron worker "
            f"{self.server.worker_pids('WorkerCron')}"
            + (", registry preloaded by the master" if self.server.preload else "")
        )

    def load_and_faults(self):
        run = self.run = Run(
            self.server,
            self.cluster,
            self.fixture,
            self.database,
            self.args.seed,
            self.say,
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
                """SELECT bool_and(GREATEST(t.hotrush_queued_until,
                                            t.hotrush_deadline + interval '1 second')
                                   < (now() AT TIME ZONE 'UTC')),
                          count(*) FILTER (WHERE t.hotrush_escalated_at IS NULL
                              OR (t.hotrush_queued_until IS NOT NULL
                                  AND t.hotrush_opening_notified_at IS NULL))
                     FROM helpdesk_ticket t WHERE t.id = ANY(%s)""",
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
            self.server.base_url,
            run.recorder,
            "final-check",
            spec["login"],
            spec["password"],
        )
        served = (
            health(self.server.base_url)
            and client.login()
            and client.my_tickets() is not None
        )
        if not served:
            self.failures.append("the server does not serve a fresh portal session")
        self.say(
            f"final check: a fresh portal session {'works' if served else 'FAILS'}"
        )
        self.wait_for_due_notices()
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
        )

    def server_log(self, windows):
        """ERROR/CRITICAL entries of the server log: (outside faults, inside, retried).

        Odoo logs a statement that hit a serialization failure as an ERROR, then
        retries the whole request: those are counted apart, not as failures.
        """
        outside, inside, retried = [], 0, 0
        for stamp, level, text in log_entries(self.server.log_lines()):
            if level not in ("ERROR", "CRITICAL"):
                continue
            if any(pattern in text for pattern in RETRIED):
                retried += 1
            elif any(
                start - 1 <= stamp <= end + FAULT_AFTERMATH for start, end in windows
            ) or (
                any(pattern in text for pattern in BROKEN_BY_OUTAGE)
                and any(start - 1 <= stamp for start, _end in windows)
            ):
                inside += 1
            else:
                outside.append(" | ".join(text.strip().splitlines()[:3])[:400])
        return outside, inside, retried

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
            f"server: odoo --workers={self.args.workers} --max-cron-threads=1, "
            f"{self.cluster.description}"
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
            f"server log: {log_retried} statements hit a serialization failure "
            f"({retries} request retries by Odoo), {log_in_faults} ERROR entries in "
            f"fault windows, {len(log_errors)} elsewhere"
        )
        for line in log_errors[:10]:
            print(f"  {line}")
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
        self.failures += [f"server log: {line}" for line in log_errors]
        if not self.server.alive():
            self.failures.append("the Odoo server process exited")
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

    def cleanup(self):
        if self.server:
            self.server.stop()
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
