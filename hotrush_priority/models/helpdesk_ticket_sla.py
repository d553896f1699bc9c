# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time passes on HotRush tickets: the team's 'Respond by' activity (HR-5), and the
SLA scheduled action's opening notices, warnings and breach escalations (HR-50 … HR-53).

Each step selects tickets on stored, indexed fields, locks them with SKIP LOCKED in the
same statement (a second worker gets other tickets), writes a "done" marker with the
notice and commits per batch: a run can stop anywhere, run twice or run in parallel,
and every notice still goes out once. The notices of a batch are made together
(followers and activities at once, each note posted with what is the same for the
batch computed once), and their e-mails go to Odoo's e-mail queue, woken at once,
instead of being sent one by one after each commit.
"""

import logging
from datetime import timedelta

from markupsafe import escape
from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_datetime

from ..const import CRON_BATCH_SIZE, OPEN_STATUSES, RESPONSE_ACTIVITY

_logger = logging.getLogger(__name__)

# Odoo's e-mail queue, which sends the e-mails of the notices
MAIL_QUEUE_CRON = "mail.ir_cron_mail_scheduler_action"


# the markers below, which a new request clears
DONE_MARKERS = (
    "hotrush_team_notified_at",
    "hotrush_warned_at",
    "hotrush_escalated_at",
    "hotrush_opening_notified_at",
)


def _minute_ceiling(moment):
    """The first whole minute at or after ``moment``: cron triggers are per minute."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def _done_marker(string, help_text):
    """When the scheduled action gave a notice: set with it, in the same write, so
    that the notice goes out once; empty (and out of the index) until then."""
    return fields.Datetime(
        string=string,
        index="btree_not_null",
        copy=False,
        readonly=True,
        help=help_text,
    )


