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

from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.tools import SQL, format_datetime

from ..const import RESPONSE_ACTIVITY
from .hotrush_request import request_field

_logger = logging.getLogger(__name__)


# the context key of the tracking logs of a batch of tickets, made together
TRACKING_LOGS = "hotrush_tracking_logs"


class _TrackingLogs:
    """The tracking notes Odoo logs one by one for a batch of tickets, kept to be
    logged in one insert. Equal only to itself (it travels in the context)."""

    __slots__ = ("logs",)

    def __init__(self):
        self.logs = []  # (ticket, body, author id, tracking value commands)

    def takes(self, kwargs):
        """Whether a ``_message_log`` call is a plain tracking note."""
        return set(kwargs) <= {"body", "author_id", "tracking_value_ids"}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # "Done" markers of the SLA scheduled action: each notice once per request
    hotrush_team_notified_at = request_field(
        fields.Datetime, "team_notified_at", "HotRush Team Notified On"
    )
    hotrush_warned_at = request_field(fields.Datetime, "warned_at", "HotRush Warned On")
    hotrush_escalated_at = request_field(
        fields.Datetime, "escalated_at", "HotRush Escalated On"
    )
    hotrush_opening_notified_at = request_field(
        fields.Datetime, "opening_notified_at", "HotRush Opening Notice On"
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        if "active" in vals and not vals["active"]:
            # an archived ticket takes its HotRush activities with it (HR-88): those
            # moved to another ticket first (as helpdesk_mgmt_merge does) too
            self._hotrush_cancel_moved_activities()
        return res

    def _hotrush_responsible_user(self):
        """Who answers the request: the assignee, else the team leader; support staff
        only (an internal user). helpdesk_mgmt's auto-assignment gives a ticket
        e-mailed by a portal user to that user: the activities and the internal notes
        of its deadline go to the team leader then, never to the customer."""
        self.ensure_one()
        return self._hotrush_staff(self.user_id | self.team_id.user_id)[:1]

    @api.model
    def _hotrush_staff(self, users):
        """Of ``users``, the support staff: internal users, in their order. Who gets
        the SLA action's internal notes and activities; never a portal user."""
        return users.filtered(lambda user: not user.share)

    def _hotrush_cancel_moved_activities(self):
        """Cancel the HotRush activities of these tickets' requests that were moved
        to other records (see ``mail_activity.py``)."""
        # sudo: the activities made for these tickets, wherever they were moved and
        # whoever is assigned to them; the archiving user may write these tickets
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search([("hotrush_moved_from_id", "in", self.ids)])
        )
        activities.unlink()
        return activities

    # ------------------------------------------------------------------
    # Hooks of the core
    # ------------------------------------------------------------------

    def _hotrush_start(self, created=False):
        res = super()._hotrush_start(created=created)
        self._hotrush_notify_team_soon()
        return res

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

    def _hotrush_deadline_moved(self, before, why):
        """A moved deadline gets its notices again when their moment is still to
        come, and the SLA action is woken at the new moments."""
        res = super()._hotrush_deadline_moved(before, why)
        now = fields.Datetime.now()
        requests = self._hotrush_request()
        # a few of thousands moved requests are marked: searched, not looped over
        warned = requests.search(
            [("id", "in", requests.ids), ("warned_at", "!=", False)]
        )
        warned.filtered(lambda r: r._warning_time() > now).write({"warned_at": False})
        announced = requests.search(
            [
                ("id", "in", requests.ids),
                ("opening_notified_at", "!=", False),
                ("opening_at", ">", now),
            ]
        )
        announced.write({"opening_notified_at": False})
        self._hotrush_wake_at_due_moments(now, requests)
        return res

    # ------------------------------------------------------------------
    # Tracking of a batch: the SLA action moves hundreds of statuses at once
    # ------------------------------------------------------------------

    def _message_track(self, fields_iter, initial_values_dict):
        """Odoo logs the tracking note of each ticket in its own insert; a batch of
        tickets (the SLA action's hundreds of statuses) gets its notes in one."""
        if len(self) < 2:
            return super()._message_track(fields_iter, initial_values_dict)
        logs = _TrackingLogs()
        tracking = super(
            HelpdeskTicket, self.with_context(**{TRACKING_LOGS: logs})
        )._message_track(fields_iter, initial_values_dict)
        self._hotrush_log_tracking(logs.logs)
        return tracking

    def _message_log(self, **kwargs):
        logs = self.env.context.get(TRACKING_LOGS)
        if isinstance(logs, _TrackingLogs) and logs.takes(kwargs):
            self.ensure_one()
            logs.logs.append(
                (
                    self,
                    kwargs.get("body", ""),
                    kwargs.get("author_id"),
                    kwargs.get("tracking_value_ids") or [],
                )
            )
            return self.env["mail.message"]
        return super()._message_log(**kwargs)

    def _hotrush_log_tracking(self, logs):
        """Log the tracking notes ``logs`` as ``_message_log`` would, the notes of
        one author in one insert, then their tracking values in one.

        :return: the notes
        """
        per_author = {}
        for ticket, body, author_id, commands in logs:
            per_author.setdefault(author_id, []).append((ticket, body, commands))
        messages = self.env["mail.message"]
        values = []
        for author_id, entries in per_author.items():
            tickets = self.browse([ticket.id for ticket, _body, _commands in entries])
            notes = tickets._message_log_batch(
                {ticket.id: body for ticket, body, _commands in entries},
                author_id=author_id,
            )
            note_of = {note.res_id: note for note in notes}
            for ticket, _body, commands in entries:
                values += [
                    dict(command[2], mail_message_id=note_of[ticket.id].id)
                    for command in commands
                    if command[0] == Command.CREATE
                ]
            messages |= notes
        # sudo: the tracking values of the notes just logged, as Odoo logs them
        self.env["mail.tracking.value"].sudo().create(values)
        return messages

    # ------------------------------------------------------------------
    # Due moments: the SLA action wakes when something is due (HR-85)
    # ------------------------------------------------------------------

    def _hotrush_wake_at_due_moments(self, now, requests=None):
        """Wake the SLA action at the due moments of these HotRush tickets' current
        requests (of ``requests`` when given), see ``hotrush.request._wake_at``."""
        if requests is None:
            requests = self.filtered("hotrush")._hotrush_request()
        return requests._wake_at(now)

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
        cron = self.env["hotrush.request"]._active_sla_cron()
        if cron:
            cron._hotrush_wake_now()
        else:
            self._hotrush_notify_request(fields.Datetime.now())

    def _hotrush_notify_request(self, now):
        """'Respond by <deadline>' for the assignee or team leader, once per request.

        A ticket that already has an open HotRush response activity (given before this
        step existed) keeps it and gets no second one.
        """
        self._hotrush_mark("hotrush_team_notified_at", now)
        self._hotrush_request()._log_pending_notes()
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
    # Steps
    # ------------------------------------------------------------------

    def _hotrush_notify_opening(self, now):
        """Support opened: the queued tickets run now; their team is told, once."""
        self._hotrush_update_sla_status(now)
        self._hotrush_mark("hotrush_opening_notified_at", now)
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
        breached._hotrush_mark("hotrush_escalated_at", now)
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
        self._hotrush_mark("hotrush_warned_at", now)
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
