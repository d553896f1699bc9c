"""What the end-to-end suite does to the server: load, faults and races.

Customers act only through portal pages and forms, agents and the administrator only
through JSON-RPC, as the web client does. The driver reads the database directly
only to choose the moment of a fault and to check the outcome.
"""

import email.utils
import os
import random
import signal
import threading
import time
from datetime import datetime, timezone
from functools import partial

from client import PortalClient, Recorder, RpcClient, RpcError
from infra import wait_for

# the agents' queue order, as the addon's list views give it (const.QUEUE_ORDER)
QUEUE_ORDER = "hotrush_queue_deadline, priority desc, sequence, number desc, id desc"
from logscan import log_entries
from tickets_sql import TICKETS

# How long the close of the withdraw/close race waits after the withdrawal is sent
RACE_CLOSE_LAGS = (0.0, 0.0, 0.15, 0.3)
TICKET_FIELDS = ["id", "hotrush", "user_id", "stage_id", "hotrush_first_response_at"]


def utc_now_string():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class Fault:
    """One deliberate fault: its window, and how long recovery took."""

    def __init__(self, name):
        self.name = name
        self.start = None
        self.end = None
        self.facts = []
        self.recovery = {}
        self.problems = []

    def window(self):
        return (self.start, self.end or time.time())


