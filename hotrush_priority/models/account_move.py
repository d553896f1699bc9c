# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    hotrush_support_invoice = fields.Boolean(
        string="Support Invoice",
        copy=False,
        help="Collects the charges of closed support tickets of this customer.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._hotrush_book_topups()
        return posted

    def button_draft(self):
        self._hotrush_unbook_topups()
        return super().button_draft()

    # ------------------------------------------------------------------
    # Support balance top-ups (HR-30)
    # ------------------------------------------------------------------

    def _hotrush_topup_lines(self):
        """Customer invoice and credit note lines selling prepaid support."""
        return self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        ).invoice_line_ids.filtered(
            lambda line: (
                line.product_id.hotrush_prepaid_support
                and not line.hotrush_deduction
                and line.display_type == "product"
            )
        )

    def _hotrush_book_topups(self):
        """Posting tops balances up (invoices) or reduces them (credit notes)."""
        # sudo: balances follow the invoices posted by accounting users
        Balance = self.env["hotrush.support.balance"].sudo()
        for line in self._hotrush_topup_lines():
            move = line.move_id
            date = move.invoice_date or fields.Date.context_today(self)
            expiry = False
            if move.move_type == "out_invoice":
                days = line.product_id.hotrush_validity_days or 365
                expiry = date + timedelta(days=days)
            Balance._get_for(move.partner_id, move.company_id)._book(
                "topup" if move.move_type == "out_invoice" else "topup_reversal",
                # income lines are credits: the company-currency balance is negative
                -line.balance,
                move=move,
                move_line=line,
                note=move.name,
                date=date,
                expiry_date=expiry,
            )

    def _hotrush_unbook_topups(self):
        """Resetting a posted top-up invoice to draft takes its credit back."""
        # sudo: see _hotrush_book_topups
        Line = self.env["hotrush.support.balance.line"].sudo()
        domain = [
            ("move_id", "in", self.ids),
            ("kind", "in", ("topup", "topup_reversal")),
        ]
        booked = Line.search(domain)
        totals = {}
        for line in booked:
            key = (line.balance_id, line.move_line_id)
            totals[key] = totals.get(key, 0.0) + line.amount
        for (balance, move_line), amount in totals.items():
            if not balance.currency_id.is_zero(amount):
                balance._book(
                    "topup_reversal",
                    -amount,
                    move=move_line.move_id,
                    move_line=move_line,
                    note=self.env._(
                        "%(move)s reset to draft", move=move_line.move_id.name
                    ),
                )

    # ------------------------------------------------------------------
    # Support invoices (HR-32)
    # ------------------------------------------------------------------

    @api.model
    def _hotrush_get_support_invoice(self, partner, company):
        """The customer's draft support invoice, created when there is none."""
        partner = partner.commercial_partner_id
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "draft"),
            ("hotrush_support_invoice", "=", True),
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
        ]
        invoice = self.search(domain, order="id", limit=1)
        if not invoice:
            invoice = self.with_company(company).create(
                self._hotrush_prepare_support_invoice_vals(partner, company)
            )
        return invoice

    @api.model
    def _hotrush_prepare_support_invoice_vals(self, partner, company):
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": company.id,
            "hotrush_support_invoice": True,
        }
