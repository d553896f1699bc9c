# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


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
        posted._hotrush_settle_deductions()
        return posted

    def button_draft(self):
        self._hotrush_unbook_topups()
        res = super().button_draft()
        self._hotrush_settle_deductions()
        return res

    # ------------------------------------------------------------------
    # Balance deductions of support invoices (HR-87)
    # ------------------------------------------------------------------

    def _hotrush_settle_deductions(self):
        """Make the balance follow what these support invoices (or the support
        invoices these credit notes reverse) deduct, per ticket: a reversed or
        cancelled deduction comes back, a re-posted one is taken again, each once
        (the balance holds what is booked; this books the difference)."""
        invoices = self._hotrush_deducting() | (
            self.filtered(
                lambda m: m.move_type == "out_refund"
            ).reversed_entry_id._hotrush_deducting()
        )
        for invoice in invoices:
            invoice._hotrush_settle_invoice_deductions()

    def _hotrush_deducting(self):
        """The customer invoices among these that deduct from support balances: the
        support invoices, and the invoices re-made from them (accounting's "Reverse"
        then "create a new draft invoice" copies their deduction lines)."""
        return self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and (
                    m.hotrush_support_invoice
                    or any(m.invoice_line_ids.mapped("hotrush_deduction"))
                )
            )
        )

    def _hotrush_settle_invoice_deductions(self):
        self.ensure_one()
        # sudo: balances follow the invoices accounting users post, reverse or cancel
        Balance = self.env["hotrush.support.balance"].sudo()
        balance = Balance._get_for(self.partner_id, self.company_id, create=False)
        if not balance:
            return
        balance._lock()
        currency = self.company_id.currency_id
        reversals = self.reversal_move_ids.filtered(lambda m: m.state == "posted")
        booked = balance.line_ids.filtered(
            lambda line: (
                line.move_id == self
                and line.kind in ("charge", "refund", "charge_reversal")
            )
        )
        # per ticket: deducted on the invoice, given back by posted credit notes,
        # booked on the balance so far
        deducted, reversed_, current = defaultdict(float), defaultdict(float), {}
        for line in self.invoice_line_ids.filtered("hotrush_deduction"):
            deducted[line.hotrush_ticket_id] -= line.price_subtotal
        for line in reversals.invoice_line_ids.filtered("hotrush_deduction"):
            reversed_[line.hotrush_ticket_id] -= line.price_subtotal
        for line in booked:
            current[line.ticket_id] = current.get(line.ticket_id, 0.0) + line.amount
        for ticket in set(deducted) | set(current):
            target = 0.0
            if self.state != "cancel":
                target = -max(deducted[ticket] - max(reversed_[ticket], 0.0), 0.0)
            difference = currency.round(target - current.get(ticket, 0.0))
            if not currency.is_zero(difference):
                balance._book(
                    "charge" if difference < 0 else "charge_reversal",
                    difference,
                    ticket=ticket,
                    move=self,
                    note=self.env._(
                        "%(invoice)s: %(ticket)s",
                        invoice=self.name,
                        ticket=ticket.display_name,
                    ),
                )

    def button_cancel(self):
        res = super().button_cancel()
        self._hotrush_settle_deductions()  # a cancelled invoice deducts nothing
        return res

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
        """The customer's draft support invoice, created when there is none.

        Two closings of one customer at the same moment make one invoice by
        construction: each first writes the customer's row (``_hotrush_serialize``),
        so the second waits for the first and, once it committed, fails to serialize
        and runs again (Odoo retries it), then finds the first one's invoice."""
        partner = partner.commercial_partner_id
        self._hotrush_serialize(partner)
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
    def _hotrush_serialize(self, partner):
        """Write ``partner``'s row (its values unchanged) so that a concurrent
        transaction doing the same waits, then fails to serialize (repeatable read)
        rather than acting on a snapshot that misses this one's work. A row lock
        alone would not: a transaction that only locked a row lets the next one
        go on with its older snapshot."""
        self.env.cr.execute(
            SQL("UPDATE res_partner SET id = id WHERE id = %s", partner.id)
        )

    @api.model
    def _hotrush_prepare_support_invoice_vals(self, partner, company):
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": company.id,
            "hotrush_support_invoice": True,
        }
