# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The audit trail of a ticket's urgency: one event per start and end, who, why, with
which note, and the same in the chatter (HR-24)."""

from odoo import fields, models
from odoo.tools import SQL


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    hotrush_event_ids = fields.One2many(
        "hotrush.event", "ticket_id", string="HotRush History", readonly=True
    )

    # ------------------------------------------------------------------
    # Hooks of the core
    # ------------------------------------------------------------------

    def _hotrush_start(self, created=False):
        res = super()._hotrush_start(created=created)
        self._hotrush_log_event("start", "request")
        return res

    def _hotrush_end(self, action, reason=False, note=False):
        res = super()._hotrush_end(action, reason=reason, note=note)
        self._hotrush_log_event("end", action, reason=reason, note=note)
        return res

    def _hotrush_deadline_moved(self, before, why):
        res = super()._hotrush_deadline_moved(before, why)
        self._hotrush_log_event(
            "move",
            "replan",
            note=why,
            previous={ticket_id: planned[1] for ticket_id, planned in before.items()},
        )
        return res

    def _hotrush_system_fields(self):
        return super()._hotrush_system_fields() | {"hotrush_event_ids"}

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------

    def _hotrush_log_event(self, kind, action, reason=False, note=False, previous=None):
        """Record an audit event per ticket and say it in the chatter: an internal
        note, or for a moved deadline (``previous``: ticket id -> deadline before) a
        message the customer reads."""
        if not self:
            return self.env["hotrush.event"]
        vals_list = [
            ticket._hotrush_prepare_event_vals(kind, action, reason, note)
            for ticket in self
        ]
        if previous:
            for vals in vals_list:
                vals["previous_deadline"] = previous[vals["ticket_id"]]
        # sudo: nobody may create audit records directly; the rules record them for
        # the user who acted, on these tickets only.
        events = self.env["hotrush.event"].sudo().create(vals_list)
        bodies = {
            ticket.id: event._chatter_message()
            for ticket, event in zip(self, events, strict=True)
        }
        if previous:
            self._hotrush_log_public(bodies)
        else:
            # An internal note that notifies nobody: logged (one batch insert, no
            # recipients to compute). sudo: customers may not post internal notes;
            # the note only states the event.
            self.sudo()._message_log_batch(bodies)
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

    def _hotrush_log_public(self, bodies):
        """One message per ticket that its customer reads in the portal's conversation
        (HR-86), logged in one batch, without e-mail.

        :param bodies: ticket id -> text
        """
        # sudo: each message goes on its own ticket, stating what the rules did
        messages = self.sudo()._message_log_batch(bodies)
        # a log is an internal note: these are public, in one statement for the batch
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET subtype_id = %s, is_internal = FALSE "
                "WHERE id IN %s",
                comment,
                tuple(messages.ids),
            )
        )
        messages.invalidate_recordset(["subtype_id", "is_internal"])
        return messages
