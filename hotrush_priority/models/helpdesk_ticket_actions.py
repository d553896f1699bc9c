# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket's HotRush actions: who may request, uncheck, withdraw and remove
urgency, and how (HR-20 … HR-22).

Each action checks who acts on which tickets, then writes the flag; the ending ones
carry their end (action, reason, note) as system fields, which the core's write reads
to apply the rules of that action (``_hotrush_end_of_write``) and the request records
(``hotrush.request._end``). Customers act on their own company's tickets only.

The portal's ways to a ticket: the new-ticket form's one-time key, closing from the
portal (helpdesk_mgmt's close buttons, made safe: closing bills the ticket, so only its
own customer or an agent who may edit it closes it, into a stage the portal offers,
HR-80), and the facts the portal's presenter (``hotrush_priority.portal``) words. The
live chat's actions: who books one and who records it held; the request's rules do the
rest (hotrush_request_chat.py).
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..const import CUSTOMER_REASON, NOTE_MAX_LENGTH
from .hotrush_request import request_field


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # the live chat booked for the current request
    hotrush_chat_tool_id = request_field(
        fields.Many2one, "chat_tool_id", "Live Chat Tool"
    )
    hotrush_chat_contact = request_field(
        fields.Char, "chat_contact", "Customer's Chat ID"
    )
    hotrush_chat_at = request_field(
        fields.Datetime, "chat_at", "Live Chat At", tracking=True
    )
    hotrush_chat_held_at = request_field(
        fields.Datetime, "chat_held_at", "Live Chat Held On"
    )

    def write(self, vals):
        if "hotrush" in vals and not self.env.su and not self.env.user._is_internal():
            self._hotrush_refuse_customer_write(bool(vals["hotrush"]))
        return super().write(vals)

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
    # The portal's ways to a ticket
    # ------------------------------------------------------------------

    # The new-ticket form's one-time key: a double click submits it twice, the
    # database keeps one ticket per customer and key
    hotrush_form_key = fields.Char(copy=False, readonly=True)

    _hotrush_form_key_uniq = models.UniqueIndex(
        "(partner_id, hotrush_form_key) WHERE hotrush_form_key IS NOT NULL",
        "This form was already submitted.",
    )

    @api.model
    def _hotrush_system_fields(self):
        return super()._hotrush_system_fields() | {"hotrush_form_key"}

    def action_close_from_portal(self, stage_id):
        """Close the ticket into one of the stages the portal offers, as its customer
        (helpdesk_mgmt's close buttons) or as an agent who may edit it. The close
        bills the ticket, so nobody else may do it."""
        self.ensure_one()
        stage = self._check_close_from_portal(stage_id)
        # sudo: customers have no write access to tickets; the checks limit this to
        # the customer's own open ticket and to a portal closing stage
        self.sudo().write({"stage_id": stage.id})
        return True

    def _check_close_from_portal(self, stage_id):
        """The portal closing stage ``stage_id`` of this open ticket, if the user may
        close it there (its customer, or an agent who may edit it); else an error."""
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
        return stage

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

    # ------------------------------------------------------------------
    # Facts of the ticket page (the presenter words them)
    # ------------------------------------------------------------------

    def _hotrush_portal_actions(self):
        """The HotRush buttons the ticket page offers its customer: what the rules
        allow in the ticket's state (a closed ticket: withdrawal only)."""
        self.ensure_one()
        if self.closed:
            return {"withdraw"} if self.hotrush else set()
        if not self.hotrush:
            offered = self.hotrush_offered and not self._hotrush_request_refused()
            return {"request"} if offered else set()
        actions = {"withdraw"} if self.user_id else {"uncheck"}
        # one live chat at a time; once its time has passed, another may be booked
        if not self._hotrush_pending_chat() and self._hotrush_portal_chat_possible():
            actions.add("chat")
        return actions

    def _hotrush_request_refused(self):
        """Whether the customer may not request HotRush on this normal ticket now:
        no active balance, or a category without HotRush."""
        self.ensure_one()
        return bool(
            self._hotrush_balance_refusal() or self.category_id.hotrush_not_eligible
        )

    def _hotrush_portal_chat_possible(self):
        """Whether a live chat can still start before the response deadline (HR-84):
        after it, the form would only be refused."""
        self.ensure_one()
        latest = self.env["hotrush.request"]._chat_latest_start(self)
        return bool(latest and latest > fields.Datetime.now())

    def _hotrush_closure_at(self, moment):
        """The name of the closure (public holiday) of this ticket's calendar at
        ``moment``, or False."""
        self.ensure_one()
        closures = self.env["helpdesk.ticket.team"]._hotrush_portal_closures(
            self._get_hotrush_calendar(), moment, moment
        )
        return closures[0][0] if closures else False

    def _hotrush_portal_events(self):
        """The ticket's HotRush events, oldest first, for its customer's history:
        the caller checked the customer's access to the ticket."""
        self.ensure_one()
        # sudo: customers cannot read audit events; only this ticket's own, which
        # the presenter tells without author or internal note
        return self.sudo().hotrush_event_ids.sorted(lambda e: (e.date, e.id))

    # ------------------------------------------------------------------
    # Live chat (the request's rules: hotrush_request_chat.py)
    # ------------------------------------------------------------------

    def action_hotrush_request_chat(self, tool_id, contact, when):
        """Book a live chat on a HotRush ticket: its customer, or an agent who may
        edit it (HR-40 … HR-42).

        :param tool_id: id of an active ``hotrush.chat.tool``
        :param contact: the customer's ID on that tool
        :param when: preferred start, a naive UTC datetime (or its string)
        """
        self.ensure_one()
        if self.env.user._is_internal():
            self.check_access("write")
        else:
            self._hotrush_check_own_tickets()
        Request = self.env["hotrush.request"]
        self._hotrush_request()._book_chat(
            Request._chat_booking_vals(self, tool_id, contact, when)
        )
        return True

    def _hotrush_validate_chat(self, tool_id, contact, when):
        """The ticket values of a live chat booked on this ticket, checked: for the
        new-ticket form, on the ticket it is about to create."""
        vals = self.env["hotrush.request"]._chat_booking_vals(
            self, tool_id, contact, when
        )
        return {f"hotrush_{name}": value for name, value in vals.items()}

    def _hotrush_pending_chat(self):
        """The tickets whose live chat is booked and still to come."""
        now = fields.Datetime.now()
        return self.filtered(lambda t: t.hotrush_chat_at and t.hotrush_chat_at > now)

    def action_hotrush_open_chat_held_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Live Chat Held"),
            "res_model": "hotrush.chat.held.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def action_hotrush_chat_held(self, start, note=False):
        """Record a live chat held with the customer (HR-84): support staff with
        write access to the ticket only, whatever the route (the portal, RPC).

        The customer is told in the ticket's conversation; the chat they booked,
        held on time, is the first response at ``start`` (see
        ``hotrush.request._hold_chat``).

        :param start: when the chat started, a naive UTC datetime (or its string)
        :param note: what was said or agreed, plain text for the customer
        """
        self.ensure_one()
        if not self.env.user._is_internal():
            raise AccessError(
                self.env._("Only support staff can record a held live chat.")
            )
        self.check_access("write")
        self.env["hotrush.request"]._hold_chat(self, start, note=note)
        return True

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

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
