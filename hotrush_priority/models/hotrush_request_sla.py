# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA scheduled action over open requests (HR-5, HR-50 … HR-53, HR-85).

Each step selects requests on their indexed due moments (opening, deadline) and done
markers, locks them with SKIP LOCKED in the same statement (a second worker gets other
requests), has their tickets give the notice and write its marker, and commits per
batch: a run can stop anywhere, run twice or run in parallel, and every notice still
goes out once. What a notice says and to whom is the ticket's
(``helpdesk.ticket._hotrush_notify_request`` and the other steps).
"""

import logging
from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..const import CRON_BATCH_SIZE, OPEN_STATUSES, SLA_CRON

_logger = logging.getLogger(__name__)

# Odoo's e-mail queue, which sends the e-mails of the notices
MAIL_QUEUE_CRON = "mail.ir_cron_mail_scheduler_action"


def _minute_ceiling(moment):
    """The first whole minute at or after ``moment``: cron triggers are per minute."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


class _CronStep:
    """One step of a run of the SLA action: the tickets' processing method, the
    domain of its due requests and the requests it took in this run."""

    def __init__(self, method, domain):
        self.method = method
        self.domain = domain
        self.taken = []

    def pending(self):
        """Its due requests not taken yet."""
        if not self.taken:
            return self.domain
        return self.domain & Domain("id", "not in", self.taken)

    def due(self, earlier):
        """Its due requests not taken yet, but for those an ``earlier`` step has still
        to take."""
        domain = self.pending()
        for step in earlier:
            domain &= ~step.pending()
        return domain