class Run:
    """State shared by the load threads, the fault injector and the races."""

    def __init__(self, server, cluster, fixture, database, seed, log, smtp=None):
        self.server = server  # the nodes (infra.Fleet)
        self.cluster = cluster
        self.smtp = smtp
        self.fixture = fixture
        self.database = database
        self.seed = seed
        self.log = log
        self.recorder = Recorder()
        self.stop = threading.Event()
        self.faults = []
        self.replied = set()
        self.mails = []  # the e-mails the gateway delivered
        self.lock = threading.Lock()
        self.load_partners = [c["partner_id"] for c in fixture["customers"]]
        self.threads = []
        self.load_start = None
        self.load_end = None
        # Seconds between two actions of one user: a person reading a page, not a
        # benchmark; 24 customers then keep 2 cores busy without saturating them.
        self.customer_think = (6.0, 20.0)
        self.agent_think = (1.0, 3.0)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def sql(self, query, params=None):
        """Run a query on a fresh connection (the cluster may have been restarted)."""
        conn = self.cluster.connect(self.database, connect_timeout=5)
        try:
            with conn, conn.cursor() as cr:
                cr.execute(query, params)
                return cr.fetchall() if cr.description else None
        finally:
            conn.close()

    def pause(self, rng, low, high):
        self.stop.wait(rng.uniform(low, high))

    def portal(self, spec):
        return PortalClient(
            self.server.base_urls,
            self.recorder,
            spec["login"],
            spec["login"],
            spec["password"],
        )

    def rpc(self, spec):
        return RpcClient(
            self.server.base_urls,
            self.recorder,
            spec["login"],
            spec["login"],
            spec["password"],
        )

    # ------------------------------------------------------------------
    # Load
    # ------------------------------------------------------------------

    def start_load(self):
        self.load_start = time.time()
        targets = [
            (self.customer_loop, (spec, n))
            for n, spec in enumerate(self.fixture["customers"])
        ]
        targets += [
            (self.agent_loop, (spec, n))
            for n, spec in enumerate(self.fixture["agents"])
        ]
        targets.append((self.cron_loop, ()))
        targets.append((self.mail_loop, ()))
        targets.append((self.accountant_loop, ()))
        for target, args in targets:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop_load(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(120)
        self.load_end = time.time()

    def customer_loop(self, spec, n):
        rng = random.Random(self.seed * 1000 + n)
        client = self.portal(spec)
        tickets = []
        self.stop.wait(rng.uniform(0, 8))  # customers do not all arrive at once
        while not self.stop.is_set():
            if not client.logged_in and not client.login():
                self.pause(rng, 1, 2)
                continue
            roll = rng.random()
            if not tickets or roll < 0.3:
                self.customer_submit(client, rng, tickets)
            elif roll < 0.4:
                client.my_tickets()
            else:
                self.customer_act(client, rng, rng.choice(tickets[-6:]))
            self.pause(rng, *self.customer_think)

    def customer_submit(self, client, rng, tickets):
        refusal = client.new_ticket_form()
        if refusal is None:
            return
        fields = {
            "subject": f"E2E {client.actor}: shop problem #{len(tickets) + 1}",
            "description": "Something is broken in the shop.\nPlease help.",
            "category": rng.choice(self.fixture["categories"]),
            "team": self.fixture["team_id"],
        }
        # a browser sends the checkbox only when the form offers it
        if not refusal and rng.random() < 0.6:
            fields["hotrush"] = "on"
            if self.fixture["chat_tools"] and rng.random() < 0.3:
                fields.update(self.chat_fields(rng))
        ticket_id = client.submit_ticket(fields)
        if ticket_id:
            tickets.append(ticket_id)
            client.ticket_page(ticket_id)

    def chat_fields(self, rng):
        tool = rng.choice(self.fixture["chat_tools"])
        return {
            "chat_tool": tool["id"],
            "chat_contact": tool["contact"],
            "chat_time": self.fixture["chat_time"],
        }

    def customer_act(self, client, rng, ticket_id):
        """Look at a ticket and press one of the HotRush buttons it offers."""
        page = client.ticket_page(ticket_id)
        if page is None:
            return
        offered = sorted(page[0] & {"request", "uncheck", "withdraw", "chat"})
        if not offered:
            return
        action = rng.choice(offered)
        fields = {}
        if action == "withdraw":
            fields["note"] = "E2E: it can wait after all."
        elif action == "chat":
            fields = self.chat_fields(rng)
        client.hotrush_action(ticket_id, action, **fields)

    def agent_loop(self, spec, n):
        rng = random.Random(self.seed * 1000 + 500 + n)
        client = self.rpc(spec)
        closed = []
        domain = [
            ("team_id", "=", self.fixture["team_id"]),
            ("stage_id.closed", "=", False),
            ("commercial_partner_id", "in", self.load_partners),
        ]
        while not self.stop.is_set():
            if not client.logged_in and not client.login():
                self.pause(rng, 1, 2)
                continue
            try:
                if closed and rng.random() < 0.05:
                    self.agent_reclose(client, rng, rng.choice(closed))
                else:
                    tickets = client.call(
                        "helpdesk.ticket",
                        "search_read",
                        domain=domain,
                        fields=TICKET_FIELDS,
                        limit=12,
                        order=QUEUE_ORDER,
                    )
                    if tickets:
                        # the queue's order puts HotRush first, closest deadline first
                        ticket = (
                            tickets[0] if rng.random() < 0.5 else rng.choice(tickets)
                        )
                        self.agent_step(client, rng, spec, ticket, closed)
            except RpcError:
                pass  # recorded: a refusal by the rules, or an error
            self.pause(rng, *self.agent_think)

    def agent_step(self, client, rng, spec, ticket, closed):
        ticket_id = ticket["id"]
        roll = rng.random()
        if not ticket["user_id"]:
            client.call(
                "helpdesk.ticket", "write", [ticket_id], {"user_id": spec["uid"]}
            )
        elif ticket["hotrush"] and roll < 0.08:
            # support removes urgency, with a reason (HR-22)
            wizard = client.call(
                "hotrush.remove.wizard",
                "create",
                {
                    "ticket_ids": [(6, 0, [ticket_id])],
                    "reason": "bug",
                    "note": "E2E: a bug fix needs more time",
                },
            )
            if wizard:
                client.call("hotrush.remove.wizard", "action_remove", [wizard])
        elif not ticket["hotrush"] and roll < 0.05:
            client.call("helpdesk.ticket", "action_hotrush_request", [ticket_id])
        elif ticket_id not in self.replied and not ticket["hotrush_first_response_at"]:
            client.call(
                "helpdesk.ticket",
                "message_post",
                [ticket_id],
                body="E2E: we are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            with self.lock:
                self.replied.add(ticket_id)
        else:
            hours = rng.choice([0.5, 1.0, 1.5, 2.0])
            done = client.call(
                "helpdesk.ticket",
                "write",
                [ticket_id],
                {
                    "hotrush_billable_hours": hours,
                    "stage_id": self.fixture["stages"]["done"],
                },
            )
            if done:
                closed.append(ticket_id)

    def agent_reclose(self, client, rng, ticket_id):
        """Reopen a closed ticket and close it again, with the same hours, more or
        fewer: each closing bills the difference, never the same hours twice."""
        stages = self.fixture["stages"]
        if client.call(
            "helpdesk.ticket", "write", [ticket_id], {"stage_id": stages["progress"]}
        ):
            vals = {"stage_id": stages["done"]}
            change = rng.choice([0.0, 0.0, 0.5, -0.5])
            # the read can fail in a fault window (None): then it closes unchanged
            rows = change and client.call(
                "helpdesk.ticket",
                "read",
                [ticket_id],
                fields=["hotrush_billable_hours"],
            )
            if rows:
                vals["hotrush_billable_hours"] = max(
                    rows[0]["hotrush_billable_hours"] + change, 0.0
                )
            client.call("helpdesk.ticket", "write", [ticket_id], vals)

    def accountant_loop(self):
        """Accounting posts support invoices while tickets are charged onto them, and
        reverses some: a posted credit note, a reset to draft and cancel, a cancelled
        invoice posted again (HR-87). The balances must follow, each once."""
        rng = random.Random(self.seed * 1000 + 900)
        client = self.rpc(self.fixture["admin"])
        support = [
            ("hotrush_support_invoice", "=", True),
            ("move_type", "=", "out_invoice"),
            ("commercial_partner_id", "in", self.load_partners),
        ]
        while not self.stop.wait(rng.uniform(4, 8)):
            if not client.logged_in and not client.login():
                continue
            state = rng.choice(["draft", "draft", "posted", "posted", "cancel"])
            try:
                ids = client.call(
                    "account.move", "search", [*support, ("state", "=", state)]
                )
                if not ids:
                    continue
                move_id = rng.choice(ids)
                if state == "draft":
                    client.call("account.move", "action_post", [move_id])
                elif state == "cancel":
                    client.call("account.move", "button_draft", [move_id])
                    client.call("account.move", "action_post", [move_id])
                elif rng.random() < 0.5:
                    self.accountant_credit_note(client, move_id)
                else:
                    client.call("account.move", "button_draft", [move_id])
                    client.call("account.move", "button_cancel", [move_id])
            except RpcError:
                pass  # recorded: a refusal by the rules, or an error

    def accountant_credit_note(self, client, move_id):
        """Reverse a posted invoice with a credit note, and post it."""
        (move,) = client.call("account.move", "read", [move_id], fields=["journal_id"])
        wizard = client.call(
            "account.move.reversal",
            "create",
            {
                "move_ids": [(6, 0, [move_id])],
                "journal_id": move["journal_id"][0],
                "reason": "E2E: billed by mistake",
            },
            context={"active_model": "account.move", "active_ids": [move_id]},
        )
        action = client.call("account.move.reversal", "refund_moves", [wizard])
        credit_note = action.get("res_id")
        if credit_note:
            client.call("account.move", "action_post", [credit_note])

    def mail_loop(self):
        """The mail gateway delivers customers' e-mails to the team's alias, as
        Odoo's mailgate script does (HR-83): new tickets marked [HotRush] or
        [Urgent], most from senders the receiving server authenticated, some with
        a forged sender; and replies with a marker, which never change urgency."""
        rng = random.Random(self.seed * 1000 + 950)
        client = self.rpc(self.fixture["admin"])
        mail = self.fixture["mail"]
        number = 0
        while not self.stop.wait(rng.uniform(3, 7)):
            if not client.logged_in and not client.login():
                continue
            number += 1
            customer = rng.choice(self.fixture["customers"])
            originals = [
                sent
                for sent in self.mails
                if sent["kind"] == "new" and sent["ticket_id"]
            ]
            if originals and rng.random() < 0.25:
                original = rng.choice(originals)
                sent = {
                    "kind": "reply",
                    "reply_to": original["message_id"],
                    "ticket_id": original["ticket_id"],
                    "authenticated": True,
                    "subject": f"Re: [Urgent] {original['subject']}",
                    "customer": original["customer"],
                }
            else:
                sent = {
                    "kind": "new",
                    "reply_to": None,
                    "ticket_id": None,
                    "authenticated": rng.random() < 0.8,
                    "subject": f"{rng.choice(['[HotRush]', '[urgent]'])} E2E mail "
                    f"{number}: the shop is down",
                    "customer": customer,
                }
            sent["message_id"] = f"<e2e-{self.seed}-{number}@{mail['customer_domain']}>"
            try:
                result = client.call(
                    "mail.thread",
                    "message_process",
                    False,
                    self.raw_mail(sent),
                )
            except RpcError:
                continue  # recorded
            # None: failed during a fault, not known whether it arrived
            sent["delivered"] = result is not None
            if sent["kind"] == "new":
                sent["ticket_id"] = result
            with self.lock:
                self.mails.append(sent)

    def raw_mail(self, sent):
        """The e-mail as the receiving server hands it to Odoo's gateway."""
        mail = self.fixture["mail"]
        customer = sent["customer"]
        headers = []
        if sent["authenticated"]:
            headers.append(f"Authentication-Results: {mail['authentication_results']}")
        headers += [
            f"From: {customer['name']} <{customer['email']}>",
            f"To: {mail['to']}",
            f"Subject: {sent['subject']}",
            f"Message-ID: {sent['message_id']}",
            f"Date: {email.utils.formatdate()}",
            "MIME-Version: 1.0",
            'Content-Type: text/plain; charset="utf-8"',
        ]
        if sent["reply_to"]:
            headers.append(f"In-Reply-To: {sent['reply_to']}")
        return "\r\n".join(headers) + "\r\n\r\nNothing loads since this morning.\r\n"

    def cron_loop(self):
        """The administrator makes the SLA action due every few seconds."""
        client = self.rpc(self.fixture["admin"])
        while not self.stop.wait(10):
            if not client.logged_in and not client.login():
                continue
            self.nudge_cron(client)

    def nudge_cron(self, client):
        try:
            return bool(
                client.call(
                    "ir.cron",
                    "write",
                    [self.fixture["cron_id"]],
                    {"nextcall": utc_now_string()},
                )
            )
        except RpcError:
            return False  # "being executed right now": refused, it runs anyway

    # ------------------------------------------------------------------
    # Faults
    # ------------------------------------------------------------------

    def busy_workers(self, pids, doing=None):
        """Workers with a database session in the middle of something (``doing``:
        whose current or last statement mentions it)."""
        names = [f"odoo-{pid}" for pid in pids]
        rows = self.sql(
            "SELECT application_name FROM pg_stat_activity WHERE application_name = "
            "ANY(%s) AND state <> 'idle' AND (%s IS NULL OR query ILIKE %s)",
            (names, doing, f"%{doing}%"),
        )
        return [int(name.split("-")[1]) for (name,) in rows]

    def fault_kill_http_worker(self):
        fault = Fault("SIGKILL of an HTTP worker")
        self.faults.append(fault)
        pids = self.server.worker_pids("WorkerHTTP")
        victim = None
        for _ in range(100):  # catch one in the middle of a request
            busy = self.busy_workers(pids)
            if busy:
                victim = busy[0]
                break
            time.sleep(0.05)
        busy_state = "while serving a request" if victim else "while idle"
        victim = victim or pids[-1]
        node = self.server.node_of(victim)
        fault.start = time.time()
        os.kill(victim, signal.SIGKILL)
        fault.facts.append(
            f"killed HTTP worker {victim} of {node.name} {busy_state} (workers {pids})"
        )
        fault.recovery["health"] = self.wait_recovered(self.server.healthy, 60, 0.05)
        respawned = wait_for(
            lambda: (
                victim not in (now := node.worker_pids("WorkerHTTP"))
                and len(now) >= node.workers
            ),
            60,
            0.1,
        )
        fault.recovery["worker respawned"] = respawned
        fault.end = time.time() + 0.5
        if respawned is None:
            fault.problems.append("the HTTP worker was not replaced within 60 s")
        return fault

    def fault_interrupt_cron(self):
        """SIGKILL the cron worker in the middle of a large due batch."""
        fault = Fault("SIGKILL of the cron worker mid-batch")
        self.faults.append(fault)
        batch = self.fixture["batch"]["ticket_ids"]
        total = len(batch)

        def escalated():
            return self.sql(
                f"SELECT count(*) FROM {TICKETS} tk WHERE id = ANY(%s) "
                "AND hotrush_escalated_at IS NOT NULL",
                (batch,),
            )[0][0]

        # What a long stop of the SLA action leaves: breached tickets not escalated.
        self.sql(
            "UPDATE hotrush_request SET escalated_at = NULL WHERE id IN "
            "(SELECT hotrush_request_id FROM helpdesk_ticket WHERE id = ANY(%s))",
            (batch,),
        )
        admin = self.rpc(self.fixture["admin"])
        admin.login()
        armed = time.time()
        # make the action due now (refused while a run is in progress: try again)
        wait_for(lambda: self.nudge_cron(admin) or escalated() > 0, 60, 1.0)
        # each look opens a connection (a server process): not too often
        started = wait_for(lambda: escalated() > 0, 180, 0.2)
        if started is None:
            fault.problems.append("the SLA action never started on the batch")
            fault.start = fault.end = time.time()
            return fault
        pids = self.server.worker_pids("WorkerCron")
        # the cron worker working on the batch (each node has one; the other may be
        # idle or running another job)
        working = []
        wait_for(
            lambda: working.extend(self.busy_workers(pids, "hotrush")) or working,
            5,
            0.02,
        )
        busy = bool(working)  # in a transaction of the batch right now
        victim = working[0] if working else pids[-1]
        node = self.server.node_of(victim)
        fault.start = time.time()
        os.kill(victim, signal.SIGKILL)
        done_at_kill = escalated()
        fault.facts.append(
            f"batch of {total} breached tickets made due; first batch committed after "
            f"{fault.start - armed:.1f} s; killed cron worker {victim} of {node.name} "
            f"with {done_at_kill}/{total} escalations committed"
            + (" and the next batch in progress" if busy else "")
        )
        if done_at_kill >= total:
            fault.problems.append("the SLA action finished before it was interrupted")
        fault.recovery["health"] = self.wait_recovered(self.server.healthy, 60, 0.05)
        fault.recovery["cron worker respawned"] = wait_for(
            lambda: [p for p in node.worker_pids("WorkerCron") if p != victim],
            60,
            0.1,
        )
        fault.end = time.time() + 0.5
        finished = wait_for(lambda: escalated() >= total, 240, 0.5)
        fault.recovery["batch completed"] = finished
        if finished is None:
            fault.problems.append(
                f"the SLA action did not finish the batch ({escalated()}/{total})"
            )
        fault.facts.append(f"after recovery {escalated()}/{total} escalated")
        return fault

    def fault_postgres_outage(self, seconds=5.0):
        fault = Fault(f"PostgreSQL stopped for {seconds:.0f} s")
        self.faults.append(fault)
        fault.start = time.time()
        try:
            self.cluster.stop()
            stopped = time.time()
            time.sleep(seconds)
        finally:
            self.cluster.start()  # always: a failed stop or sleep must not leave it down
        restarted = time.time()
        fault.facts.append(
            f"{self.cluster.description}: stop -m fast took {stopped - fault.start:.1f} s, "
            f"down {restarted - stopped:.1f} s"
        )
        fault.recovery["health"] = self.wait_recovered(self.server.healthy, 120, 0.1)
        fault.end = time.time() + 1.0
        if not self.server.alive():
            fault.problems.append(self.server_exit_reason())
        elif fault.recovery["health"] is None:
            fault.problems.append("Odoo did not serve again within 120 s")
        fault.recovery["cron workers alive"] = self.wait_recovered(
            lambda: all(node.worker_pids("WorkerCron") for node in self.server.nodes),
            90,
            0.5,
        )
        return fault

    def outage_windows(self):
        """(start, end) of each PostgreSQL outage of the run."""
        return [
            fault.window()
            for fault in self.faults
            if fault.name.startswith("PostgreSQL")
        ]

    def commit_cut_windows(self):
        """(start, end) of each fault that can cut a commit after an e-mail left:
        the PostgreSQL outages and the SIGKILLs of a worker (an e-mail sent in a
        request or a batch, the process killed before the commit that marks it
        sent: Odoo sends it again, as SMTP knows no two-phase commit)."""
        return [
            fault.window()
            for fault in self.faults
            if fault.name.startswith(("PostgreSQL", "SIGKILL"))
        ]

    def fault_smtp_refusal(self, seconds=8.0):
        """The outgoing mail server refuses connections for a while: the e-mails
        due meanwhile go back to Odoo's queue and are delivered once afterwards."""
        fault = Fault(f"SMTP server refusing connections for {seconds:.0f} s")
        self.faults.append(fault)
        before = len(self.smtp.snapshot())
        fault.start, stopped = self.smtp.refuse(seconds)
        fault.end = stopped + 0.5
        fault.facts.append(
            f"{self.smtp.description}: closed for {stopped - fault.start:.1f} s "
            f"after {before} deliveries"
        )
        # serving goes on: the refusal reaches e-mails only
        fault.recovery["health"] = self.wait_recovered(self.server.healthy, 60, 0.1)
        return fault

    def wait_recovered(self, predicate, timeout, interval):
        """wait_for, giving up at once when the Odoo server process is gone."""
        waited = wait_for(
            lambda: predicate() or not self.server.alive(), timeout, interval
        )
        return waited if self.server.alive() else None

    def server_exit_reason(self):
        """Why a node's server process exited: its last ERROR entry, from its log."""
        reasons = []
        for node in self.server.nodes:
            if node.alive():
                continue
            master = str(node.process.pid)
            last = ""
            for _stamp, level, text in log_entries(node.log_lines()):
                if level in ("ERROR", "CRITICAL") and text.split()[2] == master:
                    last = text.strip().splitlines()[-1]
            reasons.append(
                f"the Odoo server of {node.name} (prefork master {master}) exited "
                f"with code {node.process.returncode}: {last[:200]}"
            )
        return "; ".join(reasons)

    # ------------------------------------------------------------------
    # Races
    # ------------------------------------------------------------------

    def retries_logged(self, start, end):
        """Serialization failures Odoo retried between two instants (server log)."""
        return sum(
            start <= stamp <= end + 1 and "tries left" in text
            for stamp, _level, text in log_entries(self.server.log_lines())
        )

    @staticmethod
    def together(*functions):
        """Run the functions in threads released at the same instant."""
        barrier = threading.Barrier(len(functions))
        results = [None] * len(functions)

        def run(index, function):
            barrier.wait()
            try:
                results[index] = function()
            except RpcError as error:
                results[index] = error.name

        threads = [
            threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return results

    def race_withdraw_close(self):
        """The customer withdraws HotRush while an agent closes the same ticket."""
        spec = self.fixture["race_withdraw_close"]
        price = self.fixture["team_product_price"]
        normal = round(spec["hours"] * price, 2)
        customer = self.portal(spec["customer"])
        agent = self.rpc(self.fixture["agents"][0])
        report, problems = [], []
        if not (customer.login() and agent.login()):
            return report, ["could not log in for the race"]
        done = self.fixture["stages"]["done"]
        for n, ticket_id in enumerate(spec["ticket_ids"]):
            customer.ticket_page(ticket_id)  # the page the customer clicks on
            # released together; later rounds hold the close back a little (both
            # requests still in flight at once) so that both orders show up
            lag = RACE_CLOSE_LAGS[n % len(RACE_CLOSE_LAGS)]
            start = time.time()
            withdraw, close = self.together(
                lambda t=ticket_id: customer.hotrush_action(
                    t, "withdraw", note="E2E race: not urgent any more"
                ),
                lambda t=ticket_id, lag=lag: (
                    time.sleep(lag),
                    agent.call("helpdesk.ticket", "write", [t], {"stage_id": done}),
                )[1],
            )
            end = time.time()
            charges = self.sql(
                "SELECT kind, multiplier, amount, covered_amount FROM hotrush_charge "
                "WHERE ticket_id = %s ORDER BY id",
                (ticket_id,),
            )
            ((hotrush, end_action, closed),) = self.sql(
                f"SELECT t.hotrush, t.hotrush_end_action, s.closed FROM {TICKETS} t "
                "JOIN helpdesk_ticket_stage s ON s.id = t.stage_id WHERE t.id = %s",
                (ticket_id,),
            )
            prices = self.sql(
                "SELECT price_unit FROM account_move_line WHERE hotrush_ticket_id = %s "
                "AND NOT COALESCE(hotrush_deduction, false)",
                (ticket_id,),
            )
            billed = round(sum(float(c[2]) for c in charges), 2)
            retries = self.retries_logged(start, end)
            first = [c for c in charges if c[0] == "charge"]
            if first and first[0][1] > 1:
                story = (
                    f"close committed first: charged at the HotRush rate "
                    f"({float(first[0][2]):.2f}), then the withdrawal refunded the "
                    f"surcharge on the draft invoice"
                )
            else:
                story = "withdrawal committed first: the close charged the normal rate"
            report.append(
                f"ticket {ticket_id} (close sent +{lag * 1000:.0f} ms): withdraw -> "
                f"{withdraw}, close -> "
                f"{'ok' if close is True else close}; {story}; net billed {billed:.2f} "
                f"(normal rate {normal:.2f}); serialization retries logged: {retries}"
            )
            if withdraw != "success" or close is not True:
                problems.append(f"ticket {ticket_id}: a request of the race failed")
            if hotrush or end_action != "withdraw" or not closed:
                problems.append(
                    f"ticket {ticket_id}: hotrush={hotrush} end={end_action} "
                    f"closed={closed}"
                )
            if len(first) != 1 or abs(billed - normal) > 0.005:
                problems.append(
                    f"ticket {ticket_id}: charges {charges} do not net to {normal}"
                )
            if [float(p) for (p,) in prices] != [price]:
                problems.append(f"ticket {ticket_id}: invoice line prices {prices}")
        return report, problems

    def close_together(self, agents, ticket_ids):
        """Each agent closes one ticket, all at the same moment.

        :return: (start time, the answers, end time)
        """
        done = self.fixture["stages"]["done"]
        start = time.time()
        results = self.together(
            *(
                lambda a=agent, t=ticket_id: a.call(
                    "helpdesk.ticket", "write", [t], {"stage_id": done}
                )
                for agent, ticket_id in zip(agents, ticket_ids, strict=True)
            )
        )
        return start, results, time.time()

    def race_last_credit(self):
        """Two tickets of one customer draw the last credit of its balance at once."""
        spec = self.fixture["race_last_credit"]
        agents = [self.rpc(self.fixture["agents"][i]) for i in spec["agents"]]
        if not all(agent.login() for agent in agents):
            return [], ["could not log in for the race"]
        start, results, end = self.close_together(agents, spec["ticket_ids"])
        charges = self.sql(
            "SELECT c.ticket_id, c.amount, c.covered_amount, c.id FROM hotrush_charge c "
            "WHERE c.ticket_id = ANY(%s) AND kind = 'charge' ORDER BY c.id",
            (spec["ticket_ids"],),
        )
        ((amount, lines),) = self.sql(
            "SELECT b.amount, (SELECT sum(amount) FROM hotrush_support_balance_line l "
            "WHERE l.balance_id = b.id) FROM hotrush_support_balance b WHERE b.id = %s",
            (spec["balance_id"],),
        )
        invoices = self.sql(
            "SELECT count(DISTINCT move_id) FROM hotrush_charge WHERE ticket_id = ANY(%s)",
            (spec["ticket_ids"],),
        )[0][0]
        covered = round(sum(float(c[2]) for c in charges), 2)
        problems, report = [], []
        if results != [True, True]:
            problems.append(f"the two closes answered {results}")
        if len(charges) != 2:
            problems.append(f"expected one charge per ticket, got {charges}")
        if abs(covered - spec["credit"]) > 0.005 or abs(float(amount)) > 0.005:
            problems.append(
                f"covered {covered} of {spec['credit']}; balance left {amount}"
            )
        if abs(float(amount) - float(lines or 0)) > 0.005:
            problems.append(f"balance {amount} != sum of its movements {lines}")
        if len(charges) == 2:
            winner, loser = charges
            retried = self.retries_logged(start, end)
            report.append(
                f"tickets {spec['ticket_ids']} closed at once by two agents -> "
                f"{results}; ticket {winner[0]} committed first and took "
                f"{float(winner[2]):.2f} of the {spec['credit']:.2f} left; ticket "
                f"{loser[0]} waited for the balance lock, "
                + ("was retried after a serialization failure, " if retried else "")
                + f"and got the last {float(loser[2]):.2f} (charged {float(loser[1]):.2f}, "
                f"the rest is due on the invoice); balance now {float(amount):.2f}; "
                f"{invoices} draft support invoice(s)"
            )
        return report, problems

    def race_double_submit(self):
        """A customer double-clicks Submit: the same new-ticket form twice at once."""
        # the race customer: the load's count of submissions and tickets stays apart
        client = self.portal(self.fixture["race_withdraw_close"]["customer"])
        if not client.login():
            return [], ["could not log in for the race"]
        if client.new_ticket_form() is None or not client.form_key:
            return [], ["the new-ticket form has no key"]
        # one browser session sends the same page's form twice
        fields = {
            "subject": "E2E double click",
            "description": "Sent twice by one impatient click.",
            "category": self.fixture["categories"][0],
            "team": self.fixture["team_id"],
            "hotrush_form_key": client.form_key,
        }
        click = partial(client.submit_ticket, fields, label="portal_double_click")
        results = self.together(click, click)
        tickets = [
            row[0]
            for row in self.sql(
                "SELECT id FROM helpdesk_ticket WHERE hotrush_form_key = %s",
                (client.form_key,),
            )
        ]
        report = [f"two submits at once -> tickets {results}; created {tickets}"]
        problems = []
        if len(tickets) != 1:
            problems.append(f"the double click created {len(tickets)} tickets")
        elif results != [tickets[0], tickets[0]]:
            problems.append(f"the two submits answered {results}, not {tickets[0]}")
        return report, problems

    def race_first_charges(self):
        """Two agents close the first two billable tickets of a customer at once.

        The customer has no prepaid credit (no balance at all, or a used-up one) and no
        draft support invoice yet: both closes create what the charge needs.
        """
        agents = [self.rpc(self.fixture["agents"][i]) for i in (0, 1)]
        if not all(agent.login() for agent in agents):
            return [], ["could not log in for the race"]
        report, problems = [], []
        for key, spec in sorted(self.fixture["race_first_charges"].items()):
            start, results, end = self.close_together(agents, spec["ticket_ids"])
            charged = self.sql(
                "SELECT ticket_id, amount FROM hotrush_charge WHERE kind = 'charge' "
                "AND ticket_id = ANY(%s) ORDER BY id",
                (spec["ticket_ids"],),
            )
            (invoices,) = self.sql(
                "SELECT count(*) FROM account_move WHERE hotrush_support_invoice "
                "AND state = 'draft' AND partner_id = %s",
                (spec["partner_id"],),
            )[0]
            (balances,) = self.sql(
                "SELECT count(*) FROM hotrush_support_balance WHERE partner_id = %s",
                (spec["partner_id"],),
            )[0]
            missing = sorted(set(spec["ticket_ids"]) - {t for t, _a in charged})
            report.append(
                f"balance {key}: tickets {spec['ticket_ids']} closed at once -> "
                f"{results}; charged {[t for t, _a in charged]}, {invoices} draft "
                f"support invoice(s), {balances} balance record(s); serialization "
                f"retries logged: {self.retries_logged(start, end)}"
            )
            if results != [True, True]:
                problems.append(f"balance {key}: the closes answered {results}")
            if missing:
                problems.append(
                    f"balance {key}: tickets {missing} were closed but never charged"
                )
            if invoices != 1:
                problems.append(f"balance {key}: {invoices} draft support invoices")
        return report, problems
