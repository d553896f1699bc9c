# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import psycopg2
from psycopg2.errors import SerializationFailure

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_datetime

_logger = logging.getLogger(__name__)

HIGHEST_PRIORITY = "3"
RESPONSE_ACTIVITY = "hotrush_priority.mail_activity_type_hotrush_response"
CHAT_ACTIVITY = "hotrush_priority.mail_activity_type_hotrush_chat"
SLA_CRON = "hotrush_priority.ir_cron_hotrush_sla"
OPEN_STATUSES = ("queued", "running")
# the database constraint that keeps one charge (and one refund) per ticket
CHARGE_CONSTRAINT = "hotrush_charge_ticket_kind_uniq"
# the index that keeps one ticket per submission of the new-ticket form
FORM_KEY_INDEX = "helpdesk_ticket_hotrush_form_key_uniq"
SLA_STATUSES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("met", "Met"),
    ("breached", "Breached"),
    ("cancelled", "Cancelled"),
]
# Tickets the SLA scheduled action handles per transaction (HR-53)
CRON_BATCH_SIZE = 100
# Reasons support may give when removing HotRush (HR-22); automatic removals use
# "transfer" and "not_eligible", customers' unchecks and withdrawals "customer".
REMOVAL_REASONS = ("customization", "bug", "general", "other")
NOTE_MAX_LENGTH = 2000
# Billable hours of one ticket: finite, at least 0, at most this (HR-80)
MAX_BILLABLE_HOURS = 1000.0


@dataclass(frozen=True)
class HotrushEnd:
    """How urgency ends in a write: which action, for which reason, with which note.

    The end actions put one in the context of the write that clears the flag. It is a
    Python object, so no caller can forge it: JSON-RPC, XML-RPC and data files only
    pass plain values, and a plain value under this key is ignored.
    """

    action: str
    reason: str | bool = False
    note: str | bool = False


