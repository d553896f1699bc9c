# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal's ways to a ticket: the new-ticket form's one-time key, closing from the
portal (helpdesk_mgmt's close buttons, made safe), and the facts the portal's
presenter (``hotrush_priority.portal``) tells the customer of their ticket: the actions
its page offers, the figures of a price, its HotRush events.

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

    # ------------------------------------------------------------------
    # Facts of the ticket page (the presenter words them)
    # ------------------------------------------------------------------

    def _hotrush_portal_actions(self):
        """The HotRush buttons the ticket page offers its customer: what the rules
        allow in the ticket's state (a closed ticket: withdrawal only)."""
        self.ensure_one()
        if self.closed:
            return {"withdraw"} if self.hotrush else set()
        if not self.hotrush:
            offered = self.hotrush_offered and not self._hotrush_request_refused()
            return {"request"} if offered else set()
        actions = {"withdraw"} if self.user_id else {"uncheck"}
        if not self.hotrush_chat_at and self._hotrush_portal_chat_possible():
            actions.add("chat")
        return actions

    def _hotrush_request_refused(self):
        """Whether the customer may not request HotRush on this normal ticket now:
        no active balance, or a category without HotRush."""
        self.ensure_one()
        return bool(
            self._hotrush_balance_refusal() or self.category_id.hotrush_not_eligible
        )

    def _hotrush_portal_chat_possible(self):
        """Whether a live chat can still start before the response deadline (HR-84):
        after it, the form would only be refused."""
        self.ensure_one()
        latest = self._hotrush_chat_latest_start()
        return bool(latest and latest > fields.Datetime.now())

    def _hotrush_closure_at(self, moment):
        """The name of the closure (public holiday) of this ticket's calendar at
        ``moment``, or False."""
        self.ensure_one()
        closures = self.env["helpdesk.ticket.team"]._hotrush_portal_closures(
            self._get_hotrush_calendar(), moment, moment
        )
        return closures[0][0] if closures else False

    def _hotrush_portal_events(self):
        """The ticket's HotRush events, oldest first, for its customer's history:
        the caller checked the customer's access to the ticket."""
        self.ensure_one()
        # sudo: customers cannot read audit events; only this ticket's own, which
        # the presenter tells without author or internal note
        return self.sudo().hotrush_event_ids.sorted(lambda e: (e.date, e.id))

    # ------------------------------------------------------------------
    # Figures of a price the customer confirms
    # ------------------------------------------------------------------

    def _hotrush_check_priced_action(self, action):
        """Refuse ``action`` (request, uncheck, withdraw) before its price is
        confirmed, as running it would: the customer's own tickets only, and an end
        of urgency the rules allow."""
        self.ensure_one()
        self._hotrush_check_own_tickets()
        if action != "request":
            self.filtered("hotrush")._hotrush_request()._check_end(action, False, False)

    def _hotrush_close_bill(self, stage_id):
        """What closing this ticket into ``stage_id`` from the portal bills, as the
        charge books it, or None when it bills nothing. Their own open ticket and a
        portal closing stage only.

        :return: dict with ``hours``, ``rate`` (of an hour, the HotRush multiplier
            applied), ``multiplier``, ``amount``, the customer's ``balance``,
            its ``available`` amount, the part ``covered`` by it, and the
            ``currency``
        """
        self.ensure_one()
        self._check_close_from_portal(stage_id)
        # sudo: the billing figures of the customer's own ticket (checked above)
        ticket = self.sudo()
        if not ticket._hotrush_is_billable():
            return None
        Charge = self.env["hotrush.charge"].sudo()
        hours = Charge._hours_to_bill(ticket)
        if hours <= 0:
            return None
        # the figures the charge books, rounded as it rounds them
        unit_price, multiplier, amount = Charge._price_of(ticket, hours)
        balance = self._hotrush_portal_balance()
        return {
            "hours": hours,
            "rate": unit_price * multiplier,
            "multiplier": multiplier,
            "amount": amount,
            "balance": balance,
            "available": balance._available_amount() if balance else 0.0,
            "covered": Charge._covered_by(balance, amount),
            "currency": self.company_id.currency_id,
        }

    def _hotrush_hour_prices(self):
        """The normal and the HotRush price of a support hour on this ticket's team,
        or (None, None) when the team bills no support product."""
        self.ensure_one()
        # sudo: the price of the team's support product, shown to its customer
        product = self.sudo().team_id.hotrush_support_product_id
        if not product:
            return None, None
        normal = self._hotrush_unit_price(product)
        return normal, normal * self.company_id.hotrush_rate_multiplier

    def _hotrush_portal_balance(self):
        """The customer's own support balance (empty when they have none)."""
        self.ensure_one()
        # sudo: the balance of the ticket's own customer, after the ownership check
        return (
            self.env["hotrush.support.balance"]
            .sudo()
            ._get_for(self.commercial_partner_id, self.company_id, create=False)
        )

    def _hotrush_portal_surcharge_refund(self):
        """What a withdrawal now gives back of the HotRush surcharge already
        charged, and how much of it returns to the balance: as
        ``hotrush.charge._create_surcharge_refund`` books it (a draft invoice is
        re-rated, the balance gets back what it paid beyond the normal rate; an
        issued invoice gets a credit note).

        :return: (surcharge, returned to the balance)
        """
        self.ensure_one()
        # sudo: the ticket's own charges, after the ownership check
        charges = self.sudo().hotrush_charge_ids
        refunded = charges.filtered(lambda c: c.kind == "surcharge_refund").origin_id
        surcharge = returned = 0.0
        for charge in charges - refunded:
            if charge.kind != "charge" or charge.multiplier <= 1:
                continue
            currency = charge.currency_id
            hours = charge._net_hours()
            extra = currency.round(
                hours * currency.round(charge.unit_price * (charge.multiplier - 1))
            )
            surcharge += extra
            if charge.move_id.state == "draft":
                normal = currency.round(hours * charge.unit_price)
                covered = charge._covered_left()
                back = currency.round(covered - min(covered, normal))
                returned += min(back, extra)
        return surcharge, returned