class HotrushRequest(models.Model):
    _inherit = "hotrush.request"

    @api.model
    def _cron_hotrush_sla(self, batch_size=CRON_BATCH_SIZE):
        """Scheduled action: new requests, opening notices, breaches with escalation,
        warnings, moved deadlines.

        The steps take turns, one batch each, until none has anything due: a backlog
        in one step (a big batch of breaches, say) never holds back the notices of
        the others by more than a batch (HR-85). A request still due in an earlier
        step waits for it, so a new request first gets its 'Respond by' activity,
        and a request whose opening and deadline both passed while the action did not
        run is announced, then escalated, and never warned about a deadline that is
        already over.
        """
        now = fields.Datetime.now()
        # sudo: the action checks the requests of every company, whoever its user is.
        # Each step reads and writes only the request it handles and notifies that
        # ticket's own team, so nothing of one customer reaches another. Its e-mails
        # are queued (as Odoo queues those of server actions), see _hotrush_cron_batch.
        requests = self.sudo().with_context(mail_notify_force_send=False)
        steps = [
            _CronStep(method, getattr(requests, domain_method)(now))
            for domain_method, method in requests._hotrush_cron_steps()
        ]
        while steps:
            progressed = False
            for step in list(steps):
                earlier = steps[: steps.index(step)]
                taken = requests._hotrush_cron_batch(step, earlier, now, batch_size)
                if taken is None:
                    return  # out of time: the job is rescheduled at once for the rest
                progressed = progressed or bool(taken)
                if taken < batch_size and not earlier:
                    # done: nothing of it is left to wait for an earlier step
                    steps.remove(step)
            if not progressed:
                # what is left waits for rows another worker holds: the next run's
                return

    @api.model
    def _hotrush_cron_steps(self):
        """(domain method of the requests, processing method of their tickets or of
        the requests, see ``_hotrush_request_steps``), in order."""
        return [
            ("_hotrush_cron_domain_request", "_hotrush_notify_request"),
            ("_hotrush_cron_domain_opening", "_hotrush_notify_opening"),
            ("_hotrush_cron_domain_breach", "_hotrush_escalate_breach"),
            ("_hotrush_cron_domain_warning", "_hotrush_warn"),
            ("_hotrush_cron_domain_moved", "_hotrush_tell_moves"),
        ]

    @api.model
    def _hotrush_request_steps(self):
        """The steps of ``_hotrush_cron_steps`` that are methods of the requests;
        the others are their tickets'."""
        return set()

    def _wake_at(self, now):
        """Wake the SLA action at each due moment of these requests still to come
        (``_due_moments``): one cron trigger per minute (the cron runner's
        precision), none twice. The periodic run stays as the safety net; a run
        woken for a request that ended or was answered meanwhile finds nothing to
        do."""
        cron = self._active_sla_cron()
        if not cron:
            return self.env["ir.cron.trigger"]
        minutes = {_minute_ceiling(moment) for moment in self._due_moments()}
        minutes = {minute for minute in minutes if minute > now}
        if not minutes:
            return self.env["ir.cron.trigger"]
        # sudo: which wake-ups of the SLA action exist already, nothing else
        Trigger = self.env["ir.cron.trigger"].sudo()
        domain = [("cron_id", "=", cron.id), ("call_at", "in", list(minutes))]
        planned = Trigger.search_fetch(domain, ["call_at"])
        return cron._trigger(sorted(minutes - set(planned.mapped("call_at"))))

    @api.model
    def _active_sla_cron(self):
        """The SLA scheduled action if it is active, else an empty recordset: it
        posts the pending notes and notices and runs the SLA steps (opening, warning,
        breach); without it they are done at once."""
        # sudo: whoever requests HotRush or moves deadlines wakes the action; nothing
        # else of it is read or changed
        cron = (
            self.env["ir.cron"]
            .sudo()
            .browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    SLA_CRON, raise_if_not_found=False
                )
            )
        )
        return cron if cron and cron.active else cron.browse()

    # ------------------------------------------------------------------
    # What is due
    # ------------------------------------------------------------------

    @api.model
    def _hotrush_cron_domain_request(self, now):
        """Undecided requests whose team has not been notified yet (HR-5)."""
        return Domain(
            [("status", "in", OPEN_STATUSES), ("team_notified_at", "=", False)]
        )

    @api.model
    def _hotrush_cron_domain_opening(self, now):
        """Requests queued outside working hours whose opening has come, not
        announced.

        Running requests are included: the status may have been moved by another
        route (e.g. a status refresh) without the team being told.
        """
        return Domain(
            [
                ("status", "in", OPEN_STATUSES),
                ("opening_at", "<=", now),
                ("opening_notified_at", "=", False),
            ]
        )

    @api.model
    def _hotrush_cron_domain_breach(self, now):
        """Requests unanswered after deadline plus grace, not escalated yet; ended
        ones never (a withdrawn or removed request has nobody left to answer)."""
        unanswered = Domain(
            [
                ("status", "in", (*OPEN_STATUSES, "breached")),
                ("first_response_at", "=", False),
                ("escalated_at", "=", False),
                ("ended_at", "=", False),
            ]
        )
        return unanswered & self._hotrush_cron_per_company(
            "hotrush_grace_minutes",
            lambda grace: Domain("deadline", "<", now - timedelta(minutes=grace)),
        )

    @api.model
    def _hotrush_cron_domain_warning(self, now):
        """Undecided requests whose deadline is within the warning lead.

        Only once their team had the 'Respond by' activity: a request committed while
        a run is past its first step is warned by the next run, after its notice.
        """
        undecided = Domain(
            [
                ("status", "in", OPEN_STATUSES),
                ("team_notified_at", "!=", False),
                ("warned_at", "=", False),
            ]
        )
        return undecided & self._hotrush_cron_per_company(
            "hotrush_warning_minutes",
            lambda lead: (
                Domain("deadline", "<=", now + timedelta(minutes=lead))
                if lead > 0
                else Domain.FALSE  # 0: the company does not want warnings
            ),
        )

    @api.model
    def _hotrush_cron_domain_moved(self, now):
        """Requests whose customer is still to be told of a moved deadline."""
        return Domain("event_ids", "any", Domain("notice_pending", "=", True))

    @api.model
    def _hotrush_cron_per_company(self, setting, condition):
        """OR of ``condition(value)`` for each value of a company setting.

        Companies sharing a value share one condition; when all share it there is no
        condition on the company at all (the usual case), so the search stays on the
        indexed fields.
        """
        # sudo: reads one setting of every company to select due requests; nothing
        # of it is shown or written anywhere.
        companies = (
            self.env["res.company"].sudo().with_context(active_test=False).search([])
        )
        groups = companies.grouped(setting)
        if len(groups) == 1:
            return condition(next(iter(groups)))
        return Domain.OR(
            Domain("company_id", "in", group.ids) & condition(value)
            for value, group in groups.items()
        )

    @api.model
    def _hotrush_cron_order(self, method):
        """The order a step takes its due requests in.

        An opening or a breach still on its minute goes before a backlog (what a long
        stop of the action, or a big batch of breaches, leaves): the freshest due
        moment first, since a notice already late by an hour gains nothing by going
        first, and one due a minute ago can still be on time (HR-85). Warnings go by
        the closest deadline; new requests in the order they came.
        """
        return {
            "_hotrush_notify_opening": "opening_at desc, id",
            "_hotrush_escalate_breach": "deadline desc, id",
            "_hotrush_warn": "deadline, id",
        }.get(method, "id")

    # ------------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------------

    @api.model
    def _hotrush_cron_run_step(self, domain, method, now, batch_size):
        """Run one step alone, ``method(now)`` on the tickets of the requests of
        ``domain``, in committed batches until none is left.

        :return: False when the scheduled action ran out of time
        """
        step = _CronStep(method, domain)
        while (
            taken := self._hotrush_cron_batch(step, [], now, batch_size)
        ) is not None:
            if taken < batch_size:
                return True
        return False

    @api.model
    def _hotrush_cron_batch(self, step, earlier, now, batch_size):
        """Run ``step`` on its next batch, in the step's order (``_hotrush_cron_order``)
        and commit it.

        Requests still due in an ``earlier`` step are left for it. A request taken
        once is not taken again in this run, so one that failed, or that still
        matches after processing, makes no endless loop; it is retried on the next
        run since it has no marker.

        :return: how many requests it took (fewer than ``batch_size``: none is due
            but those an earlier step has still to take), None when the scheduled
            action ran out of time
        """
        cron = self.env["ir.cron"]
        domain = step.due(earlier)
        requests = self._hotrush_cron_lock(
            domain, batch_size, order=self._hotrush_cron_order(step.method)
        )
        if not requests:
            return 0
        step.taken += requests.ids
        done = requests._hotrush_cron_process(step.method, now)
        if done:
            self._hotrush_wake_mail_queue()
        full = len(requests) == batch_size
        remaining = (
            self.search_count(domain & Domain("id", "not in", requests.ids))
            if full
            else 0
        )
        time_left = cron._commit_progress(len(done), remaining=remaining)
        if time_left:
            return len(requests)
        if not remaining:
            # other steps may have more: ask to be called again right away
            cron._commit_progress(remaining=1)
        return None

    @api.model
    def _hotrush_wake_mail_queue(self):
        """The e-mails of the notices a batch queued leave with its commit: Odoo's
        e-mail queue is woken for them (it sends them in batches)."""
        queue = self.env.ref(MAIL_QUEUE_CRON, raise_if_not_found=False)
        if queue:
            # sudo: wakes Odoo's e-mail queue, nothing else of it is read or changed
            queue.sudo()._trigger()

    @api.model
    def _hotrush_cron_lock(self, domain, limit, order="id"):
        """Select and lock up to ``limit`` requests of ``domain`` and their tickets in
        one statement, the first ones in ``order``.

        Rows another worker has locked are skipped rather than waited for, so no
        request is handled twice. A row that worker committed after this transaction
        began cannot be locked (repeatable read): then this step stops for this run
        and the next run, with fresh data, sees whether anything is left.
        """
        query = self._search(domain, order=order, limit=limit)
        if query.is_empty():
            return self.browse()
        # the request and its ticket: the steps write both (the ticket's copy of
        # the status, its activities), so neither waits for a user's transaction
        ticket = query.make_alias(self._table, "ticket_id")
        query.add_join(
            "JOIN",
            ticket,
            "helpdesk_ticket",
            SQL(
                "%s = %s",
                SQL.identifier(ticket, "id"),
                SQL.identifier(self._table, "ticket_id"),
            ),
        )
        sql = SQL(
            "%s FOR UPDATE OF %s, %s SKIP LOCKED",
            query.select(),
            SQL.identifier(self._table),
            SQL.identifier(ticket),
        )
        self.env.flush_query(sql)
        try:
            with self.env.cr.savepoint(flush=False):
                # an expected race, not a bad query: do not log it as an error
                self.env.cr.execute(sql, log_exceptions=False)
                rows = self.env.cr.fetchall()
        except SerializationFailure:
            _logger.info(
                "HotRush SLA check: requests changed concurrently; left to the next "
                "run."
            )
            return self.browse()
        return self.browse(row[0] for row in rows)

    def _hotrush_cron_process(self, method, now):
        """Run ``method(now)`` on the tickets of the batch, isolating failures.

        The batch runs in a savepoint; if it fails, request by request, so a ticket
        that raises is rolled back, logged and skipped while the others are
        processed.

        :return: the requests processed
        """
        # a step is the requests' own, or their tickets' (the notices they give)
        records = self if method in self._hotrush_request_steps() else self.ticket_id
        try:
            with self.env.cr.savepoint():
                getattr(records, method)(now)
        except Exception:
            if len(self) == 1:
                _logger.exception(
                    "HotRush SLA check %s failed for ticket %s (id %s); skipped, it "
                    "is retried on the next run.",
                    method,
                    self.ticket_id.number,
                    self.ticket_id.id,
                )
                return self.browse()
        else:
            return self
        done = self.browse()
        for request in self:
            done |= request._hotrush_cron_process(method, now)
        return done
