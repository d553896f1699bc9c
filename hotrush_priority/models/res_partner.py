# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    hotrush_balance_id = fields.Many2one(
        comodel_name="hotrush.support.balance",
        string="Support Balance",
        compute="_compute_hotrush_balance",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    hotrush_balance_amount = fields.Monetary(
        string="Support Credit",
        compute="_compute_hotrush_balance",
        currency_field="hotrush_balance_currency_id",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    hotrush_balance_currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_hotrush_balance",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    hotrush_balance_active = fields.Boolean(
        string="Support Balance Active",
        compute="_compute_hotrush_balance",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_hotrush_balance(self):
        company = self.env.company
        # sudo: the credit of a contact's company, for the helpdesk users these
        # fields are restricted to
        balances = (
            self.env["hotrush.support.balance"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                ]
            )
        )
        per_partner = {b.partner_id: b for b in balances}
        for partner in self:
            balance = per_partner.get(
                partner.commercial_partner_id, self.env["hotrush.support.balance"]
            )
            partner.hotrush_balance_id = balance
            partner.hotrush_balance_amount = balance.amount
            partner.hotrush_balance_currency_id = company.currency_id
            partner.hotrush_balance_active = balance.is_active

    def action_view_hotrush_balance(self):
        self.ensure_one()
        # sudo: the balance is created when the contact has none yet, which helpdesk
        # users (who open it here) may not do themselves; they then read it as usual
        balance = (
            self.env["hotrush.support.balance"].sudo()._get_for(self, self.env.company)
        )
        return balance.with_env(self.env).action_open_lines()
