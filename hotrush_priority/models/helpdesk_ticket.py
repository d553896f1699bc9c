# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The HotRush core of a ticket: the flag, its current request (``hotrush.request``,
read through fields of the ticket), eligibility, the create / write guard that turns
the flag into the request's transitions, and the first response.

Satellites extend it through the hooks ``_hotrush_start``, ``_hotrush_start_vals``,
``_hotrush_end``, ``_hotrush_transfer``, ``_hotrush_register_first_response``,
``_hotrush_system_fields``, ``create`` and ``write``: the
actions (helpdesk_ticket_actions.py), the SLA steps and activities
(helpdesk_ticket_sla.py), the customer's notices, the live chat, billing, the e-mail
channel and the portal. This file never calls them; it calls the request's
transitions, which record their events (hotrush_request_audit.py).
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_datetime, ormcache

from ..const import END_ARGUMENTS, HIGHEST_PRIORITY, SUPPORT_GROUP, USER_END_ACTIONS
from .hotrush_request import request_field


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    hotrush = fields.Boolean(
        string="HotRush",
        copy=False,
        tracking=True,
        help="Urgent support: an agent answers within the response target of working "
        "time; billed at the HotRush rate.",
    )

    hotrush_offered = fields.Boolean(related="team_id.hotrush_offered")

    hotrush_request_id = fields.Many2one(
        comodel_name="hotrush.request",
        string="HotRush Request",
        compute="_compute_hotrush_request_id",
        store=True,
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The ticket's current (or last) HotRush request.",
    )
    hotrush_request_ids = fields.One2many(
        comodel_name="hotrush.request",
        inverse_name="ticket_id",
        string="HotRush Requests",
        context={"active_test": False},
    )
    hotrush_event_ids = fields.One2many(
        "hotrush.event", "ticket_id", string="HotRush History", readonly=True
    )

    # the current request, as the ticket's forms, lists and rules read it
    hotrush_requested_at = request_field(
        fields.Datetime, "requested_at", "HotRush Requested On"
    )
    hotrush_requested_by_id = request_field(
        fields.Many2one, "requested_by_id", "HotRush Requested By"
    )
    hotrush_plan_team_id = request_field(
        fields.Many2one, "team_id", "HotRush Planned On"
    )
    hotrush_deadline = request_field(
        fields.Datetime, "deadline", "Response Deadline", tracking=True
    )
    hotrush_queued_until = request_field(fields.Datetime, "opening_at", "Queued Until")
    hotrush_first_response_at = request_field(
        fields.Datetime, "first_response_at", "First Response On", tracking=True
    )
    hotrush_first_response_user_id = request_field(
        fields.Many2one, "first_response_user_id", "First Response By"
    )
    hotrush_first_response_message_id = request_field(
        fields.Many2one, "first_response_message_id", "HotRush First Response"
    )
    hotrush_response_working_minutes = request_field(
        fields.Float,
        "response_working_minutes",
        "First Response Time (working minutes)",
    )
    # stored: the lists group and filter tickets by it
    hotrush_sla_status = request_field(
        fields.Selection,
        "status",
        "SLA Status",
        store=True,
        index="btree_not_null",
        tracking=True,
    )
    hotrush_priority_before = request_field(
        fields.Char, "priority_before", "Priority Before HotRush"
    )
    hotrush_end_action = request_field(
        fields.Selection, "end_action", "HotRush Ended By", tracking=True
    )
    hotrush_ended_at = request_field(fields.Datetime, "ended_at", "HotRush Ended On")
    hotrush_end_reason = request_field(
        fields.Selection, "end_reason", "HotRush End Reason"
    )
    hotrush_end_note = request_field(fields.Text, "end_note", "HotRush End Note")

    # the queue's sort key: the deadline while the request awaits its first
    # response; sorted through the request (one row written when a deadline moves)
    hotrush_queue_deadline = request_field(
        fields.Datetime, "queue_deadline", "HotRush Queue Deadline"
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------

    @api.depends("hotrush_request_ids")
    def _compute_hotrush_request_id(self):
        """The last request made: a ticket requested again has a new one."""
        for ticket in self:
            requests = ticket.hotrush_request_ids
            ticket.hotrush_request_id = requests and max(requests, key=lambda r: r.id)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("hotrush", "team_id", "category_id")
    def _check_hotrush_eligibility(self):
        for ticket in self.filtered("hotrush"):
            if not ticket.team_id.hotrush_offered:
                raise ValidationError(
                    self.env["helpdesk.ticket.team"]._hotrush_refusal_message(
                        ticket.company_id
                    )
                )
            if ticket.category_id.hotrush_not_eligible:
                raise ValidationError(
                    self.env._(
                        "HotRush is not available for %(category)s questions. "
                        "Please submit the ticket without HotRush; it will be "
                        "answered at the normal support rate.",
                        category=ticket.category_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hotrush_check_system_fields(vals)
        vals_list, requested = self._hotrush_prepare_create(vals_list)
        split = [self._hotrush_split_request_vals(vals) for vals in vals_list]
        tickets = super().create([vals for vals, _request_vals in split])
        with_request = [
            (ticket.id, request_vals)
            for ticket, (_vals, request_vals) in zip(tickets, split, strict=True)
            if request_vals
        ]
        if with_request:
            self.env["hotrush.request"]._make_for(
                tickets.browse(ticket_id for ticket_id, _vals in with_request),
                [vals for _id, vals in with_request],
            )
        if any(requested):
            starting = tickets.browse(
                ticket.id
                for ticket, start_it in zip(tickets, requested, strict=True)
                if start_it
            )
            starting._hotrush_check_start_allowed()
            starting._hotrush_start(created=True)
        return tickets

    def write(self, vals):
        self._hotrush_check_system_fields(vals)
        starting, ending, removed = self._hotrush_write_transitions(vals)
        moving = self._hotrush_write_transfers(vals, ending, removed)
        previous_teams = {ticket.id: ticket.team_id for ticket in moving}
        ticket_vals, request_vals = self._hotrush_split_request_vals(vals)
        if not (starting or ending or removed):
            res = super().write(ticket_vals)
            self._hotrush_write_request(request_vals)
            moving._hotrush_transfer(previous_teams)
            return res
        end = ending._hotrush_end_of_write(vals)
        res = True
        others = self.browse().union(*removed.values())
        if self - others:
            res = super(HelpdeskTicket, self - others).write(ticket_vals)
        for tickets in removed.values():
            # the team or category no longer admits HotRush: it ends with the change
            super(HelpdeskTicket, tickets).write(dict(ticket_vals, hotrush=False))
        (self - starting)._hotrush_write_request(request_vals)
        # the state the ticket is in after this write (a reopening may come with it)
        starting._hotrush_check_start_allowed()
        starting._hotrush_start()
        if ending:
            ending._hotrush_end(*end)
        for reason, tickets in removed.items():
            tickets._hotrush_end("auto_remove", reason)
        moving._hotrush_transfer(previous_teams)
        return res

    @api.model
    @ormcache()
    def _hotrush_request_fields(self):
        """The ticket's fields that are its current request's: ticket field name ->
        request field name."""
        prefix = "hotrush_request_id."
        return {
            name: field.related[len(prefix) :]
            for name, field in self._fields.items()
            if field.related and field.related.startswith(prefix)
        }

    @api.model
    def _hotrush_split_request_vals(self, vals):
        """``vals`` of a ticket as ``(ticket values, request values)``, the latter
        named as the request's fields."""
        mapping = self._hotrush_request_fields()
        if mapping.keys().isdisjoint(vals):
            return vals, {}
        ticket_vals = {k: v for k, v in vals.items() if k not in mapping}
        request_vals = {mapping[k]: v for k, v in vals.items() if k in mapping}
        return ticket_vals, request_vals

    def _hotrush_write_request(self, request_vals):
        """Write ``request_vals`` on the current requests (how urgency ends aside:
        the end transition records it); a HotRush ticket without one gets one."""
        if not request_vals or not self:
            return
        current = {k: v for k, v in request_vals.items() if k not in END_ARGUMENTS}
        if current:
            self._hotrush_request().write(current)
        without = self.filtered(
            lambda t: (
                not t.hotrush_request_id and (t.hotrush or "status" in request_vals)
            )
        )
        self.env["hotrush.request"]._make_for(without, request_vals)

    def _hotrush_request(self):
        """The current requests of these tickets, to run their transitions."""
        # sudo: a request is read and written by its rules only, which act on the
        # tickets the caller may act on (its access to them is the ticket's); the
        # rules that need the user (who may remove) read env.user, kept by sudo
        return self.hotrush_request_id.sudo()

    def _hotrush_mark(self, name, when):
        """Set ``name`` (a ticket field of the request, a marker) to ``when`` on the
        current requests of these tickets: the rules' own write, on the requests
        only (the ticket itself does not change)."""
        self._hotrush_request().write({self._hotrush_request_fields()[name]: when})

    def _hotrush_write_transitions(self, vals):
        """Split a write into tickets starting urgency, ending it on request, and
        ending it because their new team or category does not admit it.

        :return: (starting, ending, {reason: tickets})
        """
        empty = self.browse()
        starting = ending = empty
        if "hotrush" in vals:
            flag = bool(vals["hotrush"])
            changing = self.filtered(lambda t: t.hotrush != flag)
            if flag:
                return changing, empty, {}
            ending = changing
        removed = {}
        if "active" in vals and not vals["active"]:
            # archived by hand or merged away: urgency ends with it (HR-88); a closed
            # ticket keeps its record (its bill is made)
            archived = self.filtered(lambda t: t.hotrush and not t.closed) - ending
            if archived:
                removed["archived"] = archived
        if "team_id" in vals or "category_id" in vals:
            team = self.env["helpdesk.ticket.team"].browse(vals.get("team_id"))
            category = self.env["helpdesk.ticket.category"].browse(
                vals.get("category_id")
            )
            for ticket in (
                self.filtered("hotrush") - ending - removed.get("archived", empty)
            ):
                reason = ticket._hotrush_auto_removal_reason(
                    team if "team_id" in vals else ticket.team_id,
                    category if "category_id" in vals else ticket.category_id,
                )
                if reason:
                    removed.setdefault(reason, empty)
                    removed[reason] |= ticket
        return starting, ending, removed

    def _hotrush_write_transfers(self, vals, ending, removed):
        """The HotRush tickets of this write that move to another team offering
        HotRush: their request goes with them, its promise unchanged."""
        if "team_id" not in vals:
            return self.browse()
        kept = (
            self.filtered("hotrush") - ending - self.browse().union(*removed.values())
        )
        return kept.filtered(lambda t: t.team_id.id != vals["team_id"])

    def _hotrush_transfer(self, previous_teams):
        """These HotRush tickets moved to another HotRush team: their requests keep
        their promise (``hotrush.request._transfer``). Satellites act (the 'Respond
        by' activity of the new team); ``previous_teams``: ticket id -> old team."""
        return self._hotrush_request()._transfer(previous_teams)

    def _hotrush_deadline_moved(self, before, why):
        """The requests of these tickets were planned again (HR-86), ``why`` says
        why; ``before``: ticket id -> (queued until, deadline). Satellites act."""
        return True

    def _hotrush_auto_removal_reason(self, team, category):
        """Why HotRush ends automatically with this team and category, or False."""
        self.ensure_one()
        if not team.hotrush_offered:
            return "transfer"
        if category.hotrush_not_eligible:
            return "not_eligible"
        return False

    def _hotrush_end_of_write(self, vals):
        """How urgency ends for these tickets in this write: ``(action, reason, note)``,
        as the end actions wrote it (``_hotrush_end_by``: system fields, which no user
        can forge). Without it the write is refused, with the action to use.
        """
        if not self:
            return None
        action = vals.get("hotrush_end_action")
        if action not in USER_END_ACTIONS:
            action = (
                self.env._("Withdraw HotRush")
                if self.filtered("user_id")
                else self.env._("Uncheck HotRush")
            )
            raise ValidationError(
                self.env._(
                    "HotRush ends by Uncheck, Withdraw or Remove HotRush only, so that "
                    "the ticket's history says who ended it and why. Use "
                    "'%(action)s' for the customer, or 'Remove HotRush' with a reason.",
                    action=action,
                )
            )
        reason = vals.get("hotrush_end_reason") or False
        note = vals.get("hotrush_end_note") or False
        self._hotrush_request()._check_end(action, reason, note)
        return action, reason, note

    def _hotrush_check_start_allowed(self):
        """HotRush starts on open tickets only: a closed ticket has nothing left to
        answer, and its SLA would only ever breach."""
        self.filtered("closed")._hotrush_refuse(
            self.env._(
                "HotRush cannot be requested on %(ticket)s: the ticket is closed. "
                "Please open a new ticket."
            )
        )

    def _hotrush_refuse(self, message):
        """Refuse, naming the first of these tickets in ``message`` (``%(ticket)s``),
        when there is one."""
        if self:
            raise ValidationError(message % {"ticket": self[0].display_name})

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        if self.hotrush and not self.hotrush_first_response_at:
            self._hotrush_register_first_response(message)
        return res

    # ------------------------------------------------------------------
    # Start and end of urgency
    # ------------------------------------------------------------------

    def _hotrush_start(self, created=False):
        """Start urgency: SLA clock, highest priority. Satellites extend it (the
        audit event, the team's notice).

        :param created: the tickets were created with HotRush and their start values
            (see ``_hotrush_prepare_create``): nothing more to write
        """
        now = fields.Datetime.now()
        if not created:
            groups = defaultdict(lambda: self.browse())
            for ticket in self:
                groups[ticket.priority] |= ticket
            for priority, tickets in groups.items():
                ticket_vals, request_vals = self._hotrush_split_request_vals(
                    self._hotrush_start_vals(now, priority)
                )
                # sudo: the request and the priority are written by the HotRush
                # rules only, whoever (customer or agent) triggered them; these are
                # the tickets being requested.
                tickets.sudo().write(ticket_vals)
                self.env["hotrush.request"]._make_for(tickets, request_vals)
        missing = self.filtered(lambda t: not t.hotrush_deadline)
        if missing:
            raise ValidationError(
                self.env._(
                    "HotRush cannot be planned: the support calendar of team %(team)s "
                    "has no working hours. Please contact the support department.",
                    team=missing[0].team_id.display_name,
                )
            )
        self._hotrush_update_sla_status(now)
        self._hotrush_request()._started()

    def _hotrush_start_vals(self, start, priority):
        """Values that start urgency: a new request from ``start`` (its fields named
        as the ticket's), the highest priority (``priority`` remembered for the
        end)."""
        return {
            "hotrush_requested_at": start,
            "hotrush_requested_by_id": self.env.user.id,
            "hotrush_priority_before": priority,
            "priority": HIGHEST_PRIORITY,
        }

    @api.model
    def _hotrush_prepare_create(self, vals_list):
        """Add the start values to those of tickets created with HotRush (one insert);
        a request time given (imports, data files) is kept, else the clock starts now.

        :return: ``(vals_list, requested)``: new values, and per values whether that
            ticket starts urgency (not when a status is given: an import of a ticket
            already handled)
        """
        requested = [
            bool(vals.get("hotrush") and not vals.get("hotrush_sla_status"))
            for vals in vals_list
        ]
        if not any(requested):
            return vals_list, requested
        now = fields.Datetime.now()
        default_priority = self.default_get(["priority"]).get("priority")
        vals_list = [
            dict(
                vals,
                **self._hotrush_start_vals(
                    vals.get("hotrush_requested_at") or now,
                    vals.get("priority") or default_priority,
                ),
            )
            if start_it
            else vals
            for vals, start_it in zip(vals_list, requested, strict=True)
        ]
        return vals_list, requested

    def _hotrush_end(self, action, reason=False, note=False):
        """Urgency ended: the request ends (see ``hotrush.request._end``), the
        priority is restored. Satellites extend it (the audit event, the activities,
        the refund)."""
        per_priority = defaultdict(lambda: self.browse())
        for ticket in self:
            per_priority[ticket.hotrush_priority_before or ticket.priority] |= ticket
        for priority, tickets in per_priority.items():
            # sudo: the priority the rules restore, on the tickets whose urgency
            # ends (the caller's right to end it was checked by its action)
            tickets.sudo().write({"priority": priority})
        self._hotrush_request()._end(action, reason, note, fields.Datetime.now())

    # ------------------------------------------------------------------
    # SLA status and first response
    # ------------------------------------------------------------------

    def _hotrush_update_sla_status(self, now=None):
        """Move the undecided requests of these HotRush tickets between queued,
        running and breached as time passes (see ``hotrush.request._update_status``).

        :return: the tickets whose status changed
        """
        now = now or fields.Datetime.now()
        changed = set(
            self.filtered("hotrush")._hotrush_request()._update_status(now).ids
        )
        return self.filtered(lambda t: t.hotrush_request_id.id in changed)

    def _hotrush_breached_at(self, now):
        """The verdict of the current request at ``now`` (see the request's)."""
        self.ensure_one()
        return bool(self.hotrush_request_id) and self._hotrush_request()._breached_at(
            now
        )

    def _hotrush_register_first_response(self, message):
        """Record ``message`` as the first response when it is one.

        :return: whether it was
        """
        self.ensure_one()
        user = self._hotrush_answering_user(message)
        if not user:
            return False
        request = self._hotrush_request()
        request._answer(request._response_time(message), user, message)
        return True

    def _hotrush_answering_user(self, message):
        """The support user whose ``message`` answers the request: a public comment
        or e-mail after the request by support staff of this ticket; else nobody (a
        salesperson's message, say, is a message, not an answer)."""
        self.ensure_one()
        nobody = self.env["res.users"]
        if message.message_type not in ("comment", "email"):
            return nobody
        if message.is_internal or not message.subtype_id or message.subtype_id.internal:
            return nobody
        if not self._hotrush_request()._answered_by(message):
            return nobody
        return message.author_id.user_ids.filtered(self._hotrush_is_support)[:1]

    def _hotrush_is_support(self, user):
        """Whether ``user`` is support staff of this ticket: a helpdesk agent (any
        of helpdesk_mgmt's levels) of its company who may write it."""
        self.ensure_one()
        if user.share or not user.has_group(SUPPORT_GROUP):
            return False
        company = self.company_id or user.company_id
        if company not in user.company_ids:
            return False
        as_user = self.with_user(user).with_context(allowed_company_ids=company.ids)
        return as_user.has_access("write")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _get_hotrush_calendar(self):
        """The support calendar of this ticket's request (of its team before one),
        readable by whoever asks (see ``hotrush.request._calendar_of``)."""
        self.ensure_one()
        Request = self.env["hotrush.request"]
        return Request._calendar_of(self._hotrush_plan_team(), self.company_id)

    def _get_hotrush_response_hours(self):
        self.ensure_one()
        Request = self.env["hotrush.request"]
        return Request._response_hours_of(self._hotrush_plan_team(), self.company_id)

    def _hotrush_plan_team(self):
        """The team whose calendar and target plan this ticket's request: the one it
        was requested on, kept by a transfer; the ticket's team before a request."""
        self.ensure_one()
        return self.hotrush_plan_team_id or self.team_id

    @api.model
    def _hotrush_system_fields(self):
        """Fields only the HotRush rules write (never a user, a form or an import).
        Satellites add theirs."""
        return {
            "hotrush_request_id",
            "hotrush_request_ids",
            "hotrush_event_ids",
            *self._hotrush_request_fields(),
        }

    @api.model
    def _hotrush_check_system_fields(self, vals):
        if self.env.su:
            return
        forbidden = self._hotrush_system_fields().intersection(vals)
        if forbidden:
            raise AccessError(
                self.env._(
                    "The HotRush fields %(fields)s are set by the HotRush rules and "
                    "cannot be written directly.",
                    fields=", ".join(sorted(forbidden)),
                )
            )

    def _hotrush_format(self, value, tz=None):
        """A UTC datetime as text in the given (or the calendar's) time zone."""
        self.ensure_one()
        calendar = self._get_hotrush_calendar()
        tz = tz or (calendar and calendar._hotrush_zone()) or "UTC"
        return format_datetime(self.env, value, tz=tz, dt_format="short") + f" ({tz})"
