# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_amount


class HotrushSupportBalance(models.Model):
    """Prepaid technical-support credit of one customer in one company (HR-30)."""

    _name = "hotrush.support.balance"
    _description = "Support Balance"
    _rec_name = "partner_id"
    _order = "partner_id, company_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("parent_id", "=", False)],
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        comodel_name="hotrush.support.balance.line",
        inverse_name="balance_id",
        string="Movements",
    )
    amount = fields.Monetary(
        string="Credit Left",
        compute="_compute_amount",
        store=True,
        help="Top-ups and adjustments minus charges.",
    )
    expiry_date = fields.Date(
        string="Valid Until",
        compute="_compute_amount",
        store=True,
        help="The credit can be used until this date (the latest validity of the "
        "top-ups and adjustments).",
    )
    is_active = fields.Boolean(
        string="Active",
        compute="_compute_is_active",
        search="_search_is_active",
        help="Credit left and not expired: HotRush can be requested.",
    )

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one support balance per company.",
    )

    @api.depends("line_ids.amount", "line_ids.expiry_date")
    def _compute_amount(self):
        for balance in self:
            balance.amount = sum(balance.line_ids.mapped("amount"))
            expiries = [d for d in balance.line_ids.mapped("expiry_date") if d]
            balance.expiry_date = max(expiries) if expiries else False

    @api.depends("amount", "expiry_date")
    @api.depends_context("date")
    def _compute_is_active(self):
        today = self._hotrush_today()
        for balance in self:
            balance.is_active = balance._is_active_on(today)

    def _search_is_active(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = self._hotrush_today()
        active = Domain("amount", ">", 0) & (
            Domain("expiry_date", "=", False) | Domain("expiry_date", ">=", today)
        )
        positive = True in value
        if operator == "not in":
            positive = not positive
        return active if positive else ~active

    def _is_active_on(self, day):
        self.ensure_one()
        currency = self.currency_id or self.env.company.currency_id
        has_credit = currency.compare_amounts(self.amount, 0) > 0
        return has_credit and (not self.expiry_date or self.expiry_date >= day)

    def _hotrush_today(self):
        return fields.Date.context_today(self)

    def _available_amount(self):
        """Credit usable now: the amount while active, else nothing."""
        self.ensure_one()
        return self.amount if self.is_active else 0.0

    def _lock(self):
        """Serialize concurrent charges on the same balances (row locks)."""
        if self:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM hotrush_support_balance WHERE id IN %s "
                    "ORDER BY id FOR NO KEY UPDATE",
                    tuple(self.ids),
                )
            )

    @api.model
    def _get_for(self, partner, company, create=True):
        """The balance of a customer (its commercial partner) in a company, in the
        caller's environment: the caller says why when it needs superuser rights."""
        partner = partner.commercial_partner_id
        balances = self.with_context(active_test=False)
        balance = balances.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1
        )
        if not balance and create and partner:
            balance = balances.create(
                {"partner_id": partner.id, "company_id": company.id}
            )
        return balance.with_env(self.env)

    def _book(
        self,
        kind,
        amount,
        ticket=None,
        move=None,
        move_line=None,
        note=False,
        date=None,
        expiry_date=None,
    ):
        """Move money on this balance: the one way top-ups, their reversals, charges
        and refunds reach the ledger (managers' adjustments come from the form).

        :param kind: a movement kind of ``hotrush.support.balance.line``
        :param amount: positive adds credit
        :return: the movement
        """
        self.ensure_one()
        vals = {
            "balance_id": self.id,
            "kind": kind,
            "amount": amount,
            "ticket_id": ticket.id if ticket else False,
            "move_id": move.id if move else False,
            "move_line_id": move_line.id if move_line else False,
            "note": note,
            "expiry_date": expiry_date or False,
        }
        if date:
            vals["date"] = date
        return self.env["hotrush.support.balance.line"].create(vals)

    @api.model
    def _has_active_balance(self, partner, company):
        """Whether the commercial partner ``partner`` has an active balance in
        ``company``, in one query (checked on every HotRush request)."""
        # sudo: any user requesting HotRush for a customer learns only whether that
        # customer has an active balance, never its records
        return bool(
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("is_active", "=", True),
                ],
                limit=1,
            )
        )

    @api.model
    def _hotrush_prepaid_offer_text(self, company):
        """How a customer gets a support balance in ``company``, in one sentence:
        the prepaid product's name, price and validity, and whom to contact; False
        when no prepaid product is set up."""
        # sudo: the prepaid product's name, price and validity are the offer the
        # company makes to every customer, read from the product only
        product = company.sudo()._get_hotrush_prepaid_product()
        if not product:
            return False
        text = self.env._(
            "%(product)s costs %(price)s and is valid for %(days)s days; with it "
            "you can request HotRush, urgent answers within working hours.",
            product=product.name,
            price=format_amount(self.env, product.lst_price, company.currency_id),
            days=product.hotrush_validity_days,
        )
        contact = ", ".join(filter(None, (company.email, company.phone)))
        if contact:
            text += " " + self.env._(
                "To buy it, contact us: %(contact)s.", contact=contact
            )
        return text

    def action_open_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Support Balance of %(partner)s", partner=self.partner_id.name
            ),
            "res_model": "hotrush.support.balance.line",
            "view_mode": "list,form",
            "domain": [("balance_id", "=", self.id)],
            "context": {"default_balance_id": self.id, "default_kind": "adjustment"},
        }
