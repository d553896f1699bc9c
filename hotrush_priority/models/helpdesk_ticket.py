# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_datetime

HIGHEST_PRIORITY = "3"
RESPONSE_ACTIVITY = "hotrush_priority.mail_activity_type_hotrush_response"
OPEN_STATUSES = ("queued", "running")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"
    # HotRush tickets first, the closest deadline first; then helpdesk_mgmt's order.
    _order = (
        "hotrush desc, hotrush_queue_deadline, priority desc, sequence, "
        "number desc, id desc"
    )

    hotrush = fields.Boolean(
        string="HotRush",
        copy=False,
        tracking=True,
        help="Urgent support: an agent answers within the response target of working "
        "time; billed at the HotRush rate.",
    )
    hotrush_offered = fields.Boolean(related="team_id.hotrush_offered")
    hotrush_requested_at = fields.Datetime(
        string="HotRush Requested On",
        copy=False,
        readonly=True,
        help="When HotRush was requested: the SLA clock starts here.",
    )
    hotrush_requested_by_id = fields.Many2one(
        comodel_name="res.users",
        string="HotRush Requested By",
        copy=False,
        readonly=True,
    )
    hotrush_deadline = fields.Datetime(
        string="Response Deadline",
        compute="_compute_hotrush_deadline",
        store=True,
        index=True,
        copy=False,
        readonly=True,
        tracking=True,
        help="An agent must answer publicly by then (working time of the team's "
        "support calendar from the request).",
    )
    hotrush_queued_until = fields.Datetime(
        string="Queued Until",
        compute="_compute_hotrush_deadline",
        store=True,
        copy=False,
        readonly=True,
        help="Requested outside working hours: the SLA clock starts at this opening.",
    )
    hotrush_queue_deadline = fields.Datetime(
        compute="_compute_hotrush_queue_deadline",
        store=True,
        index=True,
        copy=False,
        readonly=True,
        help="Deadline of tickets that are HotRush now, used to sort the queue.",
    )
    hotrush_first_response_at = fields.Datetime(
        string="First Response On",
        copy=False,
        readonly=True,
        tracking=True,
    )
    hotrush_first_response_user_id = fields.Many2one(
        comodel_name="res.users",
        string="First Response By",
        copy=False,
        readonly=True,
    )
    hotrush_sla_status = fields.Selection(
        selection=[
            ("queued", "Queued"),
            ("running", "Running"),
            ("met", "Met"),
            ("breached", "Breached"),
            ("cancelled", "Cancelled"),
        ],
        string="SLA Status",
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
    )
    hotrush_priority_before = fields.Char(copy=False, readonly=True)
    hotrush_event_ids = fields.One2many(
        comodel_name="hotrush.event",
        inverse_name="ticket_id",
        string="HotRush History",
        readonly=True,
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------

    @api.depends("hotrush_requested_at", "team_id")
    def _compute_hotrush_deadline(self):
        """Plan all deadlines of the batch with one planning per calendar."""
        per_calendar = defaultdict(list)
        for ticket in self:
            calendar = ticket._get_hotrush_calendar()
            if ticket.hotrush_requested_at and calendar:
                per_calendar[calendar].append(ticket)
            else:
                ticket.hotrush_deadline = False
                ticket.hotrush_queued_until = False
        for calendar, tickets in per_calendar.items():
            planned = calendar._hotrush_plan(
                [
                    (t.hotrush_requested_at, t._get_hotrush_response_hours())
                    for t in tickets
                ]
            )
            for ticket, (opening, deadline) in zip(tickets, planned, strict=True):
                ticket.hotrush_queued_until = opening
                ticket.hotrush_deadline = deadline

    @api.depends("hotrush", "hotrush_deadline")
    def _compute_hotrush_queue_deadline(self):
        for ticket in self:
            ticket.hotrush_queue_deadline = ticket.hotrush and ticket.hotrush_deadline

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("hotrush", "team_id", "category_id")
    def _check_hotrush_eligibility(self):
        for ticket in self.filtered("hotrush"):
            if not ticket.team_id.hotrush_offered:
                raise ValidationError(ticket._hotrush_team_refusal_message())
            if ticket.category_id.hotrush_not_eligible:
                raise ValidationError(
                    self.env._(
                        "HotRush is not available for %(category)s questions. "
                        "Please submit the ticket without HotRush; it will be "
                        "answered at the normal support rate.",
                        category=ticket.category_id.display_name,
                    )
                )

    @api.constrains("hotrush")
    def _check_hotrush_balance(self):
        for ticket in self.filtered("hotrush"):
            refusal = ticket._hotrush_balance_refusal()
            if refusal:
                raise ValidationError(refusal)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hotrush_check_system_fields(vals)
        tickets = super().create(vals_list)
        requested = tickets.filtered(lambda t: t.hotrush and not t.hotrush_sla_status)
        if requested:
            requested._hotrush_start(keep_requested_at=True)
        return tickets

    def write(self, vals):
        self._hotrush_check_system_fields(vals)
        if "hotrush" not in vals:
            return super().write(vals)
        flag = bool(vals["hotrush"])
        changing = self.filtered(lambda t: t.hotrush != flag)
        res = super().write(vals)
        if flag:
            changing._hotrush_start()
        else:
            changing._hotrush_end("uncheck", reason="customer")
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_hotrush_request(self):
        """Ask for HotRush: customers on their own tickets, agents on any they edit."""
        tickets = self.filtered(lambda t: not t.hotrush)
        if self.env.user._is_internal():
            tickets.write({"hotrush": True})
            return True
        self._hotrush_check_own_tickets()
        # sudo: customers have no write access to tickets. The check above limits this
        # to the user's own tickets, and the HotRush constraints apply to sudo writes.
        tickets.sudo().write({"hotrush": True})
        return True

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        if self.hotrush and not self.hotrush_first_response_at:
            self._hotrush_register_first_response(message)
        return res

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _hotrush_start(self, keep_requested_at=False):
        """Start urgency: SLA clock, highest priority, response activity, audit.

        :param keep_requested_at: keep a request time given at creation (imports and
            data files, written as superuser), instead of now
        """
        now = fields.Datetime.now()
        groups = defaultdict(lambda: self.browse())
        for ticket in self:
            start = (keep_requested_at and ticket.hotrush_requested_at) or now
            groups[ticket.priority, start] |= ticket
        for (priority, start), tickets in groups.items():
            # sudo: the SLA fields are written by the HotRush rules only, whoever
            # (customer or agent) triggered them; these are the tickets being requested.
            tickets.sudo().write(
                {
                    "hotrush_requested_at": start,
                    "hotrush_requested_by_id": self.env.user.id,
                    "hotrush_first_response_at": False,
                    "hotrush_first_response_user_id": False,
                    "hotrush_sla_status": False,
                    "hotrush_priority_before": priority,
                    "priority": HIGHEST_PRIORITY,
                }
            )
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
        self._hotrush_schedule_response_activity()
        self._hotrush_log_event("start", "request")

    def _hotrush_end(self, action, reason=False, note=False):
        """End urgency: SLA cancelled when unanswered, priority restored, audit."""
        for ticket in self:
            vals = {"priority": ticket.hotrush_priority_before or ticket.priority}
            if ticket.hotrush_sla_status in OPEN_STATUSES:
                vals["hotrush_sla_status"] = "cancelled"
            # sudo: system fields, see _hotrush_start
            ticket.sudo().write(vals)
        self.activity_unlink([RESPONSE_ACTIVITY])
        self._hotrush_log_event("end", action, reason=reason, note=note)

    def _hotrush_update_sla_status(self, now=None):
        """Move undecided tickets between queued, running and breached as time passes.

        :return: the tickets whose status changed
        """
        now = now or fields.Datetime.now()
        per_status = defaultdict(lambda: self.browse())
        for ticket in self:
            if not ticket.hotrush or ticket.hotrush_sla_status not in (
                False,
                *OPEN_STATUSES,
            ):
                continue
            status = ticket._hotrush_status_at(now)
            if status != ticket.hotrush_sla_status:
                per_status[status] |= ticket
        changed = self.browse()
        for status, tickets in per_status.items():
            # sudo: system fields, see _hotrush_start
            tickets.sudo().write({"hotrush_sla_status": status})
            changed |= tickets
        return changed

    def _hotrush_status_at(self, now):
        self.ensure_one()
        if self.hotrush_queued_until and now < self.hotrush_queued_until:
            return "queued"
        if now > self._hotrush_breach_time():
            return "breached"
        return "running"

    def _hotrush_breach_time(self):
        """Deadline plus grace: a first response after this instant breaches the SLA."""
        self.ensure_one()
        grace = (self.company_id or self.env.company).hotrush_grace_minutes
        return self.hotrush_deadline + timedelta(minutes=grace)

    def _hotrush_register_first_response(self, message):
        self.ensure_one()
        if not self._hotrush_is_first_response(message):
            return
        vals = {
            "hotrush_first_response_at": message.date,
            "hotrush_first_response_user_id": message.author_id.user_ids.filtered(
                lambda u: not u.share
            )[:1].id,
        }
        if self.hotrush_sla_status in OPEN_STATUSES:
            breached = message.date > self._hotrush_breach_time()
            vals["hotrush_sla_status"] = "breached" if breached else "met"
        # sudo: system fields, see _hotrush_start
        self.sudo().write(vals)
        self.activity_feedback(
            [RESPONSE_ACTIVITY],
            feedback=self.env._("Answered by %(user)s.", user=message.author_id.name),
        )

    def _hotrush_is_first_response(self, message):
        """A public comment or email by an internal user, after the request."""
        self.ensure_one()
        if message.message_type not in ("comment", "email"):
            return False
        if message.is_internal or not message.subtype_id or message.subtype_id.internal:
            return False
        if not any(not user.share for user in message.author_id.user_ids):
            return False
        return bool(message.date and message.date >= self.hotrush_requested_at)

    def _hotrush_schedule_response_activity(self):
        """'Respond by <deadline>' for the assignee, or the team leader if unassigned."""
        for ticket in self:
            user = ticket._hotrush_responsible_user()
            if not user:
                continue
            deadline = ticket.hotrush_deadline
            local = fields.Datetime.context_timestamp(
                ticket.with_context(tz=user.tz or "UTC"), deadline
            )
            ticket.activity_schedule(
                RESPONSE_ACTIVITY,
                date_deadline=local.date(),
                summary=self.env._(
                    "Respond by %(deadline)s",
                    deadline=format_datetime(
                        self.env, deadline, tz=user.tz or "UTC", dt_format="short"
                    ),
                ),
                user_id=user.id,
            )

    def _hotrush_responsible_user(self):
        self.ensure_one()
        return self.user_id or self.team_id.user_id

    def _hotrush_log_event(self, kind, action, reason=False, note=False):
        """Record an audit event per ticket and say it in the chatter."""
        events = self.env["hotrush.event"]
        for ticket in self:
            events |= ticket._hotrush_create_event(kind, action, reason, note)
        return events

    def _hotrush_create_event(self, kind, action, reason, note):
        self.ensure_one()
        # sudo: nobody may create audit records directly; the rules record them for
        # the user who acted, on this ticket only.
        event = (
            self.env["hotrush.event"]
            .sudo()
            .create(
                {
                    "ticket_id": self.id,
                    "team_id": self.team_id.id,
                    "kind": kind,
                    "action": action,
                    "reason": reason,
                    "note": note,
                    "user_id": self.env.user.id,
                    "deadline": self.hotrush_deadline,
                    "sla_status": self.hotrush_sla_status,
                }
            )
        )
        # sudo: customers may not post internal notes; the note only states the event
        self.sudo().message_post(
            body=self._hotrush_event_message(event),
            message_type="notification",
            subtype_xmlid="mail.mt_note",
        )
        return event

    def _hotrush_event_message(self, event):
        self.ensure_one()
        if event.kind == "start":
            if self.hotrush_queued_until:
                return self.env._(
                    "HotRush requested by %(user)s. Queued until the support opens at "
                    "%(opening)s; respond by %(deadline)s.",
                    user=event.user_id.name,
                    opening=self._hotrush_format(self.hotrush_queued_until),
                    deadline=self._hotrush_format(self.hotrush_deadline),
                )
            return self.env._(
                "HotRush requested by %(user)s; respond by %(deadline)s.",
                user=event.user_id.name,
                deadline=self._hotrush_format(self.hotrush_deadline),
            )
        reason = dict(event._fields["reason"]._description_selection(self.env)).get(
            event.reason
        )
        action = dict(event._fields["action"]._description_selection(self.env))[
            event.action
        ]
        message = self.env._(
            "HotRush ended (%(action)s) by %(user)s.",
            action=action,
            user=event.user_id.name,
        )
        if reason:
            message += " " + self.env._("Reason: %(reason)s.", reason=reason)
        if event.note:
            message += " " + self.env._("Note: %(note)s", note=event.note)
        return message

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _get_hotrush_calendar(self):
        self.ensure_one()
        if self.team_id:
            return self.team_id._get_hotrush_calendar()
        return (self.company_id or self.env.company)._get_hotrush_calendar()

    def _get_hotrush_response_hours(self):
        self.ensure_one()
        if self.team_id:
            return self.team_id._get_hotrush_response_hours()
        return (self.company_id or self.env.company).hotrush_response_hours

    def _hotrush_balance_refusal(self):
        """Why this ticket's customer may not request HotRush now, or ``False``.

        The support balance rules extend this; without them every customer may.
        """
        self.ensure_one()
        return False

    def _hotrush_team_refusal_message(self):
        self.ensure_one()
        # sudo: name the offering teams of this ticket's company even to a customer
        # who cannot read them; nothing but their names is shown.
        offering = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search(
                [
                    ("hotrush_offered", "=", True),
                    ("company_id", "in", [False, self.company_id.id]),
                ]
            )
        )
        if offering:
            return self.env._(
                "HotRush (urgent support) is only available for requests to "
                "%(teams)s. Please choose that team, or submit the ticket without "
                "HotRush.",
                teams=", ".join(offering.mapped("display_name")),
            )
        return self.env._("HotRush (urgent support) is not offered by this team.")

    @api.model
    def _hotrush_system_fields(self):
        """Fields only the HotRush rules write (never a user, a form or an import)."""
        return {
            "hotrush_requested_at",
            "hotrush_requested_by_id",
            "hotrush_deadline",
            "hotrush_queued_until",
            "hotrush_queue_deadline",
            "hotrush_first_response_at",
            "hotrush_first_response_user_id",
            "hotrush_sla_status",
            "hotrush_priority_before",
            "hotrush_event_ids",
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

    def _hotrush_check_own_tickets(self):
        """Customers act only on their own company's tickets."""
        self.check_access("read")
        partner = self.env.user.partner_id.commercial_partner_id
        if any(t.commercial_partner_id != partner for t in self):
            raise AccessError(
                self.env._("You can only change HotRush on your own tickets.")
            )

    def _hotrush_format(self, value, tz=None):
        """A UTC datetime as text in the given (or the calendar's) time zone."""
        self.ensure_one()
        tz = tz or self._get_hotrush_calendar().tz or "UTC"
        return format_datetime(self.env, value, tz=tz, dt_format="short") + f" ({tz})"
