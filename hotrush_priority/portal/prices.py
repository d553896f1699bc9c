# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the customer confirms before an action that changes the price runs (HR-62):
the price it means, in money, from the figures the ticket's billing gives."""

from odoo.exceptions import UserError


class PriceWords:
    """Part of ``Presenter``: ``self.env``, ``self.money``, ``self.request_refusal``."""

    # ------------------------------------------------------------------
    # Confirmations
    # ------------------------------------------------------------------

    def confirmation(self, ticket, action):
        """What the customer confirms before ``action`` (request, uncheck, withdraw)
        runs on ``ticket``: the price it means, in money. Their own tickets only;
        an action the rules refuse is not confirmed (the error says why).

        :return: dict with ``title``, ``lines`` and ``button``
        """
        ticket._hotrush_check_priced_action(action)
        if action == "request":
            refusal = self.request_refusal(ticket)
            if refusal:
                raise UserError(refusal)
            return {
                "title": self.env._("Request HotRush?"),
                "lines": [self.request_price(ticket)],
                "button": self.env._("Confirm: request HotRush"),
            }
        if action == "uncheck":
            return {
                "title": self.env._("Uncheck HotRush?"),
                "lines": self.uncheck_price(ticket),
                "button": self.env._("Confirm: uncheck HotRush"),
            }
        return {
            "title": self.env._("Withdraw HotRush?"),
            "lines": self.withdraw_price(ticket),
            "button": self.env._("Confirm: withdraw HotRush"),
        }

    def close_confirmation(self, ticket, stage_id):
        """What the customer confirms before closing ``ticket`` from the portal
        bills it: the hours, the rate that applies and the amount in money, and the
        part the balance pays. None when closing bills nothing. Their own open
        ticket and a portal closing stage only.

        :return: dict with ``title``, ``lines`` and ``button``, or None
        """
        bill = ticket._hotrush_close_bill(stage_id)
        if not bill:
            return None
        currency = bill["currency"]
        amount, covered = bill["amount"], bill["covered"]
        lines = [
            self.env._(
                "Closing bills %(hours)s h of support at %(rate)s/h%(hotrush)s: "
                "%(amount)s.",
                hours=f"{bill['hours']:g}",
                rate=self.money(bill["rate"], currency),
                hotrush=self.env._(" (the HotRush rate)")
                if bill["multiplier"] != 1.0
                else "",
                amount=self.money(amount, currency),
            )
        ]
        if bill["balance"] and covered >= amount:
            lines.append(
                self.env._(
                    "It is paid from your balance of %(balance)s.",
                    balance=self.money(bill["available"], currency),
                )
            )
        else:
            lines.append(
                self.env._(
                    "Your balance pays %(paid)s; %(rest)s is invoiced.",
                    paid=self.money(covered, currency),
                    rest=self.money(amount - covered, currency),
                )
            )
        return {
            "title": self.env._("Close this ticket?"),
            "lines": lines,
            "button": self.env._("Confirm: close the ticket"),
        }

    # ------------------------------------------------------------------
    # Prices
    # ------------------------------------------------------------------

    def rates(self, ticket):
        """The normal and the HotRush price of a support hour on ``ticket``'s team,
        as money text, or (None, None) when the team bills no support product."""
        normal, rush = ticket._hotrush_hour_prices()
        if normal is None:
            return None, None
        currency = ticket.company_id.currency_id
        return self.money(normal, currency), self.money(rush, currency)

    def request_price(self, ticket):
        normal, rush = self.rates(ticket)
        balance = self.money(
            ticket._hotrush_portal_balance()._available_amount(),
            ticket.company_id.currency_id,
        )
        if normal:
            return self.env._(
                "%(rush)s/h instead of %(normal)s/h, paid from your balance of "
                "%(balance)s.",
                rush=rush,
                normal=normal,
                balance=balance,
            )
        return self.env._(
            "%(multiplier)s times the normal rate, paid from your balance of "
            "%(balance)s.",
            multiplier=f"{ticket.company_id.hotrush_rate_multiplier:g}",
            balance=balance,
        )

    def uncheck_price(self, ticket):
        """Unchecking before an agent is assigned: the normal rate, no surcharge,
        no answer deadline, and the planned live chat cancelled."""
        normal, rush = self.rates(ticket)
        lines = [
            self.env._(
                "The normal rate applies: %(normal)s/h instead of %(rush)s/h. No "
                "HotRush surcharge is billed.",
                normal=normal,
                rush=rush,
            )
            if normal
            else self.env._("The normal rate applies: no HotRush surcharge is billed."),
            self.env._(
                "Your ticket is answered in the normal order, without the HotRush "
                "answer deadline."
            ),
        ]
        if ticket._hotrush_pending_chat():
            lines.append(self.env._("Your planned live chat is cancelled too."))
        return lines

    def withdraw_price(self, ticket):
        currency = ticket.company_id.currency_id
        normal, rush = self.rates(ticket)
        surcharge, returned = ticket._hotrush_portal_surcharge_refund()
        if surcharge:
            lines = [
                self.env._(
                    "The HotRush surcharge of %(surcharge)s is refunded.",
                    surcharge=self.money(surcharge, currency),
                )
            ]
            balance = ticket._hotrush_portal_balance()
            if returned:
                lines.append(
                    self.env._(
                        "%(returned)s returns to your balance: it goes from "
                        "%(before)s to %(after)s.",
                        returned=self.money(returned, currency),
                        before=self.money(balance.amount, currency),
                        after=self.money(balance.amount + returned, currency),
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "Nothing returns to your balance: the invoice was issued, "
                        "a credit note refunds it."
                    )
                )
            return lines
        if normal:
            return [
                self.env._(
                    "The ticket is billed at %(normal)s/h instead of %(rush)s/h.",
                    normal=normal,
                    rush=rush,
                )
            ]
        return [self.env._("The ticket is billed at the normal rate.")]
