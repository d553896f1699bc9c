# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import REASONS, REMOVAL_REASONS


class HotrushRemoveWizard(models.TransientModel):
    """Support removes HotRush from tickets, with a reason (HR-22)."""

    _name = "hotrush.remove.wizard"
    _description = "Remove HotRush"

    ticket_ids = fields.Many2many(
        comodel_name="helpdesk.ticket",
        string="Tickets",
        required=True,
        domain=[("hotrush", "=", True)],
    )
    # the form hides the tickets when there is one (views cannot evaluate len())
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    reason = fields.Selection(
        selection=[r for r in REASONS if r[0] in REMOVAL_REASONS],
        required=True,
    )
    note = fields.Text(
        help="Explain the removal to the customer and for billing disputes. Required "
        "for 'Other'."
    )
    development_team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team",
        compute="_compute_development_team_id",
        readonly=False,
        store=True,
        string="Move to Team",
        help="Customization projects move to this team.",
    )

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        for wizard in self:
            wizard.ticket_count = len(wizard.ticket_ids)

    @api.depends("reason", "ticket_ids")
    def _compute_development_team_id(self):
        for wizard in self:
            company = wizard.ticket_ids[:1].company_id or self.env.company
            wizard.development_team_id = (
                wizard.reason == "customization" and company.hotrush_development_team_id
            )

    def action_remove(self):
        self.ensure_one()
        tickets = self.ticket_ids.filtered("hotrush")
        if not tickets:
            raise UserError(self.env._("None of these tickets is HotRush."))
        team = self.env["helpdesk.ticket.team"]
        if self.reason == "customization":
            if not self.development_team_id:
                raise UserError(
                    self.env._(
                        "Choose the team customization projects move to (Settings > "
                        "Helpdesk > HotRush > Customization team)."
                    )
                )
            team = self.development_team_id
        tickets.action_hotrush_remove(self.reason, note=self.note, team_id=team.id)
        return {"type": "ir.actions.act_window_close"}
