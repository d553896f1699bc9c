# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket's HotRush actions: who may request, uncheck, withdraw and remove
urgency, and how (HR-20 … HR-22).

Each action checks who acts on which tickets, then writes the flag; the ending ones
carry their end (action, reason, note) as system fields, which the core's write reads
to apply the rules of that action (``_hotrush_end_of_write``) and the request records
(``hotrush.request._end``). Customers act on their own company's tickets only.
"""

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

from ..const import CUSTOMER_REASON, NOTE_MAX_LENGTH


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

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
