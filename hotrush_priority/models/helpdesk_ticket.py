# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The HotRush core of a ticket: the flag, the clock, the status, who may start and
end urgency and how, and the first response.

Satellites extend it through the hooks ``_hotrush_start``, ``_hotrush_start_vals``,
``_hotrush_end``, ``_hotrush_register_first_response``, ``_hotrush_response_time``,
``_hotrush_system_fields``, ``create`` and ``write``: the audit trail
(helpdesk_ticket_audit.py), the SLA scheduled action and its notices
(helpdesk_ticket_sla.py), the live chat
(helpdesk_ticket_chat.py) and billing (helpdesk_ticket_billing.py);
helpdesk_ticket_portal.py adds the portal's form key and close. This file never
calls them.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_datetime

from ..const import (
    CUSTOMER_REASON,
    HIGHEST_PRIORITY,
    NOTE_MAX_LENGTH,
    OPEN_STATUSES,
    REMOVAL_REASONS,
    USER_END_ACTIONS,
)
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

    hotrush_queue_deadline = fields.Datetime(
        compute="_compute_hotrush_queue_deadline",
        store=True,
        index=True,
        copy=False,
        readonly=True,
        help="Deadline of HotRush tickets awaiting their first response: the queue "
        "order.",
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

    @api.depends(
        "hotrush", "hotrush_request_id.deadline", "hotrush_request_id.first_response_at"
    )
    def _compute_hotrush_queue_deadline(self):
        for ticket in self:
            waiting = ticket.hotrush and not ticket.hotrush_first_response_at
            ticket.hotrush_queue_deadline = waiting and ticket.hotrush_deadline

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
        for ticket, (_vals, request_vals) in zip(tickets, split, strict=True):
            if request_vals:
                ticket._hotrush_create_requests(request_vals)
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
        if "hotrush" in vals and not self.env.su and not self.env.user._is_internal():
            self._hotrush_refuse_customer_write(bool(vals["hotrush"]))
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
        """Write ``request_vals`` on the current requests of these tickets; a ticket
        without one (an import of a handled ticket) gets one."""
        if not request_vals or not self:
            return
        # sudo: requests are written by the HotRush rules only; the caller's right
        # to write these fields was checked (system fields) by the ticket's write
        self.hotrush_request_id.sudo().write(request_vals)
        for ticket in self.filtered(lambda t: not t.hotrush_request_id):
            ticket._hotrush_create_requests(request_vals)

    def _hotrush_create_requests(self, request_vals):
        """A new current request for each of these tickets, of ``request_vals``,
        planned on the ticket's team."""
        if not self:
            return self.env["hotrush.request"]
        # sudo: a request is made by the HotRush rules, whoever asked for it (the
        # customer's or the agent's right to was checked by the action)
        requests = (
            self.env["hotrush.request"]
            .sudo()
            .create(
                [
                    {
                        "ticket_id": ticket.id,
                        "team_id": ticket.team_id.id,
                        "requested_at": fields.Datetime.now(),
                        **request_vals,
                    }
                    for ticket in self
                ]
            )
        )
        return requests

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
        """These HotRush tickets moved to another HotRush team: the deadline the
        customer was told stands, the receiving team inherits it (the plan keeps the
        team it was made on). Satellites record and act (the audit event, the
        'Respond by' activity of the new team).

        :param previous_teams: ticket id -> its team before the move
        """
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
        self._hotrush_check_end_allowed(action, reason, note)
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
        return self._hotrush_end_by_customer("uncheck")

    def action_hotrush_withdraw(self, note=False):
        """Withdraw after assignment, for any reason (HR-21): normal rate from then."""
        return self._hotrush_end_by_customer("withdraw", note=note)

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
        Team = self.env["helpdesk.ticket.team"]
        vals = (
            {"team_id": Team._hotrush_move_target(team_id, self).id} if team_id else {}
        )
        return self._hotrush_end_by("remove", reason, note, vals)

    def _hotrush_end_by_customer(self, action, note=False):
        if self.env.user._is_internal():
            return self._hotrush_end_by(action, CUSTOMER_REASON, note)
        self._hotrush_check_own_tickets()
        # sudo: customers have no write access to tickets. The check above limits this
        # to the user's own tickets and write() applies the rules of the action.
        return self.sudo()._hotrush_end_by(action, CUSTOMER_REASON, note)

    def _hotrush_end_by(self, action, reason=False, note=False, vals=None):
        """End the urgency of these tickets by ``action``, for ``reason``, with
        ``note``: what every end action does. ``vals`` are written with it.

        The end travels in the write as arguments of its own (system fields), which
        write() reads to apply the rules of that action and record it.
        """
        tickets = self.filtered("hotrush")
        if not tickets:
            return True
        if not self.env.su:
            tickets.check_access("write")
        if note:
            note = self._hotrush_clean_text(
                str(note), NOTE_MAX_LENGTH, self.env._("Note")
            )
        # sudo: how urgency ends is a system field. An agent may write these tickets
        # (checked above); a customer comes here through the action on their own
        # tickets. ``vals`` are the action's own (a removal's team, checked there).
        tickets.sudo().write(
            {
                **(vals or {}),
                "hotrush": False,
                "hotrush_end_action": action,
                "hotrush_end_reason": reason or False,
                "hotrush_end_note": note or False,
            }
        )
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
                tickets.sudo()._hotrush_create_requests(request_vals)
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

    def _hotrush_check_end_allowed(self, action, reason, note):
        """The rules of the end actions (HR-20 … HR-22), whatever the route."""
        if not self:
            return
        if action == "uncheck":
            self.filtered("closed")._hotrush_refuse(
                self.env._(
                    "HotRush cannot be unchecked on %(ticket)s: the ticket is closed. "
                    "Use 'Withdraw HotRush' instead."
                )
            )
            self.filtered("user_id")._hotrush_refuse(
                self.env._(
                    "HotRush cannot be unchecked on %(ticket)s: an agent is already "
                    "assigned. Use 'Withdraw HotRush' instead (billed at the normal "
                    "rate from then on); support staff use 'Remove HotRush' with a "
                    "reason."
                )
            )
        elif action == "withdraw":
            # after closing, withdrawing is the only way out, assigned or not
            self.filtered(lambda t: not t.user_id and not t.closed)._hotrush_refuse(
                self.env._(
                    "No agent is assigned to %(ticket)s yet: use 'Uncheck HotRush' "
                    "instead."
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

    def _hotrush_end(self, action, reason=False, note=False):
        """Urgency ended: SLA cancelled when unanswered, priority restored.
        Satellites extend it (the audit event, the activities, the refund)."""
        now = fields.Datetime.now()
        for ticket in self:
            vals = {
                "priority": ticket.hotrush_priority_before or ticket.priority,
                "hotrush_end_action": action,
                "hotrush_end_reason": reason or False,
                "hotrush_end_note": note or False,
                "hotrush_ended_at": now,
            }
            if ticket.hotrush_sla_status in OPEN_STATUSES:
                vals["hotrush_sla_status"] = "cancelled"
            # sudo: the end's system fields and the priority the rules restore,
            # on the tickets whose urgency ends (the caller's right to end it
            # was checked by its action)
            ticket.sudo().write(vals)

    # ------------------------------------------------------------------
    # SLA status and first response
    # ------------------------------------------------------------------

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
            # sudo: time moves the status (a system field) whoever looks at the
            # ticket; these tickets only
            tickets.sudo().write({"hotrush_sla_status": status})
            changed |= tickets
        return changed

    def _hotrush_status_at(self, now):
        self.ensure_one()
        return self.hotrush_request_id._status_at(now)

    def _hotrush_breached_at(self, now):
        """The verdict of the current request at ``now`` (see the request's)."""
        self.ensure_one()
        return bool(self.hotrush_request_id) and self.hotrush_request_id._breached_at(
            now
        )

    def _hotrush_breach_time(self):
        """Deadline plus grace: a first response after this instant breaches the SLA."""
        self.ensure_one()
        return self.hotrush_request_id._breach_time()

    def _hotrush_register_first_response(self, message):
        """Record ``message`` as the first response when it is one.

        :return: whether it was
        """
        self.ensure_one()
        if not self._hotrush_is_first_response(message):
            return False
        answered = self._hotrush_response_time(message)
        vals = {
            "hotrush_first_response_at": answered,
            "hotrush_first_response_user_id": message.author_id.user_ids.filtered(
                lambda u: not u.share
            )[:1].id,
            "hotrush_first_response_message_id": message.id,
        }
        # a breach that time decided while nobody answered is decided again by the
        # answer's time: the same for a reply, earlier for a chat recorded late
        if self.hotrush_sla_status in (*OPEN_STATUSES, "breached"):
            breached = answered > self._hotrush_breach_time()
            vals["hotrush_sla_status"] = "breached" if breached else "met"
        # sudo: the first response is recorded by the rules whoever posts it;
        # system fields of this ticket only
        self.sudo().write(vals)
        return True

    def _hotrush_response_time(self, message):
        """When ``message`` answered the customer: the server's time, as a message's
        date is the poster's to choose. Satellites give the time of answers recorded
        after they were given (a held live chat: its start)."""
        return fields.Datetime.now()

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

    @api.model
    def _hotrush_system_fields(self):
        """Fields only the HotRush rules write (never a user, a form or an import).
        Satellites add theirs."""
        return {
            "hotrush_request_id",
            "hotrush_request_ids",
            "hotrush_queue_deadline",
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

    def _hotrush_format(self, value, tz=None):
        """A UTC datetime as text in the given (or the calendar's) time zone."""
        self.ensure_one()
        calendar = self._get_hotrush_calendar()
        tz = tz or (calendar and calendar._hotrush_zone()) or "UTC"
        return format_datetime(self.env, value, tz=tz, dt_format="short") + f" ({tz})"
