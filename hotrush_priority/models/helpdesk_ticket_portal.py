# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal's ways to a ticket: the new-ticket form's one-time key, and closing
from the portal (helpdesk_mgmt's close buttons, made safe).

Closing bills the ticket, so only its own customer (or an agent who may edit it)
closes it, into a stage the portal offers (HR-80).
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

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