END_KEY = "hotrush_end"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"
    # HotRush tickets awaiting their first response first, the closest deadline
    # first (NULLs sort last); then helpdesk_mgmt's order.
    _order = "hotrush_queue_deadline, priority desc, sequence, number desc, id desc"

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
    # The HotRush columns stay empty on ordinary tickets: their indexes leave NULLs
    # out (btree_not_null), so ordinary tickets never maintain them. The queue
    # deadline keeps a full index: it is the first key of the default order.
    hotrush_deadline = fields.Datetime(
        string="Response Deadline",
        compute="_compute_hotrush_deadline",
        store=True,
        index="btree_not_null",
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
        index="btree_not_null",
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
        help="Deadline of HotRush tickets awaiting their first response: the queue "
        "order.",
    )
    hotrush_first_response_at = fields.Datetime(
        string="First Response On",
        index="btree_not_null",
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
    hotrush_response_working_minutes = fields.Float(
        string="First Response Time (working minutes)",
        compute="_compute_hotrush_response_working_minutes",
        store=True,
        copy=False,
        readonly=True,
        aggregator="avg",
        help="Working time of the support calendar from the HotRush request to the "
        "first response, in minutes (time while queued before the opening and "
        "public holidays do not count).",
    )
    hotrush_sla_status = fields.Selection(
        selection=SLA_STATUSES,
        string="SLA Status",
        copy=False,
        readonly=True,
        index="btree_not_null",
        tracking=True,
    )
    hotrush_priority_before = fields.Char(copy=False, readonly=True)
    hotrush_end_action = fields.Selection(
        selection=[
            ("uncheck", "Unchecked before assignment"),
            ("withdraw", "Withdrawn"),
            ("remove", "Removed by support"),
            ("auto_remove", "Removed automatically"),
        ],
        string="HotRush Ended By",
        copy=False,
        readonly=True,
        tracking=True,
        help="How the last HotRush request ended. Unchecked, withdrawn and removed "
        "tickets are billed at the normal rate.",
    )
    hotrush_ended_at = fields.Datetime(
        string="HotRush Ended On", copy=False, readonly=True
    )
    hotrush_event_ids = fields.One2many(
        comodel_name="hotrush.event",
        inverse_name="ticket_id",
        string="HotRush History",
        readonly=True,
    )
    hotrush_billable_hours = fields.Float(
        string="Billable Hours",
        tracking=True,
        copy=False,
        help="Support hours charged when the ticket is closed, at the team's support "
        "product price (times the HotRush multiplier for HotRush tickets).",
    )
    hotrush_charge_ids = fields.One2many(
        comodel_name="hotrush.charge",
        inverse_name="ticket_id",
        string="Charges",
        readonly=True,
    )
    hotrush_balance_amount = fields.Monetary(
        string="Customer's Support Credit",
        compute="_compute_hotrush_balance",
        currency_field="hotrush_currency_id",
    )
    hotrush_balance_active = fields.Boolean(
        string="Support Balance Active", compute="_compute_hotrush_balance"
    )
    hotrush_currency_id = fields.Many2one(related="company_id.currency_id")
    hotrush_chat_tool_id = fields.Many2one(
        comodel_name="hotrush.chat.tool",
        string="Live Chat Tool",
        copy=False,
        readonly=True,
        context={"active_test": False},
    )
    hotrush_chat_contact = fields.Char(
        string="Customer's Chat ID", copy=False, readonly=True
    )
    hotrush_chat_at = fields.Datetime(
        string="Live Chat At", copy=False, readonly=True, tracking=True
    )
    # The new-ticket form's one-time key: a double click submits it twice, the
    # database keeps one ticket per customer and key
    hotrush_form_key = fields.Char(copy=False, readonly=True)
    # "Done" markers of the SLA scheduled action: each notice goes out once per request
    hotrush_team_notified_at = fields.Datetime(
        string="HotRush Team Notified On",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="When the assignee (or the team leader) got the 'Respond by' activity "
        "of this request.",
    )
    hotrush_warned_at = fields.Datetime(
        string="HotRush Warned On",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="When the assignee (or the team leader) was warned that the response "
        "deadline approaches.",
    )
    hotrush_escalated_at = fields.Datetime(
        string="HotRush Escalated On",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="When the breach was escalated to the team leader.",
    )
    hotrush_opening_notified_at = fields.Datetime(
        string="HotRush Opening Notice On",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="When the team was told that this ticket, queued outside working "
        "hours, is running.",
    )

    _hotrush_form_key_uniq = models.UniqueIndex(
        "(partner_id, hotrush_form_key) WHERE hotrush_form_key IS NOT NULL",
        "This form was already submitted.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------

    @api.depends("hotrush_requested_at", "team_id")
    def _compute_hotrush_deadline(self):
        """Plan all deadlines of the batch with one planning per calendar."""
        per_calendar = defaultdict(list)
        for ticket in self:
            calendar = ticket.hotrush_requested_at and ticket._get_hotrush_calendar()
            if calendar:
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

    @api.depends("hotrush", "hotrush_deadline", "hotrush_first_response_at")
    def _compute_hotrush_queue_deadline(self):
        for ticket in self:
            waiting = ticket.hotrush and not ticket.hotrush_first_response_at
            ticket.hotrush_queue_deadline = waiting and ticket.hotrush_deadline

    @api.depends("hotrush_requested_at", "hotrush_first_response_at", "team_id")
    def _compute_hotrush_response_working_minutes(self):
        """Working minutes to the first response, one planning per calendar."""
        per_calendar = defaultdict(list)
        for ticket in self:
            calendar = (
                ticket.hotrush_requested_at
                and ticket.hotrush_first_response_at
                and ticket._get_hotrush_calendar()
            )
            if calendar:
                per_calendar[calendar].append(ticket)
            else:
                ticket.hotrush_response_working_minutes = False
        for calendar, tickets in per_calendar.items():
            seconds = calendar._hotrush_working_seconds(
                [(t.hotrush_requested_at, t.hotrush_first_response_at) for t in tickets]
            )
            for ticket, worked in zip(tickets, seconds, strict=True):
                ticket.hotrush_response_working_minutes = round(worked / 60, 2)

    @api.depends("commercial_partner_id", "company_id")
    @api.depends_context("date")
    def _compute_hotrush_balance(self):
        Balance = self.env["hotrush.support.balance"]
        for ticket in self:
            balance = Balance._get_for(
                ticket.commercial_partner_id, ticket.company_id, create=False
            )
            ticket.hotrush_balance_amount = balance.amount
            ticket.hotrush_balance_active = balance.is_active

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

    @api.constrains("hotrush_billable_hours")
    def _check_hotrush_billable_hours(self):
        for ticket in self:
            hours = ticket.hotrush_billable_hours
            if not math.isfinite(hours) or not 0 <= hours <= MAX_BILLABLE_HOURS:
                raise ValidationError(
                    self.env._(
                        "Billable hours must be a number from 0 to %(max)s.",
                        max=int(MAX_BILLABLE_HOURS),
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
        vals_list, requested = self._hotrush_prepare_create(vals_list)
        tickets = super().create(vals_list)
        if any(requested):
            starting = tickets.browse(
                ticket.id
                for ticket, start_it in zip(tickets, requested, strict=True)
                if start_it
            )
            starting._hotrush_check_start_allowed()
            starting._hotrush_start(created=True)
        for ticket in tickets.filtered(lambda t: t.hotrush and t.hotrush_chat_at):
            ticket._hotrush_schedule_chat()
        return tickets

    def write(self, vals):
        self._hotrush_check_system_fields(vals)
        if "hotrush" in vals and not self.env.su and not self.env.user._is_internal():
            self._hotrush_refuse_customer_write(bool(vals["hotrush"]))
        if "company_id" in vals:
            self._hotrush_check_company_move(vals["company_id"])
        starting, ending, removed = self._hotrush_write_transitions(vals)
        if not (starting or ending or removed):
            res = super().write(vals)
            if "stage_id" in vals:
                self._hotrush_charge_closed()
            return res
        end = self._hotrush_end_request(ending)
        ending._hotrush_check_end_allowed(end.action, end.reason, end.note)
        res = True
        others = self.browse().union(*removed.values())
        if self - others:
            res = super(HelpdeskTicket, self - others).write(vals)
        for tickets in removed.values():
            # the team or category no longer admits HotRush: it ends with the change
            super(HelpdeskTicket, tickets).write(dict(vals, hotrush=False))
        # the state the ticket is in after this write (a reopening may come with it)
        starting._hotrush_check_start_allowed()
        starting._hotrush_start()
        ending._hotrush_end(end.action, end.reason, end.note)
        for reason, tickets in removed.items():
            tickets._hotrush_end("auto_remove", reason)
        if "stage_id" in vals:
            self._hotrush_charge_closed()
        return res

    def _hotrush_refuse_customer_write(self, flag):
        """Customers change HotRush through the actions only; say which one."""
        self.check_access("read")
        if flag:
            action = self.env._("Request HotRush")
        elif self.filtered("user_id"):
            action = self.env._("Withdraw HotRush")
        else:
            action = self.env._("Uncheck HotRush")
        raise AccessError(
            self.env._(
                "HotRush cannot be changed directly. Use '%(action)s' on the ticket.",
                action=action,
            )
        )

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
        if "team_id" in vals or "category_id" in vals:
            team = self.env["helpdesk.ticket.team"].browse(vals.get("team_id"))
            category = self.env["helpdesk.ticket.category"].browse(
                vals.get("category_id")
            )
            for ticket in self.filtered("hotrush") - ending:
                reason = ticket._hotrush_auto_removal_reason(
                    team if "team_id" in vals else ticket.team_id,
                    category if "category_id" in vals else ticket.category_id,
                )
                if reason:
                    removed.setdefault(reason, empty)
                    removed[reason] |= ticket
        return starting, ending, removed

    def _hotrush_auto_removal_reason(self, team, category):
        """Why HotRush ends automatically with this team and category, or False."""
        self.ensure_one()
        if not team.hotrush_offered:
            return "transfer"
        if category.hotrush_not_eligible:
            return "not_eligible"
        return False

    def _hotrush_end_request(self, ending):
        """How urgency ends for ``ending`` in this write.

        Only the end actions say it (a :class:`HotrushEnd` in the context, which no
        remote caller can forge). A write that clears the flag without one is refused
        for users, with the action to use, so every end records who, why and a note;
        code running as superuser (imports, other modules) ends it as an uncheck.
        """
        end = self.env.context.get(END_KEY)
        if isinstance(end, HotrushEnd):
            note = end.note
            if note:
                note = self._hotrush_clean_text(
                    str(note), NOTE_MAX_LENGTH, self.env._("Note")
                )
            return HotrushEnd(end.action, end.reason, note or False)
        if ending and not self.env.su:
            action = (
                self.env._("Withdraw HotRush")
                if ending.filtered("user_id")
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
        return HotrushEnd("uncheck")

    def _hotrush_with_end(self, action, reason=False, note=False):
        """These tickets, ready for a write that ends urgency by ``action``."""
        return self.with_context(**{END_KEY: HotrushEnd(action, reason, note)})

    def _hotrush_check_start_allowed(self):
        """HotRush starts on open tickets only: a closed ticket has nothing left to
        answer, and its SLA would only ever breach."""
        closed = self.filtered("closed")
        if closed:
            raise ValidationError(
                self.env._(
                    "HotRush cannot be requested on %(ticket)s: the ticket is closed. "
                    "Please open a new ticket.",
                    ticket=closed[0].display_name,
                )
            )

    def _hotrush_check_company_move(self, company_id):
        """A HotRush ticket stays in its company: its deadline, team and the
        customer's support balance belong there."""
        moving = self.filtered(lambda t: t.hotrush and t.company_id.id != company_id)
        if moving:
            raise ValidationError(
                self.env._(
                    "%(ticket)s is a HotRush ticket and cannot move to another "
                    "company: the customer's support balance and the deadline belong "
                    "to its company. Remove HotRush first.",
                    ticket=moving[0].display_name,
                )
            )

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

    def action_hotrush_uncheck(self):
        """Customer's uncheck while no agent is assigned: no surcharge (HR-20)."""
        return self._hotrush_end_by_customer("uncheck", reason="customer")

    def action_hotrush_withdraw(self, note=False):
        """Withdraw after assignment, for any reason (HR-21): normal rate from then."""
        return self._hotrush_end_by_customer("withdraw", reason="customer", note=note)

    def action_close_from_portal(self, stage_id):
        """Close the ticket into one of the stages the portal offers, as its customer
        (helpdesk_mgmt's close buttons) or as an agent who may edit it. The close
        bills the ticket, so nobody else may do it."""
        self.ensure_one()
        if self.env.user._is_internal():
            self.check_access("write")
        else:
            self._hotrush_check_own_tickets(
                self.env._("You can only close your own tickets.")
            )
        stage = self._get_portal_closing_stages().filtered(lambda s: s.id == stage_id)
        if not stage:
            raise ValidationError(
                self.env._("This ticket cannot be closed into that stage.")
            )
        if self.closed:
            raise ValidationError(
                self.env._("%(ticket)s is already closed.", ticket=self.display_name)
            )
        # sudo: customers have no write access to tickets; the checks above limit
        # this to the customer's own open ticket and to a portal closing stage
        self.sudo().write({"stage_id": stage.id})
        return True

    def _get_portal_closing_stages(self):
        """The stages the portal offers to close this ticket into, as the ticket
        page of helpdesk_mgmt lists them."""
        self.ensure_one()
        # sudo: stages are configuration; the customer only picks among these
        ticket = self.sudo()
        if ticket.team_id:
            stages = ticket.team_id._get_applicable_stages()
        else:
            stages = ticket.env["helpdesk.ticket.stage"].search(
                [
                    ("company_id", "in", [False, ticket.company_id.id]),
                    ("team_ids", "=", False),
                ]
            )
        return stages.filtered("close_from_portal").with_env(self.env)

    def action_hotrush_open_remove_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Remove HotRush"),
            "res_model": "hotrush.remove.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids},
        }

    def action_hotrush_remove(self, reason, note=False, team_id=False):
        """Support removes HotRush with a reason (HR-22), optionally moving the
        tickets to another team (customization projects go to Development)."""
        vals = {"hotrush": False}
        if team_id:
            if not isinstance(team_id, int) or isinstance(team_id, bool):
                raise ValidationError(self.env._("Choose the team to move to."))
            vals["team_id"] = team_id
        self.filtered("hotrush")._hotrush_with_end("remove", reason, note).write(vals)
        return True

    def _hotrush_end_by_customer(self, action, reason=False, note=False):
        tickets = self.filtered("hotrush")
        if self.env.user._is_internal():
            tickets._hotrush_with_end(action, reason, note).write({"hotrush": False})
            return True
        self._hotrush_check_own_tickets()
        # sudo: customers have no write access to tickets. The check above limits this
        # to the user's own tickets and _hotrush_check_end_allowed applies the rules.
        tickets.sudo()._hotrush_with_end(action, reason, note).write({"hotrush": False})
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

    def _hotrush_start(self, created=False):
        """Start urgency: SLA clock, highest priority, team notice, audit.

        :param created: the tickets were created with HotRush and their start values
            (see ``_hotrush_prepare_create``): nothing more to write
        """
        now = fields.Datetime.now()
        if not created:
            groups = defaultdict(lambda: self.browse())
            for ticket in self:
                groups[ticket.priority] |= ticket
            for priority, tickets in groups.items():
                # sudo: the SLA fields are written by the HotRush rules only, whoever
                # (customer or agent) triggered them; these are the tickets being
                # requested.
                tickets.sudo().write(self._hotrush_start_vals(now, priority))
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
        self._hotrush_notify_team_soon()
        self._hotrush_log_event("start", "request")

    def _hotrush_start_vals(self, start, priority):
        """Values that start urgency: a new SLA clock from ``start``, markers reset,
        the highest priority (``priority`` remembered for the end)."""
        return {
            "hotrush_requested_at": start,
            "hotrush_requested_by_id": self.env.user.id,
            "hotrush_first_response_at": False,
            "hotrush_first_response_user_id": False,
            "hotrush_sla_status": False,
            "hotrush_priority_before": priority,
            "hotrush_team_notified_at": False,
            "hotrush_warned_at": False,
            "hotrush_escalated_at": False,
            "hotrush_opening_notified_at": False,
            "hotrush_end_action": False,
            "hotrush_ended_at": False,
            "priority": HIGHEST_PRIORITY,
        }

    @api.model
    def _hotrush_prepare_create(self, vals_list):
        """Add the start values to the values of tickets created with HotRush, so they
        are created planned, in one insert.

        A request time given at creation (imports and data files, written as
        superuser) is kept; otherwise the clock starts now.

        :return: ``(vals_list, requested)``: the values (the caller's dicts are left
            alone) and, per values, whether that ticket is created with HotRush to
            start (not when a status is given: an import of a ticket already handled)
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

    def _hotrush_check_end_allowed(self, action, reason, note):
        """The rules of ending urgency (HR-20 … HR-23), for every route."""
        if not self:
            return
        if action == "uncheck":
            closed = self.filtered("closed")
            if closed:
                raise ValidationError(
                    self.env._(
                        "HotRush cannot be unchecked on %(ticket)s: the ticket is "
                        "closed. Use 'Withdraw HotRush' instead.",
                        ticket=closed[0].display_name,
                    )
                )
            assigned = self.filtered("user_id")
            if assigned:
                raise ValidationError(
                    self.env._(
                        "HotRush cannot be unchecked on %(ticket)s: an agent is "
                        "already assigned. Use 'Withdraw HotRush' instead (billed at "
                        "the normal rate from then on); support staff use 'Remove "
                        "HotRush' with a reason.",
                        ticket=assigned[0].display_name,
                    )
                )
        elif action == "withdraw":
            # after closing, withdrawing is the only way out, assigned or not
            unassigned = self.filtered(lambda t: not t.user_id and not t.closed)
            if unassigned:
                raise ValidationError(
                    self.env._(
                        "No agent is assigned to %(ticket)s yet: use 'Uncheck "
                        "HotRush' instead.",
                        ticket=unassigned[0].display_name,
                    )
                )
        elif action == "remove":
            if not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_user_own"):
                raise AccessError(
                    self.env._("Only support staff can remove HotRush from a ticket.")
                )
            if reason not in REMOVAL_REASONS:
                raise ValidationError(
                    self.env._("Removing HotRush needs a reason from the list.")
                )
            if reason == "other" and not note:
                raise ValidationError(
                    self.env._("Removing HotRush for another reason needs a note.")
                )
        else:
            raise ValidationError(
                self.env._(
                    "HotRush ends by Uncheck, Withdraw or Remove HotRush only "
                    "(not %(action)s).",
                    action=action,
                )
            )

    def _hotrush_end(self, action, reason=False, note=False):
        """End urgency: SLA cancelled when unanswered, priority restored, audit."""
        now = fields.Datetime.now()
        for ticket in self:
            vals = {
                "priority": ticket.hotrush_priority_before or ticket.priority,
                "hotrush_end_action": action,
                "hotrush_ended_at": now,
            }
            if ticket.hotrush_sla_status in OPEN_STATUSES:
                vals["hotrush_sla_status"] = "cancelled"
            # sudo: system fields, see _hotrush_start
            ticket.sudo().write(vals)
        self.activity_unlink([RESPONSE_ACTIVITY])
        self._hotrush_log_event("end", action, reason=reason, note=note)
        self._hotrush_refund_surcharge()

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

    def _hotrush_notify_team_soon(self):
        """HR-5: the team hears of the request at once, from the SLA scheduled action.

        The action is triggered to run as soon as this transaction commits; it gives
        the assignee or team leader the 'Respond by' activity, with Odoo's follower
        subscription and assignment notice, for every new request in one batch. The
        request itself stays fast. When the action is inactive, it is done here.
        """
        # sudo: any user requesting HotRush wakes the scheduled action; nothing else
        # of the action is read or changed.
        cron = (
            self.env["ir.cron"]
            .sudo()
            .browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    SLA_CRON, raise_if_not_found=False
                )
            )
        )
        if cron and cron.active:
            cron._trigger()
        else:
            self._hotrush_notify_request(fields.Datetime.now())

    def _hotrush_notify_request(self, now):
        """'Respond by <deadline>' for the assignee or team leader, once per request.

        A ticket that already has an open HotRush response activity (given before this
        step existed) keeps it and gets no second one.
        """
        # sudo: system fields, see _hotrush_start
        self.sudo().write({"hotrush_team_notified_at": now})
        (
            self - self._hotrush_with_response_activity()
        )._hotrush_schedule_response_activity()

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
        activity_type = self.env.ref(RESPONSE_ACTIVITY)
        tz = user.tz or "UTC"
        deadline = self.hotrush_deadline
        local = fields.Datetime.context_timestamp(self.with_context(tz=tz), deadline)
        return {
            "activity_type_id": activity_type.id,
            "summary": self.env._(
                "Respond by %(deadline)s",
                deadline=format_datetime(self.env, deadline, tz=tz, dt_format="short"),
            ),
            "note": activity_type.default_note,
            "automated": True,
            "date_deadline": local.date(),
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "user_id": user.id,
        }

    def _hotrush_responsible_user(self):
        self.ensure_one()
        return self.user_id or self.team_id.user_id

    def _hotrush_log_event(self, kind, action, reason=False, note=False):
        """Record an audit event per ticket and say it in the chatter."""
        if not self:
            return self.env["hotrush.event"]
        # sudo: nobody may create audit records directly; the rules record them for
        # the user who acted, on these tickets only.
        events = (
            self.env["hotrush.event"]
            .sudo()
            .create(
                [
                    ticket._hotrush_prepare_event_vals(kind, action, reason, note)
                    for ticket in self
                ]
            )
        )
        # An internal note that notifies nobody: logged (one batch insert, no
        # recipients to compute). sudo: customers may not post internal notes; the
        # note only states the event.
        self.sudo()._message_log_batch(
            {
                ticket.id: ticket._hotrush_event_message(event)
                for ticket, event in zip(self, events, strict=True)
            }
        )
        return events

    def _hotrush_prepare_event_vals(self, kind, action, reason, note):
        self.ensure_one()
        return {
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
    # Live chat request (HR-40 … HR-42)
    # ------------------------------------------------------------------

    def action_hotrush_request_chat(self, tool_id, contact, when):
        """Ask for a live chat on a HotRush ticket.

        :param tool_id: id of an active ``hotrush.chat.tool``
        :param contact: the customer's ID on that tool
        :param when: preferred start, a naive UTC datetime (or its string)
        """
        self.ensure_one()
        if self.env.user._is_internal():
            self.check_access("write")
        else:
            self._hotrush_check_own_tickets()
        vals = self._hotrush_validate_chat(tool_id, contact, when)
        # sudo: system fields, the agent's activity and the notice are written by
        # this rule for the ticket checked above, on that ticket only; the activity
        # of a past chat makes way for the new one
        self.sudo().activity_unlink([CHAT_ACTIVITY])
        self.sudo().write(vals)
        self.sudo()._hotrush_schedule_chat()
        return True

    def _hotrush_validate_chat(self, tool_id, contact, when):
        self.ensure_one()
        if not self.hotrush:
            raise ValidationError(
                self.env._("A live chat can be requested on HotRush tickets only.")
            )
        self._hotrush_check_chat_allowed()
        try:
            tool = self.env["hotrush.chat.tool"].browse(int(tool_id)).exists()
        except (TypeError, ValueError):
            tool = self.env["hotrush.chat.tool"]
        if not tool or not tool.active:
            raise ValidationError(
                self.env._("Please choose one of the offered communication tools.")
            )
        contact = self._hotrush_clean_text(contact, 100, tool.id_label)
        if not contact or not tool._matches(contact):
            message = self.env._(
                "Please enter a valid %(label)s for %(tool)s.",
                label=tool.id_label,
                tool=tool.name,
            )
            if tool.id_example:
                message += " " + self.env._(
                    "Example: %(example)s", example=tool.id_example
                )
            raise ValidationError(message)
        try:
            when = fields.Datetime.to_datetime(when)
        except ValueError:
            when = None
        if not when:
            raise ValidationError(
                self.env._("Please give the preferred time of the chat.")
            )
        when = when.replace(microsecond=0)
        calendar = self._get_hotrush_calendar()
        tz = self.env.user.tz or calendar.tz or "UTC"
        now = fields.Datetime.now()
        [(opening, _deadline)] = calendar._hotrush_plan([(when, 0)])
        if when <= now or opening is not False:
            reason = (
                self.env._("The preferred time is in the past.")
                if when <= now
                else self.env._("The preferred time is outside our working hours.")
            )
            raise ValidationError(
                reason
                + " "
                + self.env._(
                    "Please choose a time within the support working hours "
                    "(%(tz)s): %(hours)s.",
                    tz=tz,
                    hours=calendar._hotrush_working_hours_text(tz, now),
                )
            )
        return {
            "hotrush_chat_tool_id": tool.id,
            "hotrush_chat_contact": contact,
            "hotrush_chat_at": when,
        }

    def _hotrush_check_chat_allowed(self):
        """One live chat at a time, on open tickets: a second request while one is
        planned is refused (the customer keeps the slot the agent prepares for)."""
        self.ensure_one()
        if self.closed:
            raise ValidationError(
                self.env._("A live chat cannot be requested on a closed ticket.")
            )
        if self.hotrush_chat_at and self.hotrush_chat_at > fields.Datetime.now():
            tz = self.env.user.tz or self._get_hotrush_calendar().tz or "UTC"
            raise ValidationError(
                self.env._(
                    "A live chat via %(tool)s is already planned for %(time)s. Please "
                    "write in the ticket if it should move.",
                    tool=self.hotrush_chat_tool_id.name,
                    time=self._hotrush_format(self.hotrush_chat_at, tz=tz),
                )
            )

    @api.model
    def _hotrush_clean_text(self, text, max_length, label):
        """Plain, bounded customer text, or a clear refusal (HR-72)."""
        text = (text or "").strip()
        if len(text) > max_length:
            raise ValidationError(
                self.env._(
                    "%(label)s is too long: %(max)s characters at most.",
                    label=label,
                    max=max_length,
                )
            )
        if "<" in text or ">" in text:
            raise ValidationError(
                self.env._("%(label)s must be plain text, without HTML.", label=label)
            )
        return text

    def _hotrush_schedule_chat(self):
        """Activity for the agent at that time, confirmation to the customer."""
        self.ensure_one()
        user = self._hotrush_responsible_user()
        when = self.hotrush_chat_at
        if user:
            local = fields.Datetime.context_timestamp(
                self.with_context(tz=user.tz or "UTC"), when
            )
            self.activity_schedule(
                CHAT_ACTIVITY,
                date_deadline=local.date(),
                summary=self.env._(
                    "Live chat via %(tool)s at %(time)s with %(contact)s",
                    tool=self.hotrush_chat_tool_id.name,
                    time=format_datetime(
                        self.env, when, tz=user.tz or "UTC", dt_format="short"
                    ),
                    contact=self.hotrush_chat_contact,
                ),
                user_id=user.id,
            )
        customer_tz = self.partner_id.tz or self._get_hotrush_calendar().tz or "UTC"
        # sudo: a notice to the customer on their own ticket; as a notification it
        # never counts as the first response
        self.sudo().message_post(
            body=self.env._(
                "Your live chat via %(tool)s is planned for %(time)s. Our support "
                "engineer will contact %(contact)s.",
                tool=self.hotrush_chat_tool_id.name,
                time=self._hotrush_format(when, tz=customer_tz),
                contact=self.hotrush_chat_contact,
            ),
            message_type="notification",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
        )

    # ------------------------------------------------------------------
    # Billing (HR-31 … HR-34)
    # ------------------------------------------------------------------

    def _hotrush_charge_closed(self):
        """Charge the closed tickets of this batch that have billable hours."""
        for ticket in self.filtered(lambda t: t.closed and t._hotrush_is_billable()):
            ticket._hotrush_charge()

    def _hotrush_is_billable(self):
        self.ensure_one()
        return bool(
            self.hotrush_billable_hours > 0
            and self.team_id.hotrush_support_product_id
            and self.commercial_partner_id
        )

    def _hotrush_charge(self):
        """Charge this ticket once: a database constraint settles races."""
        self.ensure_one()
        # sudo: agents closing a ticket may not read charges; only this ticket's
        # charge is looked up
        Charge = self.env["hotrush.charge"].sudo()
        if Charge.search_count([("ticket_id", "=", self.id), ("kind", "=", "charge")]):
            return Charge.browse()
        try:
            with self.env.cr.savepoint():
                return self._hotrush_create_charge()
        except psycopg2.errors.UniqueViolation as error:
            if error.diag.constraint_name != CHARGE_CONSTRAINT:
                raise  # not the charge itself: let the request be retried
            # another transaction charged it first (reopen/close race, two workers)
            _logger.info("Ticket %s was already charged", self.number)
            return Charge.browse()

    def _hotrush_rate_multiplier(self):
        """Double rate for tickets still HotRush when closed (HR-31, HR-34)."""
        self.ensure_one()
        company = self.company_id
        if not self.hotrush:
            return 1.0
        if company.hotrush_waive_breached and self.hotrush_sla_status == "breached":
            return 1.0
        return company.hotrush_rate_multiplier

    def _hotrush_unit_price(self, product):
        """Price of one support hour at the normal rate, in company currency."""
        self.ensure_one()
        return product.with_company(self.company_id).lst_price

    def _hotrush_create_charge(self):
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        partner = self.commercial_partner_id
        product = self.team_id.hotrush_support_product_id
        hours = self.hotrush_billable_hours
        unit_price = self._hotrush_unit_price(product)
        multiplier = self._hotrush_rate_multiplier()
        amount = currency.round(hours * currency.round(unit_price * multiplier))
        # sudo: charges, balances and support invoices are written by the billing
        # rules for this ticket's own customer and company, whoever closes it.
        # no balance is created here: a customer without one in this company pays
        # the whole amount on the invoice
        balance = self.env["hotrush.support.balance"]._get_for(
            partner, company, create=False
        )
        covered = 0.0
        if balance:
            balance._lock()
            balance.invalidate_recordset(["amount", "expiry_date"])
            covered = min(max(balance._available_amount(), 0.0), amount)
        invoice = (
            self.env["account.move"]
            .sudo()
            ._hotrush_get_support_invoice(partner, company)
        )
        line_vals = [self._hotrush_prepare_charge_line_vals(product, hours, multiplier)]
        if not currency.is_zero(covered):
            line_vals.append(self._hotrush_prepare_deduction_line_vals(covered))
        before = invoice.invoice_line_ids
        invoice.write({"invoice_line_ids": [Command.create(v) for v in line_vals]})
        lines = invoice.invoice_line_ids - before
        # sudo: see above; the charge is this ticket's, for its own customer
        charge = (
            self.env["hotrush.charge"]
            .sudo()
            .create(
                {
                    "ticket_id": self.id,
                    "kind": "charge",
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "product_id": product.id,
                    "hours": hours,
                    "unit_price": unit_price,
                    "multiplier": multiplier,
                    "amount": amount,
                    "covered_amount": covered,
                    "move_id": invoice.id,
                    "move_line_ids": [Command.set(lines.ids)],
                }
            )
        )
        if not currency.is_zero(covered):
            balance.line_ids.create(
                {
                    "balance_id": balance.id,
                    "kind": "charge",
                    "amount": -covered,
                    "ticket_id": self.id,
                    "move_id": invoice.id,
                    "note": self.display_name,
                }
            )
        return charge

    def _hotrush_rate_label(self, multiplier):
        if multiplier > 1:
            return self.env._("HotRush rate (x%(multiplier)s)", multiplier=multiplier)
        return self.env._("normal rate")

    def _hotrush_prepare_charge_line_vals(self, product, hours, multiplier):
        self.ensure_one()
        currency = self.company_id.currency_id
        return {
            "product_id": product.id,
            "quantity": hours,
            "price_unit": currency.round(
                self._hotrush_unit_price(product) * multiplier
            ),
            "name": self.env._(
                "Support ticket %(ticket)s, %(rate)s",
                ticket=self.display_name,
                rate=self._hotrush_rate_label(multiplier),
            ),
            "hotrush_ticket_id": self.id,
        }

    def _hotrush_prepare_deduction_line_vals(self, amount):
        """A negative prepaid-support line, like a down payment deduction (HR-32)."""
        self.ensure_one()
        product = self.company_id._get_hotrush_prepaid_product()
        if not product:
            raise UserError(
                self.env._(
                    "Set the prepaid support product in Settings > Helpdesk > "
                    "HotRush to deduct charges from support balances."
                )
            )
        return {
            "product_id": product.id,
            "quantity": 1.0,
            "price_unit": -amount,
            "name": self.env._(
                "Paid from the prepaid support balance: %(ticket)s",
                ticket=self.display_name,
            ),
            "hotrush_deduction": True,
            "hotrush_ticket_id": self.id,
        }

    def _hotrush_refund_surcharge(self):
        """Urgency ended after the ticket was charged at the HotRush rate (HR-33)."""
        for ticket in self:
            # sudo: the customer withdrawing may not read charges; this ticket's only
            charges = ticket.sudo().hotrush_charge_ids
            charge = charges.filtered(lambda c: c.kind == "charge" and c.multiplier > 1)
            if charge and not charges.filtered(lambda c: c.kind == "surcharge_refund"):
                try:
                    with self.env.cr.savepoint():
                        ticket._hotrush_create_surcharge_refund(charge)
                except psycopg2.errors.UniqueViolation as error:
                    if error.diag.constraint_name != CHARGE_CONSTRAINT:
                        raise
                    _logger.info("Surcharge of %s was already refunded", ticket.number)

    def _hotrush_create_surcharge_refund(self, charge):
        self.ensure_one()
        currency = charge.currency_id
        normal_amount = currency.round(charge.hours * charge.unit_price)
        surcharge = currency.round(charge.amount - normal_amount)
        invoice = charge.move_id
        if invoice.state == "draft":
            move = invoice
            self._hotrush_rerate_draft_charge(charge, normal_amount)
        else:
            move = self._hotrush_create_surcharge_credit_note(charge, surcharge)
        # sudo: see _hotrush_create_charge
        return (
            self.env["hotrush.charge"]
            .sudo()
            .create(
                {
                    "ticket_id": self.id,
                    "kind": "surcharge_refund",
                    "company_id": charge.company_id.id,
                    "partner_id": charge.partner_id.id,
                    "product_id": charge.product_id.id,
                    "hours": charge.hours,
                    "unit_price": charge.unit_price,
                    "multiplier": charge.multiplier - 1,
                    "amount": -surcharge,
                    "move_id": move.id,
                }
            )
        )

    def _hotrush_rerate_draft_charge(self, charge, normal_amount):
        """Not invoiced yet: bill the normal rate, return extra credit to the balance."""
        currency = charge.currency_id
        lines = charge.move_line_ids
        lines.filtered(lambda line: not line.hotrush_deduction).write(
            {
                "price_unit": currency.round(charge.unit_price),
                "name": self.env._(
                    "Support ticket %(ticket)s, %(rate)s",
                    ticket=self.display_name,
                    rate=self._hotrush_rate_label(1.0),
                ),
            }
        )
        covered = min(charge.covered_amount, normal_amount)
        returned = currency.round(charge.covered_amount - covered)
        if currency.is_zero(returned):
            return
        deduction = lines.filtered("hotrush_deduction")
        if currency.is_zero(covered):
            deduction.unlink()
        else:
            deduction.write({"price_unit": -covered})
        balance = self.env["hotrush.support.balance"]._get_for(
            charge.partner_id, charge.company_id
        )
        balance.line_ids.create(
            {
                "balance_id": balance.id,
                "kind": "refund",
                "amount": returned,
                "ticket_id": self.id,
                "move_id": charge.move_id.id,
                "note": self.env._(
                    "HotRush surcharge of %(ticket)s not due", ticket=self.display_name
                ),
            }
        )

    def _hotrush_create_surcharge_credit_note(self, charge, surcharge):
        """Already invoiced: a credit note for the surcharge, against that invoice."""
        invoice = charge.move_id
        # sudo: the credit note is the billing rule's, for this charge's customer and
        # company only, whoever withdraws
        return (
            self.env["account.move"]
            .sudo()
            .with_company(charge.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": charge.partner_id.id,
                    "company_id": charge.company_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": charge.product_id.id,
                                "quantity": charge.hours,
                                "price_unit": charge.currency_id.round(
                                    charge.unit_price * (charge.multiplier - 1)
                                ),
                                "name": self.env._(
                                    "Refund of the HotRush surcharge: %(ticket)s",
                                    ticket=self.display_name,
                                ),
                                "hotrush_ticket_id": self.id,
                            }
                        )
                    ],
                }
            )
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _get_hotrush_calendar(self):
        """The support calendar of this ticket, readable by whoever asks.

        Working hours and public holidays are what the support tells every
        customer; planning needs them even for users without access to calendars.
        """
        self.ensure_one()
        # sudo: calendars only (working hours and public holidays), see the docstring
        if self.team_id:
            calendar = self.team_id.sudo()._get_hotrush_calendar()
        else:
            calendar = (
                (self.company_id or self.env.company).sudo()._get_hotrush_calendar()
            )
        return calendar.sudo()

    def _get_hotrush_response_hours(self):
        self.ensure_one()
        if self.team_id:
            return self.team_id._get_hotrush_response_hours()
        return (self.company_id or self.env.company).hotrush_response_hours

    def _hotrush_balance_refusal(self):
        """Why this ticket's customer may not request HotRush now, or ``False`` (HR-4)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner:
            return self.env._(
                "HotRush needs the customer of the ticket: set the contact first."
            )
        Balance = self.env["hotrush.support.balance"]
        if Balance._has_active_balance(partner, self.company_id):
            return False
        balance = Balance._get_for(partner, self.company_id, create=False)
        if balance.expiry_date and balance.expiry_date < balance._hotrush_today():
            return self.env._(
                "HotRush is available while your support balance is active, and it "
                "expired on %(date)s. Top up your prepaid support to use HotRush, or "
                "submit the ticket without HotRush.",
                date=fields.Date.to_string(balance.expiry_date),
            )
        return self.env._(
            "HotRush is available while your support balance is active, and it has "
            "no credit left. Top up your prepaid support to use HotRush, or submit "
            "the ticket without HotRush."
        )

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
            "hotrush_response_working_minutes",
            "hotrush_sla_status",
            "hotrush_priority_before",
            "hotrush_team_notified_at",
            "hotrush_warned_at",
            "hotrush_escalated_at",
            "hotrush_opening_notified_at",
            "hotrush_end_action",
            "hotrush_ended_at",
            "hotrush_event_ids",
            "hotrush_charge_ids",
            "hotrush_chat_tool_id",
            "hotrush_chat_contact",
            "hotrush_chat_at",
            "hotrush_form_key",
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

    def _hotrush_check_own_tickets(self, message=None):
        """Customers act only on their own company's tickets: the ticket's customer
        or its commercial entity, as the portal's own access rules define them (a
        follower of someone else's ticket may read it, not act on it)."""
        self.check_access("read")
        partner = self.env.user.partner_id.commercial_partner_id
        if any(t.commercial_partner_id != partner for t in self):
            raise AccessError(
                message
                or self.env._("You can only change HotRush on your own tickets.")
            )

    def _hotrush_format(self, value, tz=None):
        """A UTC datetime as text in the given (or the calendar's) time zone."""
        self.ensure_one()
        calendar = self._get_hotrush_calendar()
        tz = tz or (calendar and calendar._hotrush_zone()) or "UTC"
        return format_datetime(self.env, value, tz=tz, dt_format="short") + f" ({tz})"

    # ------------------------------------------------------------------
    # SLA scheduled action
    # ------------------------------------------------------------------
    # HR-5 (the team's 'Respond by' activity, triggered by each request) and
    # HR-50 … HR-53. Each step selects tickets on stored, indexed fields, locks them
    # with SKIP LOCKED in the same statement (a second worker gets other tickets),
    # writes a "done" marker with the notice and commits per batch: a run can stop
    # anywhere, run twice or run in parallel, and every notice still goes out once.

    @api.model
    def _cron_hotrush_sla(self, batch_size=CRON_BATCH_SIZE):
        """Scheduled action: new requests, opening notices, breaches with escalation,
        warnings.

        The steps run in this order so that a new request first gets its 'Respond by'
        activity, and a ticket whose opening and deadline both passed while the action
        did not run is announced, then escalated, and never warned about a deadline
        that is already over.
        """
        now = fields.Datetime.now()
        # sudo: the action checks the tickets of every company, whoever its user is.
        # Each step reads and writes only the ticket it handles and notifies that
        # ticket's own team, so nothing of one customer reaches another.
        tickets = self.sudo()
        for domain_method, method in tickets._hotrush_cron_steps():
            domain = getattr(tickets, domain_method)(now)
            if not tickets._hotrush_cron_run_step(domain, method, now, batch_size):
                return  # out of time: the job is rescheduled at once for the rest

    @api.model
    def _hotrush_cron_steps(self):
        """(domain method, processing method) names of the steps, in order."""
        return [
            ("_hotrush_cron_domain_request", "_hotrush_notify_request"),
            ("_hotrush_cron_domain_opening", "_hotrush_notify_opening"),
            ("_hotrush_cron_domain_breach", "_hotrush_escalate_breach"),
            ("_hotrush_cron_domain_warning", "_hotrush_warn"),
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
    def _hotrush_cron_run_step(self, domain, method, now, batch_size):
        """Run ``method(now)`` on the tickets of ``domain`` in committed batches.

        Batches follow the ids, so a ticket that failed, or that still matches after
        processing, is not taken again in this run (no endless loop); it is retried
        on the next run since it has no marker.

        :return: False when the scheduled action ran out of time
        """
        cron = self.env["ir.cron"]
        last_id = 0
        while True:
            todo = domain & Domain("id", ">", last_id)
            tickets = self._hotrush_cron_lock(todo, batch_size)
            if not tickets:
                return True
            last_id = max(tickets.ids)
            done = tickets._hotrush_cron_process(method, now)
            full = len(tickets) == batch_size
            remaining = (
                self.search_count(domain & Domain("id", ">", last_id)) if full else 0
            )
            time_left = cron._commit_progress(len(done), remaining=remaining)
            if not full:
                return True
            if not time_left:
                if not remaining:
                    # later steps have not run: ask to be called again right away
                    cron._commit_progress(remaining=1)
                return False

    @api.model
    def _hotrush_cron_lock(self, domain, limit):
        """Select and lock up to ``limit`` tickets of ``domain`` in one statement.

        Rows another worker has locked are skipped rather than waited for, so no
        ticket is handled twice. A row that worker committed after this transaction
        began cannot be locked (repeatable read): then this step stops for this run
        and the next run, with fresh data, sees whether anything is left.
        """
        query = self._search(domain, order="id", limit=limit)
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

    def _hotrush_notify_opening(self, now):
        """Support opened: the queued tickets run now; their team is told, once."""
        self._hotrush_update_sla_status(now)
        # sudo: system fields, see _hotrush_start
        self.sudo().write({"hotrush_opening_notified_at": now})
        for ticket in self:
            ticket._hotrush_post_notice(
                ticket._hotrush_opening_message(), ticket._hotrush_team_users()
            )

    def _hotrush_escalate_breach(self, now):
        """Deadline plus grace passed unanswered: breached, escalated to the leader."""
        self._hotrush_update_sla_status(now)
        breached = self.filtered(
            lambda t: (
                t.hotrush_sla_status == "breached" and not t.hotrush_first_response_at
            )
        )
        # sudo: system fields, see _hotrush_start
        breached.sudo().write({"hotrush_escalated_at": now})
        for ticket in breached:
            leader = ticket._hotrush_escalation_user()
            if leader:
                ticket.message_subscribe(partner_ids=leader.partner_id.ids)
                ticket._hotrush_schedule_cron_activity(
                    leader,
                    self.env._(
                        "HotRush breached: answer now (deadline %(deadline)s)",
                        deadline=ticket._hotrush_format(
                            ticket.hotrush_deadline, tz=leader.tz
                        ),
                    ),
                )
            ticket._hotrush_post_notice(ticket._hotrush_breach_message(leader), leader)
            _logger.info(
                "HotRush ticket %s (id %s) breached its deadline %s; escalated to %s",
                ticket.number,
                ticket.id,
                ticket.hotrush_deadline,
                leader.login or "nobody (no team leader)",
            )

    def _hotrush_warn(self, now):
        """Deadline within the warning lead: activity and message, once."""
        # sudo: system fields, see _hotrush_start
        self.sudo().write({"hotrush_warned_at": now})
        for ticket in self:
            user = ticket._hotrush_responsible_user()
            deadline = ticket._hotrush_format(
                ticket.hotrush_deadline, tz=user.tz or None
            )
            if user:
                ticket._hotrush_schedule_cron_activity(
                    user,
                    self.env._(
                        "HotRush deadline approaching: respond by %(deadline)s",
                        deadline=deadline,
                    ),
                )
            minutes = max(int((ticket.hotrush_deadline - now).total_seconds()) // 60, 0)
            ticket._hotrush_post_notice(
                self.env._(
                    "HotRush deadline approaching: respond publicly by %(deadline)s "
                    "(%(minutes)s minutes left).",
                    deadline=deadline,
                    minutes=minutes,
                ),
                user,
            )

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
        """Who a breach is escalated to: the team leader."""
        self.ensure_one()
        return self.team_id.user_id

    def _hotrush_team_users(self):
        """Who hears that support opened on a queued ticket: leader and members."""
        self.ensure_one()
        return self.team_id.user_id | self.team_id.user_ids

    def _hotrush_post_notice(self, body, users):
        """An internal note on the ticket that notifies ``users``."""
        self.ensure_one()
        return self.message_post(
            body=body,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            partner_ids=users.partner_id.ids,
        )

    def _hotrush_schedule_cron_activity(self, user, summary):
        """A HotRush response activity due today (in the user's time zone).

        Same type as the response activity, so the first response marks it done and
        ending urgency removes it.
        """
        self.ensure_one()
        today = fields.Date.context_today(self.with_context(tz=user.tz or "UTC"))
        return self.activity_schedule(
            RESPONSE_ACTIVITY, date_deadline=today, summary=summary, user_id=user.id
        )
