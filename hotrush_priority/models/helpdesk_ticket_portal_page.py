# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket page of the portal as its customer reads it (HR-62, HR-82): the HotRush
card (status, what it means for the bill, why HotRush ended), the confirmation of an
action that changes the price, stated in money, and the history of the ticket's
HotRush events without internal notes or agent names.
"""

from odoo import fields, models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # ------------------------------------------------------------------
    # The HotRush card
    # ------------------------------------------------------------------

    def _hotrush_portal_card(self, tz):
        """What the ticket page's HotRush card says, or None when HotRush was never
        requested on the ticket.

        :return: dict with the status (see ``_hotrush_portal_status``) and
            ``details``, the sentences that explain it
        """
        self.ensure_one()
        status = self._hotrush_portal_status(tz)
        if not status:
            return None
        return dict(status, details=self._hotrush_portal_details(status["kind"]))

    def _hotrush_portal_details(self, kind):
        """The sentences under the status: an apology and the bill rule when late,
        the reason (and support's note, the new team) when HotRush ended."""
        self.ensure_one()
        if kind == "late":
            return [
                self.env._("We are sorry we did not answer in time."),
                self._hotrush_portal_late_bill_rule(),
            ]
        if kind == "ended":
            return self._hotrush_portal_end_texts()
        if kind == "waiting" and self.hotrush_sla_status == "queued":
            # why it waits: a named closure (public holiday), or the hours
            closure = self._hotrush_portal_closure_at(fields.Datetime.now())
            if closure:
                return [
                    self.env._("Support is closed for %(closure)s.", closure=closure)
                ]
            return [self.env._("Support is outside its working hours now.")]
        return []

    def _hotrush_portal_closure_at(self, moment):
        """The name of the closure (public holiday) of this ticket's calendar at
        ``moment``, or False."""
        self.ensure_one()
        closures = self.env["helpdesk.ticket.team"]._hotrush_portal_closures(
            self._get_hotrush_calendar(), moment, moment
        )
        return closures[0][0] if closures else False

    def _hotrush_portal_late_bill_rule(self):
        self.ensure_one()
        if self.company_id.hotrush_waive_breached:
            return self.env._(
                "As the answer came late, this ticket is billed at the normal rate: "
                "no HotRush surcharge."
            )
        return self.env._(
            "Under your support terms, the HotRush rate still applies to this ticket."
        )

    def _hotrush_portal_end_texts(self):
        """Why HotRush ended, in the words of the 'removed' notice."""
        self.ensure_one()
        action = self.hotrush_end_action
        if action == "uncheck":
            return [self.env._("You unchecked HotRush: no surcharge applies.")]
        if action == "withdraw":
            return [
                self.env._(
                    "You withdrew the HotRush request: the normal rate applies, a "
                    "HotRush surcharge already invoiced is refunded."
                )
            ]
        texts = [self._hotrush_portal_reason_text(self.hotrush_end_reason)]
        if action == "remove" and self.hotrush_end_note:
            texts.append(
                self.env._("Note from support: %(note)s", note=self.hotrush_end_note)
            )
        named = self.hotrush_end_reason in ("customization", "transfer")
        if action in ("remove", "auto_remove") and self.team_id and not named:
            texts.append(
                self.env._(
                    "Your ticket is handled by our %(team)s department.",
                    team=self.team_id.name,
                )
            )
        texts.append(
            self.env._(
                "The ticket is billed at the normal support rate; a HotRush surcharge "
                "already invoiced for it is refunded."
            )
        )
        return texts

    def _hotrush_portal_reason_text(self, reason):
        """A removal's reason as the customer is told it."""
        self.ensure_one()
        team = self.team_id.name or ""
        if reason == "customization":
            if self.team_id and not self.team_id.hotrush_offered:
                return self.env._(
                    "Your question relates to a customization project: the ticket is "
                    "directed to our %(team)s department.",
                    team=team,
                )
            return self.env._(
                "Your question relates to a customization project, which HotRush does "
                "not cover."
            )
        texts = {
            "bug": self.env._(
                "The issue turned out to be a bug in the default software behavior, "
                "which requires extra time to be solved."
            ),
            "general": self.env._(
                "HotRush covers technical support only, and this is a general question "
                "about our company, the use of the HelpDesk accounts and forums, or "
                "sales and licensing."
            ),
            "transfer": self.env._(
                "The ticket moved to our %(team)s department, which does not offer "
                "HotRush.",
                team=team,
            ),
            "not_eligible": self.env._(
                "HotRush does not cover questions of the category %(category)s.",
                category=self.category_id.name or "",
            ),
            "archived": self.env._(
                "The ticket was archived or merged into another ticket."
            ),
        }
        return texts.get(
            reason,
            self.env._(
                "Our support team removed the HotRush priority from your ticket."
            ),
        )

    def _hotrush_portal_actions(self):
        """The HotRush buttons the ticket page offers its customer: what the rules
        allow in the ticket's state (a closed ticket: withdrawal only)."""
        self.ensure_one()
        if self.closed:
            return {"withdraw"} if self.hotrush else set()
        if not self.hotrush:
            offered = (
                self.hotrush_offered and not self._hotrush_portal_request_refusal()
            )
            return {"request"} if offered else set()
        actions = {"withdraw"} if self.user_id else {"uncheck"}
        if not self.hotrush_chat_at and self._hotrush_portal_chat_possible():
            actions.add("chat")
        return actions

    def _hotrush_portal_request_refusal(self):
        """Why the customer may not request HotRush on this ticket now (no active
        balance, a category without HotRush), or False; the card says it in place
        of the button."""
        self.ensure_one()
        if self.hotrush or not self.hotrush_offered:
            return False
        return self._hotrush_balance_refusal() or self.env[
            "helpdesk.ticket.team"
        ]._hotrush_portal_category_refusal(self.category_id)

    def _hotrush_portal_offer(self, tz):
        """What HotRush would give this normal ticket, told before the customer
        requests it: the team's response target and price in money."""
        self.ensure_one()
        if not self.team_id:
            return []
        promise = self.team_id._hotrush_portal_promise(
            self.category_id, fields.Datetime.now(), tz
        )
        if not promise["offered"]:
            return []
        return [promise["target"], promise["price"]]

    def _hotrush_portal_chat_possible(self):
        """Whether a live chat can still start before the response deadline (HR-84):
        after it, the form would only be refused."""
        self.ensure_one()
        latest = self._hotrush_chat_latest_start()
        return bool(latest and latest > fields.Datetime.now())

    def _hotrush_portal_chat_hint(self, tz):
        """When the live chat this ticket's customer may ask for can start: in its
        calendar's working hours, no later than its answer deadline (HR-84), as the
        new-ticket form says it; False when there is no deadline to keep."""
        self.ensure_one()
        if not self.hotrush_deadline:
            return False
        now = fields.Datetime.now()
        working_hours = self._get_hotrush_calendar()._hotrush_working_hours_text(
            tz, now
        )
        return self.env["helpdesk.ticket.team"]._hotrush_portal_chat_hint(
            self.hotrush_deadline, tz, working_hours
        )

    # ------------------------------------------------------------------
    # Confirmation of an action that changes the price
    # ------------------------------------------------------------------

    def _hotrush_portal_confirmation(self, action):
        """What the customer confirms before ``action`` (request, withdraw) runs:
        the price it means, in money. Their own tickets only.

        :return: dict with ``title``, ``lines`` and ``button``
        """
        self.ensure_one()
        self._hotrush_check_own_tickets()
        if action == "request":
            refusal = self._hotrush_portal_request_refusal()
            if refusal:
                raise UserError(refusal)
            return {
                "title": self.env._("Request HotRush?"),
                "lines": [self._hotrush_portal_request_price()],
                "button": self.env._("Confirm: request HotRush"),
            }
        # the action's own rules first: a refused action is not confirmed
        self.filtered("hotrush")._hotrush_check_end_allowed(action, False, False)
        if action == "uncheck":
            return {
                "title": self.env._("Uncheck HotRush?"),
                "lines": self._hotrush_portal_uncheck_price(),
                "button": self.env._("Confirm: uncheck HotRush"),
            }
        return {
            "title": self.env._("Withdraw HotRush?"),
            "lines": self._hotrush_portal_withdraw_price(),
            "button": self.env._("Confirm: withdraw HotRush"),
        }

    def _hotrush_portal_close_confirmation(self, stage_id):
        """What the customer confirms before closing the ticket from the portal
        bills it: the hours, the rate that applies and the amount in money, and the
        part the balance pays. None when closing bills nothing. Their own open
        ticket and a portal closing stage only.

        :return: dict with ``title``, ``lines`` and ``button``, or None
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
        covered = Charge._covered_by(balance, amount)
        money = self._hotrush_portal_money
        lines = [
            self.env._(
                "Closing bills %(hours)s h of support at %(rate)s/h%(hotrush)s: "
                "%(amount)s.",
                hours=f"{hours:g}",
                rate=money(unit_price * multiplier),
                hotrush=self.env._(" (the HotRush rate)") if multiplier != 1.0 else "",
                amount=money(amount),
            )
        ]
        if balance and covered >= amount:
            lines.append(
                self.env._(
                    "It is paid from your balance of %(balance)s.",
                    balance=money(balance._available_amount()),
                )
            )
        else:
            lines.append(
                self.env._(
                    "Your balance pays %(paid)s; %(rest)s is invoiced.",
                    paid=money(covered),
                    rest=money(amount - covered),
                )
            )
        return {
            "title": self.env._("Close this ticket?"),
            "lines": lines,
            "button": self.env._("Confirm: close the ticket"),
        }

    def _hotrush_portal_rates(self):
        """The normal and the HotRush price of a support hour on this ticket's team,
        as money text, or (None, None) when the team bills no support product."""
        self.ensure_one()
        # sudo: the price of the team's support product, shown to its customer
        product = self.sudo().team_id.hotrush_support_product_id
        if not product:
            return None, None
        normal = self._hotrush_unit_price(product)
        rush = normal * self.company_id.hotrush_rate_multiplier
        return self._hotrush_portal_money(normal), self._hotrush_portal_money(rush)

    def _hotrush_portal_balance(self):
        """The customer's own support balance (empty when they have none)."""
        self.ensure_one()
        # sudo: the balance of the ticket's own customer, after the ownership check
        return (
            self.env["hotrush.support.balance"]
            .sudo()
            ._get_for(self.commercial_partner_id, self.company_id, create=False)
        )

    def _hotrush_portal_money(self, amount):
        """An amount as the new-ticket form writes it: "$ 160", "$ 80.50"."""
        self.ensure_one()
        return self.env["helpdesk.ticket.team"]._hotrush_portal_money(
            amount, self.company_id.currency_id
        )

    def _hotrush_portal_request_price(self):
        self.ensure_one()
        normal, rush = self._hotrush_portal_rates()
        balance = self._hotrush_portal_money(
            self._hotrush_portal_balance()._available_amount()
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
            multiplier=f"{self.company_id.hotrush_rate_multiplier:g}",
            balance=balance,
        )

    def _hotrush_portal_uncheck_price(self):
        """Unchecking before an agent is assigned: the normal rate, no surcharge,
        no answer deadline, and the planned live chat cancelled."""
        self.ensure_one()
        normal, rush = self._hotrush_portal_rates()
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
        if self._hotrush_pending_chat():
            lines.append(self.env._("Your planned live chat is cancelled too."))
        return lines

    def _hotrush_portal_withdraw_price(self):
        self.ensure_one()
        normal, rush = self._hotrush_portal_rates()
        surcharge, returned = self._hotrush_portal_surcharge_refund()
        if surcharge:
            lines = [
                self.env._(
                    "The HotRush surcharge of %(surcharge)s is refunded.",
                    surcharge=self._hotrush_portal_money(surcharge),
                )
            ]
            balance = self._hotrush_portal_balance()
            if returned:
                lines.append(
                    self.env._(
                        "%(returned)s returns to your balance: it goes from "
                        "%(before)s to %(after)s.",
                        returned=self._hotrush_portal_money(returned),
                        before=self._hotrush_portal_money(balance.amount),
                        after=self._hotrush_portal_money(balance.amount + returned),
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

    # ------------------------------------------------------------------
    # History (HR-82)
    # ------------------------------------------------------------------

    def _hotrush_portal_history(self, tz):
        """The ticket's HotRush history as its customer may read it, oldest first:
        requests, queueing, opening, the answer, a missed deadline, the ends with
        their reasons, moved deadlines. No agent names, no internal notes.

        :return: list of dicts with ``date`` (naive UTC), ``time`` (text in ``tz``)
            and ``text``
        """
        self.ensure_one()
        lines = []
        # sudo: customers cannot read audit events; only this ticket's own, once the
        # caller checked the customer's access to the ticket
        for event in self.sudo().hotrush_event_ids.sorted(lambda e: (e.date, e.id)):
            text = self._hotrush_portal_event_text(event, tz)
            if text:
                lines.append((event.date, text))
        lines += self._hotrush_portal_milestones(tz)
        lines.sort(key=lambda line: line[0])
        return [
            {
                "date": date,
                "time": self._hotrush_portal_time(date, tz),
                "text": text,
            }
            for date, text in lines
        ]

    def _hotrush_portal_event_text(self, event, tz):
        """One audit event in the customer's words (no author, no internal note)."""
        self.ensure_one()
        if event.kind == "start":
            deadline = self._hotrush_portal_time(event.deadline, tz)
            if event.sla_status == "queued":
                closure = self._hotrush_portal_closure_at(event.date)
                if closure:
                    return self.env._(
                        "HotRush requested while support was closed for "
                        "%(closure)s: queued until it opens, answer by %(deadline)s.",
                        closure=closure,
                        deadline=deadline,
                    )
                return self.env._(
                    "HotRush requested outside working hours: queued until support "
                    "opens, answer by %(deadline)s.",
                    deadline=deadline,
                )
            return self.env._(
                "HotRush requested: answer by %(deadline)s.", deadline=deadline
            )
        if event.kind == "move":
            return self.env._(
                "Answer deadline moved from %(before)s to %(after)s.",
                before=self._hotrush_portal_time(event.previous_deadline, tz),
                after=self._hotrush_portal_time(event.deadline, tz),
            )
        if event.action == "uncheck":
            return self.env._("You unchecked HotRush.")
        if event.action == "withdraw":
            return self.env._("You withdrew the HotRush request.")
        text = self.env._(
            "HotRush removed: %(reason)s",
            reason=self._hotrush_portal_reason_text(event.reason),
        )
        if event.action == "remove" and event.note:
            text += " " + self.env._("Note from support: %(note)s", note=event.note)
        return text

    def _hotrush_portal_milestones(self, tz):
        """The moments of the current request the audit does not record: support
        opened, the answer, the missed deadline."""
        self.ensure_one()
        lines = []
        if not self.hotrush_requested_at:
            return lines
        until = self.hotrush_ended_at or fields.Datetime.now()
        opening = self.hotrush_queued_until
        if opening and opening <= until:
            lines.append(
                (opening, self.env._("Support opened: the answer clock started."))
            )
        answered = self.hotrush_first_response_at
        if self.hotrush_sla_status == "breached" and self.hotrush_deadline:
            lines.append(
                (
                    self.hotrush_deadline,
                    self.env._("Not answered in time: we are sorry."),
                )
            )
        if answered:
            if self.hotrush_sla_status == "breached":
                lines.append((answered, self.env._("Answered late by an engineer.")))
            else:
                lines.append((answered, self.env._("Answered by an engineer.")))
        return lines
