# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class HotrushSupportBalanceLine(models.Model):
    """One movement of a support balance: top-up, charge, refund or adjustment."""

    _name = "hotrush.support.balance.line"
    _description = "Support Balance Movement"
    _order = "date desc, id desc"

    balance_id = fields.Many2one(
        comodel_name="hotrush.support.balance",
        required=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(related="balance_id.partner_id", store=True)
    company_id = fields.Many2one(
        related="balance_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="balance_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today)
    kind = fields.Selection(
        selection=[
            ("topup", "Top-up"),
            ("topup_reversal", "Top-up reversed"),
            ("charge", "Charge"),
            ("refund", "Refund"),
            ("charge_reversal", "Charge given back (invoice reversed or cancelled)"),
            ("adjustment", "Adjustment"),
        ],
        required=True,
        default="adjustment",
    )
    amount = fields.Monetary(required=True, help="Positive adds credit.")
    expiry_date = fields.Date(
        string="Valid Until",
        help="Top-ups and adjustments: the credit is usable until this date.",
    )
    move_line_id = fields.Many2one(
        comodel_name="account.move.line", string="Invoice Line", index="btree_not_null"
    )
    move_id = fields.Many2one(
        comodel_name="account.move", string="Invoice", index="btree_not_null"
    )
    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket", index="btree_not_null", ondelete="restrict"
    )
    note = fields.Char(string="Reason")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="By",
        default=lambda self: self.env.user,
        required=True,
    )

    @api.constrains("kind", "note", "amount")
    def _check_adjustment(self):
        for line in self:
            if line.currency_id.is_zero(line.amount):
                raise ValidationError(
                    self.env._("A support balance movement needs an amount.")
                )
            if line.kind == "adjustment" and not (line.note or "").strip():
                raise ValidationError(
                    self.env._(
                        "A manual adjustment of a support balance needs a reason."
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_manual_adjustments(vals_list)
        return super().create(vals_list)

    @api.model
    def _check_manual_adjustments(self, vals_list):
        """Users only add adjustments; everything else comes from invoices and tickets."""
        if not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"):
            raise AccessError(
                self.env._("Only helpdesk managers can adjust support balances.")
            )
        if any(vals.get("kind", "adjustment") != "adjustment" for vals in vals_list):
            raise AccessError(
                self.env._(
                    "Top-ups, charges and refunds come from invoices and tickets; "
                    "add an adjustment with a reason instead."
                )
            )

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Support balance movements cannot be changed; add an adjustment."
                )
            )
        return super().write(vals)
