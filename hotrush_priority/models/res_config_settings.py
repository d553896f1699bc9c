# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotrush_calendar_id = fields.Many2one(
        related="company_id.hotrush_calendar_id", readonly=False
    )
    hotrush_response_hours = fields.Float(
        related="company_id.hotrush_response_hours", readonly=False
    )
    hotrush_grace_minutes = fields.Integer(
        related="company_id.hotrush_grace_minutes", readonly=False
    )
    hotrush_warning_minutes = fields.Integer(
        related="company_id.hotrush_warning_minutes", readonly=False
    )

    hotrush_development_team_id = fields.Many2one(
        related="company_id.hotrush_development_team_id", readonly=False
    )

    hotrush_rate_multiplier = fields.Float(
        related="company_id.hotrush_rate_multiplier", readonly=False
    )
    hotrush_waive_breached = fields.Boolean(
        related="company_id.hotrush_waive_breached", readonly=False
    )
    hotrush_prepaid_product_id = fields.Many2one(
        related="company_id.hotrush_prepaid_product_id", readonly=False
    )

    def action_hotrush_edit_calendar(self):
        """Open the support calendar's working hours (the company's by default)."""
        self.ensure_one()
        calendar = self.hotrush_calendar_id or self.company_id._get_hotrush_calendar()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Support Working Hours"),
            "res_model": "resource.calendar",
            "res_id": calendar.id,
            "view_mode": "form",
            "target": "current",
        }