class _CronStep:
    """One step of a run of the SLA action: its processing method, the domain of its
    due tickets and the tickets it took in this run."""

    def __init__(self, method, domain):
        self.method = method
        self.domain = domain
        self.taken = []

    def pending(self):
        """Its due tickets not taken yet."""
        if not self.taken:
            return self.domain
        return self.domain & Domain("id", "not in", self.taken)

    def due(self, earlier):
        """Its due tickets not taken yet, but for those an ``earlier`` step has still
        to take."""
        domain = self.pending()
        for step in earlier:
            domain &= ~step.pending()
        return domain


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # "Done" markers of the SLA scheduled action: each notice goes out once per request
    hotrush_team_notified_at = _done_marker(
        "HotRush Team Notified On",
        "When the assignee (or the team leader) got the 'Respond by' activity of "
        "this request.",
    )
    hotrush_warned_at = _done_marker(
        "HotRush Warned On",
        "When the assignee (or the team leader) was warned that the response "
        "deadline approaches.",
    )
    hotrush_escalated_at = _done_marker(
        "HotRush Escalated On", "When the breach was escalated to the team leader."
    )
    hotrush_opening_notified_at = _done_marker(
        "HotRush Opening Notice On",
        "When the team was told that this ticket, queued outside working hours, is "
        "running.",
    )

    # ------------------------------------------------------------------
    # Hooks of the core
    # ------------------------------------------------------------------

    def _hotrush_start(self, created=False):
        res = super()._hotrush_start(created=created)
        self._hotrush_notify_team_soon()
        return res

    def _hotrush_start_vals(self, start, priority):
        # a new request gets every notice again
        vals = super()._hotrush_start_vals(start, priority)
        return dict(vals, **dict.fromkeys(DONE_MARKERS, False))

    def _hotrush_end(self, action, reason=False, note=False):
        res = super()._hotrush_end(action, reason=reason, note=note)
        self.activity_unlink([RESPONSE_ACTIVITY])
        return res

    def _hotrush_register_first_response(self, message):
        registered = super()._hotrush_register_first_response(message)
        if registered:
            self.activity_feedback(
                [RESPONSE_ACTIVITY],
                feedback=self.env._(
                    "Answered by %(user)s.", user=message.author_id.name
                ),
            )
        return registered

    def _hotrush_system_fields(self):
        return super()._hotrush_system_fields() | set(DONE_MARKERS)

    def _hotrush_deadline_moved(self, before, why):
        """A moved deadline gets its notices again when their moment is still to
        come, and the SLA action is woken at the new moments."""
        res = super()._hotrush_deadline_moved(before, why)
        now = fields.Datetime.now()
        for ticket in self:
            vals = {}
            if ticket.hotrush_warned_at and ticket._hotrush_warning_time() > now:
                vals["hotrush_warned_at"] = False
            queued = ticket.hotrush_queued_until
            if ticket.hotrush_opening_notified_at and queued and queued > now:
                vals["hotrush_opening_notified_at"] = False
            if vals:
                # sudo: done markers are system fields, moved with the deadline
                ticket.sudo().write(vals)
        self._hotrush_wake_at_due_moments(now)
        return res

    # ------------------------------------------------------------------
    # Due moments: the SLA action wakes when something is due (HR-85)
    # ------------------------------------------------------------------

    def _hotrush_warning_time(self):
        """When the assignee is warned: the warning lead before the deadline, or
        ``False`` when the company wants no warnings."""
        self.ensure_one()
        lead = (self.company_id or self.env.company).hotrush_warning_minutes
        return lead and self.hotrush_deadline - timedelta(minutes=lead)

    def _hotrush_due_moments(self):
        """The moments the SLA action has something to do for these undecided
        tickets: the opening of a queued one, its warning, its breach (the first
        instant after the deadline plus grace)."""
        moments, plans = set(), set()
        for ticket in self:
            if ticket.hotrush_sla_status not in OPEN_STATUSES:
                continue
            if not ticket.hotrush or not ticket.hotrush_deadline:
                continue
            # tickets planned alike have the same moments (a re-planning moves
            # thousands of deadlines to a few hundred distinct ones)
            plan = (
                ticket.company_id,
                ticket.hotrush_queued_until,
                ticket.hotrush_deadline,
            )
            if plan in plans:
                continue
            plans.add(plan)
            moments.add(ticket.hotrush_queued_until)
            moments.add(ticket._hotrush_warning_time())
            moments.add(ticket._hotrush_breach_time() + timedelta(seconds=1))
        moments.discard(False)
        return moments

    def _hotrush_wake_at_due_moments(self, now):
        """Wake the SLA action at each due moment of these tickets to come: one cron
        trigger per minute (the cron runner's precision), none twice. The periodic
        run stays as the safety net; a run woken for a ticket whose urgency ended or
        that was answered meanwhile finds nothing to do."""
        cron = self._hotrush_active_sla_cron()
        if not cron:
            return self.env["ir.cron.trigger"]
        minutes = {_minute_ceiling(moment) for moment in self._hotrush_due_moments()}
        minutes = {minute for minute in minutes if minute > now}
        if not minutes:
            return self.env["ir.cron.trigger"]
        # sudo: which wake-ups of the SLA action exist already, nothing else
        Trigger = self.env["ir.cron.trigger"].sudo()
        domain = [("cron_id", "=", cron.id), ("call_at", "in", list(minutes))]
        planned = Trigger.search_fetch(domain, ["call_at"])
        return cron._trigger(sorted(minutes - set(planned.mapped("call_at"))))

    # ------------------------------------------------------------------
    # The team's 'Respond by' activity (HR-5)
    # ------------------------------------------------------------------

    def _hotrush_notify_team_soon(self):
        """HR-5: the team hears of the request at once, from the SLA scheduled action.

        The action is triggered to run as soon as this transaction commits; it gives
        the assignee or team leader the 'Respond by' activity, with Odoo's follower
        subscription and assignment notice, for every new request in one batch. The
        request itself stays fast. When the action is inactive, it is done here.
        """
        cron = self._hotrush_active_sla_cron()
        if cron:
            cron._hotrush_wake_now()
        else:
            self._hotrush_notify_request(fields.Datetime.now())

    def _hotrush_notify_request(self, now):
        """'Respond by <deadline>' for the assignee or team leader, once per request.

        A ticket that already has an open HotRush response activity (given before this
        step existed) keeps it and gets no second one.
        """
        # sudo: a done marker (system field), whoever's request or run set it off
        self.sudo().write({"hotrush_team_notified_at": now})
        self._hotrush_log_pending_notes()
        (
            self - self._hotrush_with_response_activity()
        )._hotrush_schedule_response_activity()
        self._hotrush_wake_at_due_moments(now)

    def _hotrush_transfer(self, previous_teams):
        res = super()._hotrush_transfer(previous_teams)
        self._hotrush_hand_over_activities(previous_teams)
        return res

    def _hotrush_hand_over_activities(self, previous_teams):
        """What the previous team's leader had to do for these requests (the 'Respond
        by' of an unassigned ticket, an escalation, a booked live chat) goes to the
        receiving team's leader; the assignee keeps theirs.

        :param previous_teams: ticket id -> its team before the move
        """
        type_ids = self.env["mail.activity"]._hotrush_activity_type_ids()
        # sudo: the rules hand over the HotRush activities of these tickets only
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "in", list(type_ids)),
                ]
            )
        )
        for activity in activities:
            ticket = self.browse(activity.res_id)
            before = previous_teams[ticket.id].user_id
            leader = self._hotrush_staff(ticket.team_id.user_id)[:1]
            if (
                leader
                and activity.user_id == before
                and before not in (leader, ticket.user_id)
            ):
                activity.user_id = leader

    def _hotrush_with_response_activity(self):
        """The tickets of ``self`` with an open HotRush response activity."""
        # sudo: only which tickets have one, whoever runs the step
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", self.env.ref(RESPONSE_ACTIVITY).id),
                ],
                ["res_id"],
            )
        )
        return self.browse({activity.res_id for activity in activities})

    def _hotrush_schedule_response_activity(self):
        """'Respond by <deadline>' for the assignee, or the team leader if unassigned.

        Created for the batch at once, as ``activity_schedule`` would per ticket
        (followers are subscribed per user). Users are told of activities assigned
        to them, except when they requested HotRush themselves.
        """
        Activity = self.env["mail.activity"]
        if self.env.context.get("mail_activity_automation_skip"):
            return Activity
        to_tell, own = [], []
        for ticket in self:
            user = ticket._hotrush_responsible_user()
            if user:
                vals = ticket._hotrush_response_activity_vals(user)
                (own if user == ticket.hotrush_requested_by_id else to_tell).append(
                    vals
                )
        return Activity.create(to_tell) | Activity.with_context(
            mail_activity_quick_update=True
        ).create(own)

    def _hotrush_response_activity_vals(self, user):
        self.ensure_one()
        tz = user.tz or "UTC"
        deadline = self.hotrush_deadline
        local = fields.Datetime.context_timestamp(self.with_context(tz=tz), deadline)
        summary = self.env._(
            "Respond by %(deadline)s",
            deadline=format_datetime(self.env, deadline, tz=tz, dt_format="short"),
        )
        return self._hotrush_activity_vals(user, summary, local.date())

    def _hotrush_activity_vals(self, user, summary, date_deadline):
        """A HotRush response activity of this ticket for ``user``, automated, as
        ``activity_schedule`` would make it."""
        self.ensure_one()
        # the type's id from the registry's cache (ref() would check it exists, a
        # query per activity)
        activity_type = self.env["mail.activity.type"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id(RESPONSE_ACTIVITY)
        )
        return {
            "activity_type_id": activity_type.id,
            "summary": summary,
            "note": activity_type.default_note,
            "automated": True,
            "date_deadline": date_deadline,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "user_id": user.id,
        }

    # ------------------------------------------------------------------
    # Scheduled action (HR-50 … HR-53)
    # ------------------------------------------------------------------

    @api.model
    def _cron_hotrush_sla(self, batch_size=CRON_BATCH_SIZE):
        """Scheduled action: new requests, opening notices, breaches with escalation,
        warnings.

        The steps take turns, one batch each, until none has anything due: a backlog
        in one step (a big batch of breaches, say) never holds back the notices of
        the others by more than a batch (HR-85). A ticket still due in an earlier
        step waits for it, so a new request first gets its 'Respond by' activity,
        and a ticket whose opening and deadline both passed while the action did not
        run is announced, then escalated, and never warned about a deadline that is
        already over.
        """
        now = fields.Datetime.now()
        # sudo: the action checks the tickets of every company, whoever its user is.
        # Each step reads and writes only the ticket it handles and notifies that
        # ticket's own team, so nothing of one customer reaches another. Its e-mails
        # are queued (as Odoo queues those of server actions), see _hotrush_cron_batch.
        tickets = self.sudo().with_context(mail_notify_force_send=False)
        steps = [
            _CronStep(method, getattr(tickets, domain_method)(now))
            for domain_method, method in tickets._hotrush_cron_steps()
        ]
        while steps:
            progressed = False
            for step in list(steps):
                earlier = steps[: steps.index(step)]
                taken = tickets._hotrush_cron_batch(step, earlier, now, batch_size)
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
        """(domain method, processing method) names of the steps, in order."""
        return [
            ("_hotrush_cron_domain_request", "_hotrush_notify_request"),
            ("_hotrush_cron_domain_opening", "_hotrush_notify_opening"),
            ("_hotrush_cron_domain_breach", "_hotrush_escalate_breach"),
            ("_hotrush_cron_domain_warning", "_hotrush_warn"),
            ("_hotrush_cron_domain_moved", "_hotrush_tell_moves"),
        ]

    @api.model
    def _hotrush_cron_domain_request(self, now):
        """Undecided HotRush requests whose team has not been notified yet (HR-5)."""
        return Domain(
            [
                ("hotrush_sla_status", "in", OPEN_STATUSES),
                ("hotrush_team_notified_at", "=", False),
            ]
        )

    @api.model
    def _hotrush_cron_domain_opening(self, now):
        """Tickets queued outside working hours whose opening has come, not announced.

        Running tickets are included: the status may have been moved by another
        route (e.g. a status refresh) without the team being told.
        """
        return Domain(
            [
                ("hotrush_sla_status", "in", OPEN_STATUSES),
                ("hotrush_queued_until", "<=", now),
                ("hotrush_opening_notified_at", "=", False),
                ("hotrush_queue_deadline", "!=", False),
            ]
        )

    @api.model
    def _hotrush_cron_domain_breach(self, now):
        """HotRush tickets unanswered after deadline plus grace, not escalated yet.

        ``hotrush_queue_deadline`` is empty once urgency ended, so withdrawn or removed
        tickets never match; met tickets have a first response.
        """
        unanswered = Domain(
            [
                ("hotrush_sla_status", "in", (*OPEN_STATUSES, "breached")),
                ("hotrush_first_response_at", "=", False),
                ("hotrush_escalated_at", "=", False),
            ]
        )
        return unanswered & self._hotrush_cron_per_company(
            "hotrush_grace_minutes",
            lambda grace: Domain(
                "hotrush_queue_deadline", "<", now - timedelta(minutes=grace)
            ),
        )

    @api.model
    def _hotrush_cron_domain_warning(self, now):
        """Undecided HotRush tickets whose deadline is within the warning lead.

        Only once their team had the 'Respond by' activity: a request committed while
        a run is past its first step is warned by the next run, after its notice.
        """
        undecided = Domain(
            [
                ("hotrush_sla_status", "in", OPEN_STATUSES),
                ("hotrush_team_notified_at", "!=", False),
                ("hotrush_warned_at", "=", False),
            ]
        )
        return undecided & self._hotrush_cron_per_company(
            "hotrush_warning_minutes",
            lambda lead: (
                Domain("hotrush_queue_deadline", "<=", now + timedelta(minutes=lead))
                if lead > 0
                else Domain.FALSE  # 0: the company does not want warnings
            ),
        )

    @api.model
    def _hotrush_cron_per_company(self, setting, condition):
        """OR of ``condition(value)`` for each value of a company setting.

        Companies sharing a value share one condition; when all share it there is no
        condition on the company at all (the usual case), so the search stays on the
        indexed HotRush fields.
        """
        # sudo: reads one setting of every company to select due tickets; nothing of it
        # is shown or written anywhere.
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
        """The order a step takes its due tickets in.

        An opening or a breach still on its minute goes before a backlog (what a long
        stop of the action, or a big batch of breaches, leaves): the freshest due
        moment first, since a notice already late by an hour gains nothing by going
        first, and one due a minute ago can still be on time (HR-85). Warnings go by
        the closest deadline; new requests in the order they came.
        """
        return {
            "_hotrush_notify_opening": "hotrush_queued_until desc, id",
            "_hotrush_escalate_breach": "hotrush_queue_deadline desc, id",
            "_hotrush_warn": "hotrush_queue_deadline, id",
        }.get(method, "id")

    @api.model
    def _hotrush_cron_run_step(self, domain, method, now, batch_size):
        """Run one step alone, ``method(now)`` on the tickets of ``domain``, in
        committed batches until none is left.

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

        Tickets still due in an ``earlier`` step are left for it. A ticket taken once
        is not taken again in this run, so one that failed, or that still matches
        after processing, makes no endless loop; it is retried on the next run since
        it has no marker.

        :return: how many tickets it took (fewer than ``batch_size``: none is due
            but those an earlier step has still to take), None when the scheduled
            action ran out of time
        """
        cron = self.env["ir.cron"]
        domain = step.due(earlier)
        tickets = self._hotrush_cron_lock(
            domain, batch_size, order=self._hotrush_cron_order(step.method)
        )
        if not tickets:
            return 0
        step.taken += tickets.ids
        done = tickets._hotrush_cron_process(step.method, now)
        if done:
            self._hotrush_wake_mail_queue()
        full = len(tickets) == batch_size
        remaining = (
            self.search_count(domain & Domain("id", "not in", tickets.ids))
            if full
            else 0
        )
        time_left = cron._commit_progress(len(done), remaining=remaining)
        if time_left:
            return len(tickets)
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
        """Select and lock up to ``limit`` tickets of ``domain`` in one statement,
        the first ones in ``order``.

        Rows another worker has locked are skipped rather than waited for, so no
        ticket is handled twice. A row that worker committed after this transaction
        began cannot be locked (repeatable read): then this step stops for this run
        and the next run, with fresh data, sees whether anything is left.
        """
        query = self._search(domain, order=order, limit=limit)
        if query.is_empty():
            return self.browse()
        sql = SQL("%s FOR UPDATE SKIP LOCKED", query.select())
        self.env.flush_query(sql)
        try:
            with self.env.cr.savepoint(flush=False):
                # an expected race, not a bad query: do not log it as an error
                self.env.cr.execute(sql, log_exceptions=False)
                rows = self.env.cr.fetchall()
        except SerializationFailure:
            _logger.info(
                "HotRush SLA check: tickets changed concurrently; left to the next run."
            )
            return self.browse()
        return self.browse(row[0] for row in rows)

    def _hotrush_cron_process(self, method, now):
        """Run ``method(now)`` on the batch, isolating failures.

        The batch runs in a savepoint; if it fails, ticket by ticket, so a ticket that
        raises is rolled back, logged and skipped while the others are processed.

        :return: the tickets processed
        """
        try:
            with self.env.cr.savepoint():
                getattr(self, method)(now)
        except Exception:
            if len(self) == 1:
                _logger.exception(
                    "HotRush SLA check %s failed for ticket %s (id %s); skipped, it "
                    "is retried on the next run.",
                    method,
                    self.number,
                    self.id,
                )
                return self.browse()
        else:
            return self
        done = self.browse()
        for ticket in self:
            done |= ticket._hotrush_cron_process(method, now)
        return done

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------

    def _hotrush_notify_opening(self, now):
        """Support opened: the queued tickets run now; their team is told, once."""
        self._hotrush_update_sla_status(now)
        # sudo: done markers are system fields; the scheduled action runs as
        # superuser already (see _cron_hotrush_sla), a manual call may not
        self.sudo().write({"hotrush_opening_notified_at": now})
        self._hotrush_post_notices(
            [
                (
                    ticket,
                    ticket._hotrush_opening_message(),
                    ticket._hotrush_team_users(),
                )
                for ticket in self
            ]
        )

    def _hotrush_escalate_breach(self, now):
        """Deadline plus grace passed unanswered: breached, escalated to the leader."""
        self._hotrush_update_sla_status(now)
        breached = self.filtered(
            lambda t: (
                t.hotrush_sla_status == "breached" and not t.hotrush_first_response_at
            )
        )
        # sudo: done markers are system fields; the scheduled action runs as
        # superuser already (see _cron_hotrush_sla), a manual call may not
        breached.sudo().write({"hotrush_escalated_at": now})
        leaders = {ticket: ticket._hotrush_escalation_user() for ticket in breached}
        for leader, tickets in breached.grouped(leaders.get).items():
            if leader:
                tickets.message_subscribe(partner_ids=leader.partner_id.ids)
        breached._hotrush_schedule_cron_activities(
            [
                (
                    ticket,
                    leader,
                    self.env._(
                        "HotRush breached: answer now (deadline %(deadline)s)",
                        deadline=ticket._hotrush_format(
                            ticket.hotrush_deadline, tz=leader.tz
                        ),
                    ),
                )
                for ticket, leader in leaders.items()
                if leader
            ]
        )
        breached._hotrush_post_notices(
            [
                (ticket, ticket._hotrush_breach_message(leader), leader)
                for ticket, leader in leaders.items()
            ]
        )
        for ticket, leader in leaders.items():
            _logger.info(
                "HotRush ticket %s (id %s) breached its deadline %s; escalated to %s",
                ticket.number,
                ticket.id,
                ticket.hotrush_deadline,
                leader.login or "nobody (no team leader)",
            )

    def _hotrush_warn(self, now):
        """Deadline within the warning lead: activity and message, once."""
        # sudo: done markers are system fields; the scheduled action runs as
        # superuser already (see _cron_hotrush_sla), a manual call may not
        self.sudo().write({"hotrush_warned_at": now})
        activities, notices = [], []
        for ticket in self:
            user = ticket._hotrush_responsible_user()
            deadline = ticket._hotrush_format(
                ticket.hotrush_deadline, tz=user.tz or None
            )
            if user:
                activities.append(
                    (
                        ticket,
                        user,
                        self.env._(
                            "HotRush deadline approaching: respond by %(deadline)s",
                            deadline=deadline,
                        ),
                    )
                )
            minutes = max(int((ticket.hotrush_deadline - now).total_seconds()) // 60, 0)
            notices.append(
                (
                    ticket,
                    self.env._(
                        "HotRush deadline approaching: respond publicly by "
                        "%(deadline)s (%(minutes)s minutes left).",
                        deadline=deadline,
                        minutes=minutes,
                    ),
                    user,
                )
            )
        self._hotrush_schedule_cron_activities(activities)
        self._hotrush_post_notices(notices)

    # ------------------------------------------------------------------
    # Notices
    # ------------------------------------------------------------------

    def _hotrush_opening_message(self):
        self.ensure_one()
        return self.env._(
            "Support is open: this HotRush ticket, queued since %(requested)s, now "
            "counts working time. Respond by %(deadline)s.",
            requested=self._hotrush_format(self.hotrush_requested_at),
            deadline=self._hotrush_format(self.hotrush_deadline),
        )

    def _hotrush_breach_message(self, leader):
        self.ensure_one()
        if leader:
            return self.env._(
                "HotRush SLA breached: no public answer by %(deadline)s. Escalated to "
                "the team leader %(leader)s.",
                deadline=self._hotrush_format(self.hotrush_deadline),
                leader=leader.name,
            )
        return self.env._(
            "HotRush SLA breached: no public answer by %(deadline)s. The team has no "
            "leader to escalate to.",
            deadline=self._hotrush_format(self.hotrush_deadline),
        )

    def _hotrush_escalation_user(self):
        """Who a breach is escalated to: the team leader (support staff only)."""
        self.ensure_one()
        return self._hotrush_staff(self.team_id.user_id)

    def _hotrush_team_users(self):
        """Who hears that support opened on a queued ticket: leader and members
        (support staff only)."""
        self.ensure_one()
        return self._hotrush_staff(self.team_id.user_id | self.team_id.user_ids)

    def _hotrush_post_notices(self, notices):
        """Internal notes that notify their users, ``notices`` being
        ``(ticket, body, users)`` for tickets of ``self``, one per ticket.

        Posted as ``message_post`` posts them (same values, hooks and notification
        to the users), for the batch at once: what it would compute again for each
        note is computed once (the author) or for all the tickets together (their
        reply-to address, alias domain, company and thread parent), and the
        messages are made in one insert; then each is notified.

        :return: the messages
        """
        if not notices:
            return self.env["mail.message"]
        tickets = self._fallback_lang()
        author_id, email_from = tickets._message_compute_author()
        reply_to = tickets._notify_get_reply_to(default=email_from, author_id=author_id)
        # sudo: as message_post reads them, the alias domain of each ticket
        domains = tickets.sudo()._mail_get_alias_domains(
            default_company=self.env.company
        )
        companies = tickets._mail_get_companies(default=self.env.company)
        parents = tickets._hotrush_thread_parents()
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        values_list = [
            {
                "author_id": author_id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": self._name,
                "res_id": ticket.id,
                "body": escape(body),
                "message_type": "notification",
                "parent_id": parents.get(ticket.id, False),
                "subject": False,
                "subtype_id": note,
                "partner_ids": users.partner_id.ids,
                "incoming_email_to": False,
                "incoming_email_cc": False,
                "outgoing_email_to": False,
                "email_add_signature": True,
                "record_alias_domain_id": domains[ticket.id].id,
                "record_company_id": companies[ticket.id].id,
                "reply_to": reply_to[ticket.id],
                "attachment_ids": [],
            }
            for ticket, body, users in notices
        ]
        messages = tickets._message_create(values_list)
        for (ticket, _body, _users), message, values in zip(
            notices, messages, values_list, strict=True
        ):
            ticket = ticket.with_env(tickets.env)
            ticket._message_post_after_hook(message, values)
            ticket._notify_thread(message, values)
        return messages

    def _hotrush_thread_parents(self):
        """The message each ticket's next post answers, as ``message_post`` finds it
        (``_message_compute_parent_id`` of a flat thread): of its last 200 messages
        but user notifications, the last comment or e-mail, else the last one.

        :return: {ticket id: message id}, tickets without messages left out
        """
        if not self._mail_flat_thread:
            return {}
        self.env["mail.message"].flush_model(
            ["model", "res_id", "message_type", "date", "create_date"]
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (res_id) res_id, id
                     FROM (SELECT id, res_id, message_type, date, create_date,
                                  row_number() OVER (PARTITION BY res_id
                                                     ORDER BY date DESC, id DESC) AS n
                             FROM mail_message
                            WHERE model = %s AND res_id IN %s
                              AND message_type != 'user_notification') recent
                    WHERE n <= 200
                 ORDER BY res_id, message_type IN ('comment', 'email') DESC,
                          COALESCE(date, create_date) DESC, id DESC""",
                self._name,
                tuple(self.ids),
            )
        )
        return dict(rows)

    def _hotrush_schedule_cron_activities(self, todo):
        """HotRush response activities due today (in each user's time zone), made
        at once as ``activity_schedule`` makes them, ``todo`` being
        ``(ticket, user, summary)`` for tickets of ``self``.

        Same type as the response activity, so the first response marks them done
        and ending urgency removes them.
        """
        Activity = self.env["mail.activity"]
        if self.env.context.get("mail_activity_automation_skip") or not todo:
            return Activity
        return Activity.create(
            [
                ticket._hotrush_activity_vals(
                    user,
                    summary,
                    fields.Date.context_today(ticket.with_context(tz=user.tz or "UTC")),
                )
                for ticket, user, summary in todo
            ]
        )
