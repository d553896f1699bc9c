# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotrush_calendar_id = fields.Many2one(
        related="company_id.hotrush_calendar_id",
        readonly=False,
        domain="[('company_id', 'in', [False, company_id])]",
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
        related="company_id.hotrush_development_team_id",
        readonly=False,
        domain="[('company_id', 'in', [False, company_id])]",
    )

    hotrush_rate_multiplier = fields.Float(
        related="company_id.hotrush_rate_multiplier", readonly=False
    )
    hotrush_waive_breached = fields.Boolean(
        related="company_id.hotrush_waive_breached", readonly=False
    )
    hotrush_prepaid_product_id = fields.Many2one(
        related="company_id.hotrush_prepaid_product_id",
        readonly=False,
        domain="[('hotrush_prepaid_support', '=', True), "
        "('company_id', 'in', [False, company_id])]",
    )

    hotrush_notice_accepted = fields.Boolean(
        related="company_id.hotrush_notice_accepted", readonly=False
    )
    hotrush_notice_queued = fields.Boolean(
        related="company_id.hotrush_notice_queued", readonly=False
    )
    hotrush_notice_opened = fields.Boolean(
        related="company_id.hotrush_notice_opened", readonly=False
    )
    hotrush_notice_answered = fields.Boolean(
        related="company_id.hotrush_notice_answered", readonly=False
    )
    hotrush_notice_breached = fields.Boolean(
        related="company_id.hotrush_notice_breached", readonly=False
    )
    hotrush_notice_ended = fields.Boolean(
        related="company_id.hotrush_notice_ended", readonly=False
    )
    hotrush_notice_removed = fields.Boolean(
        related="company_id.hotrush_notice_removed", readonly=False
    )
    hotrush_notice_mail_refused = fields.Boolean(
        related="company_id.hotrush_notice_mail_refused", readonly=False
    )
    hotrush_mail_markers = fields.Char(
        related="company_id.hotrush_mail_markers", readonly=False
    )
    hotrush_mail_servers = fields.Char(
        related="company_id.hotrush_mail_servers", readonly=False
    )
    hotrush_notice_moved = fields.Boolean(
        related="company_id.hotrush_notice_moved", readonly=False
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

    def action_hotrush_notice_templates(self):
        """Open the e-mail templates of the customer's notices."""
        self.ensure_one()
        templates = self.env["mail.template"].browse(
            self.env["helpdesk.ticket"]._hotrush_notice_template_ids()
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("HotRush Customer Notices"),
            "res_model": "mail.template",
            "view_mode": "list,form",
            "domain": [("id", "in", templates.ids)],
            "target": "current",
        }
