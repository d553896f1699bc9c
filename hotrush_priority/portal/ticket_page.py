# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket page of the portal as its customer reads it (HR-62, HR-82): the HotRush
status (words and colour, times to the minute in the customer's zone), the card's
explanations (an apology and the bill rule, why HotRush ended), the offer of a normal
ticket, the hours a live chat may start, the history of the ticket's HotRush events
without internal notes or agent names, and what an action tells once done."""

from odoo import fields


class TicketPageWords:
    """Part of ``Presenter``: ``self.env``, ``self.tz``, ``self.time``."""

    # ------------------------------------------------------------------
    # Status and card
    # ------------------------------------------------------------------

    def status(self, ticket):
        """What the customer reads of ``ticket``'s HotRush request, or None when
        HotRush was never requested on it.

        :return: dict with ``kind`` (waiting, answered, late, ended), ``text`` and
            ``colour`` (the classes of the kind's colour)
        """
        if not ticket.hotrush and not ticket.hotrush_end_action:
            return None
        kind, text = self._status_text(ticket)
        return {"kind": kind, "text": text, "colour": self.status_colour(kind)}

    def _status_text(self, ticket):
        if not ticket.hotrush:
            # whatever the verdict was, the ticket is at the normal priority now
            return "ended", self.env._("HotRush ended – normal priority")
        answered = ticket.hotrush_first_response_at
        status = ticket.hotrush_sla_status
        if status == "met":
            return "answered", self.env._(
                "Answered at %(time)s", time=self.time(answered)
            )
        if status == "breached":
            if answered:
                return "late", self.env._(
                    "Late – answered at %(time)s", time=self.time(answered)
                )
            return "late", self.env._("Not answered in time")
        deadline = self.time(ticket.hotrush_deadline)
        if status == "queued":
            return "waiting", self.env._(
                "Waiting for support to open at %(opening)s – answer by %(deadline)s",
                opening=self.time(ticket.hotrush_queued_until),
                deadline=deadline,
            )
        return "waiting", self.env._(
            "Waiting for an engineer – answer by %(deadline)s", deadline=deadline
        )

    def card(self, ticket):
        """What the ticket page's HotRush card says, or None when HotRush was never
        requested on the ticket.

        :return: the status (see ``status``) with ``details``, the sentences that
            explain it
        """
        status = self.status(ticket)
        if not status:
            return None
        return dict(status, details=self.details(ticket, status["kind"]))

    def details(self, ticket, kind):
        """The sentences under the status: an apology and the bill rule when late,
        the reason (and support's note, the new team) when HotRush ended."""
        if kind == "late":
            return [
                self.env._("We are sorry we did not answer in time."),
                self.late_bill_rule(ticket),
            ]
        if kind == "ended":
            return self.end_texts(ticket)
        if kind == "waiting" and ticket.hotrush_sla_status == "queued":
            # why it waits: a named closure (public holiday), or the hours
            closure = ticket._hotrush_closure_at(fields.Datetime.now())
            if closure:
                return [
                    self.env._("Support is closed for %(closure)s.", closure=closure)
                ]
            return [self.env._("Support is outside its working hours now.")]
        return []

    def late_bill_rule(self, ticket):
        if ticket.company_id.hotrush_waive_breached:
            return self.env._(
                "As the answer came late, this ticket is billed at the normal rate: "
                "no HotRush surcharge."
            )
        return self.env._(
            "Under your support terms, the HotRush rate still applies to this ticket."
        )

    def end_texts(self, ticket):
        """Why HotRush ended, in the words of the 'removed' notice."""
        action = ticket.hotrush_end_action
        if action == "uncheck":
            return [self.env._("You unchecked HotRush: no surcharge applies.")]
        if action == "withdraw":
            return [
                self.env._(
                    "You withdrew the HotRush request: the normal rate applies, a "
                    "HotRush surcharge already invoiced is refunded."
                )
            ]
        texts = [self.reason_text(ticket, ticket.hotrush_end_reason)]
        if action == "remove" and ticket.hotrush_end_note:
            texts.append(
                self.env._("Note from support: %(note)s", note=ticket.hotrush_end_note)
            )
        named = ticket.hotrush_end_reason in ("customization", "transfer")
        if action in ("remove", "auto_remove") and ticket.team_id and not named:
            texts.append(
                self.env._(
                    "Your ticket is handled by our %(team)s department.",
                    team=ticket.team_id.name,
                )
            )
        texts.append(
            self.env._(
                "The ticket is billed at the normal support rate; a HotRush surcharge "
                "already invoiced for it is refunded."
            )
        )
        return texts

    def reason_text(self, ticket, reason):
        """A removal's reason as the customer is told it."""
        team = ticket.team_id.name or ""
        if reason == "customization":
            if ticket.team_id and not ticket.team_id.hotrush_offered:
                return self.env._(
                    "Your question relates to a customization project: the ticket is "
                    "directed to our %(team)s department.",
                    team=team,
                )
            return self.env._(
                "Your question relates to a customization project, which HotRush does "
                "not cover."
            )
        if reason == "bug":
            return self.env._(
                "The issue turned out to be a bug in the default software behavior, "
                "which requires extra time to be solved."
            )
        if reason == "general":
            return self.env._(
                "HotRush covers technical support only, and this is a general question "
                "about our company, the use of the HelpDesk accounts and forums, or "
                "sales and licensing."
            )
        if reason == "transfer":
            return self.env._(
                "The ticket moved to our %(team)s department, which does not offer "
                "HotRush.",
                team=team,
            )
        if reason == "not_eligible":
            return self.env._(
                "HotRush does not cover questions of the category %(category)s.",
                category=ticket.category_id.name or "",
            )
        if reason == "archived":
            return self.env._("The ticket was archived or merged into another ticket.")
        return self.env._(
            "Our support team removed the HotRush priority from your ticket."
        )

    # ------------------------------------------------------------------
    # A normal ticket: the offer, or why HotRush cannot be requested
    # ------------------------------------------------------------------

    def request_refusal(self, ticket):
        """Why the customer may not request HotRush on ``ticket`` now (no active
        balance, a category without HotRush), or False; the card says it in place
        of the button."""
        if ticket.hotrush or not ticket.hotrush_offered:
            return False
        return ticket._hotrush_balance_refusal() or self.category_refusal(
            ticket.category_id
        )

    def offer(self, ticket):
        """What HotRush would give this normal ticket, told before the customer
        requests it: the team's response target and price in money."""
        if not ticket.team_id:
            return []
        promise = self.promise(
            ticket.team_id, ticket.category_id, fields.Datetime.now()
        )
        if not promise["offered"]:
            return []
        return [promise["target"], promise["price"]]

    # ------------------------------------------------------------------
    # Live chat
    # ------------------------------------------------------------------

    def ticket_chat_hint(self, ticket):
        """When the live chat the customer of ``ticket`` may ask for can start: in
        its calendar's working hours, no later than its answer deadline (HR-84), as
        the new-ticket form says it; False when there is no deadline to keep."""
        if not ticket.hotrush_deadline:
            return False
        working_hours = ticket._get_hotrush_calendar()._hotrush_working_hours_text(
            self.tz, fields.Datetime.now()
        )
        return self.chat_hint(ticket.hotrush_deadline, working_hours)

    def chat_cancelled(self, ticket):
        """What the customer is told of the chat an end of urgency cancels, or an
        empty string: read before the end, which clears the chat."""
        if not ticket._hotrush_pending_chat():
            return ""
        return self.env._(
            "Your live chat via %(tool)s planned for %(time)s is cancelled.",
            tool=ticket.hotrush_chat_tool_id.name,
            time=self.time(ticket.hotrush_chat_at),
        )

    # ------------------------------------------------------------------
    # What an action of the ticket page tells once done
    # ------------------------------------------------------------------

    def requested(self, ticket):
        return self.env._(
            "HotRush requested: an engineer answers by %(deadline)s.",
            # the page names the zone once, in the HotRush card
            deadline=self.time(ticket.hotrush_deadline),
        )

    def chat_recorded(self, ticket):
        return self.env._(
            "Your live chat request is recorded: an engineer is to contact you on "
            "%(tool)s at %(time)s.",
            tool=ticket.hotrush_chat_tool_id.name,
            time=self.time(ticket.hotrush_chat_at),
        )

    # ------------------------------------------------------------------
    # History (HR-82)
    # ------------------------------------------------------------------

    def history(self, ticket):
        """The ticket's HotRush history as its customer may read it, oldest first:
        requests, queueing, opening, the answer, a missed deadline, the ends with
        their reasons, moved deadlines. No agent names, no internal notes.

        :return: list of dicts with ``date`` (naive UTC), ``time`` (text in the
            reader's zone) and ``text``
        """
        lines = []
        for event in ticket._hotrush_portal_events():
            text = self.event_text(ticket, event)
            if text:
                lines.append((event.date, text))
        lines += self.milestones(ticket)
        lines.sort(key=lambda line: line[0])
        return [
            {"date": date, "time": self.time(date), "text": text}
            for date, text in lines
        ]

    def event_text(self, ticket, event):
        """One audit event in the customer's words (no author, no internal note)."""
        if event.kind == "start":
            deadline = self.time(event.deadline)
            if event.sla_status == "queued":
                closure = ticket._hotrush_closure_at(event.date)
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
                before=self.time(event.previous_deadline),
                after=self.time(event.deadline),
            )
        if event.action == "uncheck":
            return self.env._("You unchecked HotRush.")
        if event.action == "withdraw":
            return self.env._("You withdrew the HotRush request.")
        text = self.env._(
            "HotRush removed: %(reason)s",
            reason=self.reason_text(ticket, event.reason),
        )
        if event.action == "remove" and event.note:
            text += " " + self.env._("Note from support: %(note)s", note=event.note)
        return text

    def milestones(self, ticket):
        """The moments of the current request the audit does not record: support
        opened, the answer, the missed deadline."""
        lines = []
        if not ticket.hotrush_requested_at:
            return lines
        until = ticket.hotrush_ended_at or fields.Datetime.now()
        opening = ticket.hotrush_queued_until
        if opening and opening <= until:
            lines.append(
                (opening, self.env._("Support opened: the answer clock started."))
            )
        answered = ticket.hotrush_first_response_at
        breached = ticket.hotrush_sla_status == "breached"
        if breached and ticket.hotrush_deadline:
            lines.append(
                (
                    ticket.hotrush_deadline,
                    self.env._("Not answered in time: we are sorry."),
                )
            )
        if answered:
            if breached:
                lines.append((answered, self.env._("Answered late by an engineer.")))
            else:
                lines.append((answered, self.env._("Answered by an engineer.")))
        return lines
