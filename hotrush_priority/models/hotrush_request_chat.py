# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The live chat booked for a request: the customer proposes a tool, an ID and a time
in working hours, no later than the response deadline; the agent gets an activity at
that time (HR-40 … HR-42, HR-84).

A chat is an answer: the agent records it as held (its start and a note), which tells
the customer in the ticket's conversation. The booked chat, held on time, is the first
response at its start, met or breached as a reply at that moment would be (HR-84); any
other chat is told as a chat and never moves the verdict.

The ticket's actions (``action_hotrush_request_chat``, ``action_hotrush_chat_held``)
check who asks and call these rules; the new-ticket form checks a chat on the ticket
it is about to create, before any request exists (``_chat_booking_vals``).
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_datetime

from ..const import CHAT_ACTIVITY, CHAT_ON_TIME_MINUTES, NOTE_MAX_LENGTH

# the ends of urgency that cancel a live chat still to come: the customer's own
CHAT_CANCELLING_ENDS = ("uncheck", "withdraw")
# set while the message of a held chat is posted: the first-response rules read the
# chat's start, stored on the request by the action, as the time of that answer
CHAT_HELD_CONTEXT = "hotrush_chat_held"
# its value for the message of a chat that does not answer the request: an object no
# request (JSON-RPC, a form, an e-mail) can give, so no caller can make a real reply
# count for nothing
NOT_AN_ANSWER = object()


class HotrushRequest(models.Model):
    _inherit = "hotrush.request"

    # ------------------------------------------------------------------
    # Transitions
    # ------------------------------------------------------------------

    @api.model
    def _make_for(self, tickets, request_vals):
        requests = super()._make_for(tickets, request_vals)
        # a chat booked on the new-ticket form
        for request in requests.filtered(lambda r: r.chat_at and r.ticket_id.hotrush):
            request._schedule_chat()
        return requests

    def _end(self, action, reason, note, now):
        res = super()._end(action, reason, note, now)
        if action in CHAT_CANCELLING_ENDS:
            self._cancel_chat()
        return res

    def _response_time(self, message):
        """A held chat answered at its start, not when the agent recorded it.

        The start is the one the action validated and stored (a system field, cleared
        by a new request); the context only says which post tells it, so a caller
        setting it can date an answer to no other time.
        """
        if self.env.context.get(CHAT_HELD_CONTEXT) and self.chat_held_at:
            return self.chat_held_at
        return super()._response_time(message)

    def _answered_by(self, message):
        """The message of a held chat answers the request only when the chat was the
        booked one (``_chat_answers``)."""
        if self.env.context.get(CHAT_HELD_CONTEXT) is NOT_AN_ANSWER:
            return False
        return super()._answered_by(message)

    # ------------------------------------------------------------------
    # Booking (HR-40 … HR-42)
    # ------------------------------------------------------------------

    @api.model
    def _chat_booking_vals(self, ticket, tool_id, contact, when):
        """The request's values of a live chat booked on ``ticket`` (a HotRush ticket,
        or the one the new-ticket form is about to create), checked.

        :param tool_id: id of an active ``hotrush.chat.tool``
        :param contact: the customer's ID on that tool
        :param when: preferred start, a naive UTC datetime (or its string)
        """
        ticket.ensure_one()
        if not ticket.hotrush:
            raise ValidationError(
                self.env._("A live chat can be requested on HotRush tickets only.")
            )
        self._check_chat_allowed(ticket)
        tool = self._chat_tool(tool_id)
        contact = ticket._hotrush_clean_text(contact, 100, tool.id_label)
        if not contact or not tool._matches(contact):
            message = self.env._(
                "Please enter a valid %(label)s for %(tool)s.",
                label=tool.id_label,
                tool=tool.name,
            )
            if tool.id_example:
                message += " " + self.env._(
                    "Example: %(example)s", example=tool.id_example
                )
            raise ValidationError(message)
        when = self._chat_time(
            when, self.env._("Please give the preferred time of the chat.")
        )
        self._check_chat_in_hours(ticket, when)
        self._check_chat_deadline(ticket, when)
        return {"chat_tool_id": tool.id, "chat_contact": contact, "chat_at": when}

    @api.model
    def _chat_tool(self, tool_id):
        """The active chat tool of id ``tool_id``, else a refusal."""
        try:
            tool = self.env["hotrush.chat.tool"].browse(int(tool_id)).exists()
        except (TypeError, ValueError):
            tool = self.env["hotrush.chat.tool"]
        if not tool or not tool.active:
            raise ValidationError(
                self.env._("Please choose one of the offered communication tools.")
            )
        return tool

    @api.model
    def _check_chat_in_hours(self, ticket, when):
        """A chat starts in the future, within the support working hours."""
        calendar = ticket._get_hotrush_calendar()
        tz = self.env.user.tz or calendar.tz or "UTC"
        now = fields.Datetime.now()
        [(opening, _deadline)] = calendar._hotrush_plan([(when, 0)])
        if when > now and opening is False:
            return
        reason = (
            self.env._("The preferred time is in the past.")
            if when <= now
            else self.env._("The preferred time is outside our working hours.")
        )
        raise ValidationError(
            reason
            + " "
            + self.env._(
                "Please choose a time within the support working hours "
                "(%(tz)s): %(hours)s.",
                tz=tz,
                hours=calendar._hotrush_working_hours_text(tz, now),
            )
        )

    @api.model
    def _check_chat_deadline(self, ticket, when):
        """A live chat is the answer: it starts no later than the response deadline
        (HR-84); the refusal names the latest start in the customer's zone."""
        latest = self._chat_latest_start(ticket)
        if not latest or when <= latest:
            return
        latest_text = ticket._hotrush_format(latest, tz=self._chat_customer_tz(ticket))
        if latest <= fields.Datetime.now():
            raise ValidationError(
                self.env._(
                    "The response deadline of this ticket, %(latest)s, has passed: "
                    "a live chat can no longer be planned before it. Please write "
                    "in the ticket instead.",
                    latest=latest_text,
                )
            )
        raise ValidationError(
            self.env._(
                "A live chat must start no later than the response deadline: "
                "%(latest)s at the latest. Please choose an earlier time.",
                latest=latest_text,
            )
        )

    @api.model
    def _chat_latest_start(self, ticket):
        """The latest start of a live chat on ``ticket``: the response deadline
        itself, not the deadline plus the company's grace. The grace covers the
        replication between the servers, by which an answer given in time may reach
        the ticket late; a chat is given when it starts, so it starts by the
        deadline.

        A ticket whose deadline is not planned yet (the new-ticket form checks the
        chat before the ticket exists) gets the deadline it will have: its request
        planned from now on its team's calendar. A queued ticket's deadline is after
        the opening, so its chat may be at the opening or later.

        :return: a naive UTC datetime, or False when the calendar plans nothing
        """
        if ticket.hotrush_deadline:
            return ticket.hotrush_deadline
        calendar = ticket._get_hotrush_calendar()
        if not calendar:
            return False
        start = ticket.hotrush_requested_at or fields.Datetime.now()
        [(_opening, deadline)] = calendar._hotrush_plan(
            [(start, ticket._get_hotrush_response_hours())]
        )
        return deadline

    @api.model
    def _chat_customer_tz(self, ticket):
        """The customer's time zone: the ticket's customer's, or that of the
        customer asking; else the support calendar's."""
        calendar = ticket._get_hotrush_calendar()
        # a customer asking on their own ticket reads their own zone
        customer_tz = self.env.user.share and self.env.user.tz
        return (
            ticket.partner_id.tz
            or customer_tz
            or (calendar and calendar._hotrush_zone())
            or "UTC"
        )

    @api.model
    def _check_chat_allowed(self, ticket):
        """One live chat at a time, on open tickets: a second request while one is
        planned is refused (the customer keeps the slot the agent prepares for)."""
        if ticket.closed:
            raise ValidationError(
                self.env._("A live chat cannot be requested on a closed ticket.")
            )
        if ticket.hotrush_chat_at and ticket.hotrush_chat_at > fields.Datetime.now():
            tz = self.env.user.tz or ticket._get_hotrush_calendar().tz or "UTC"
            raise ValidationError(
                self.env._(
                    "A live chat via %(tool)s is already planned for %(time)s. Please "
                    "write in the ticket if it should move.",
                    tool=ticket.hotrush_chat_tool_id.name,
                    time=ticket._hotrush_format(ticket.hotrush_chat_at, tz=tz),
                )
            )

    def _book_chat(self, vals):
        """Book the chat of ``vals`` (see ``_chat_booking_vals``) for this request:
        the activity of a past chat makes way for the new one's."""
        self.ensure_one()
        # sudo: the agent's activity, on this request's ticket only
        self.ticket_id.sudo().activity_unlink([CHAT_ACTIVITY])
        self._write_tracked(vals)
        self._schedule_chat()

    def _schedule_chat(self):
        """Activity for the agent at that time, confirmation to the customer."""
        self.ensure_one()
        # sudo: the agent's activity and the customer's notice are the rules' own,
        # on this request's ticket (the caller's right to book was checked)
        ticket = self.ticket_id.sudo()
        user = ticket._hotrush_responsible_user()
        when = self.chat_at
        if user:
            local = fields.Datetime.context_timestamp(
                ticket.with_context(tz=user.tz or "UTC"), when
            )
            ticket.activity_schedule(
                CHAT_ACTIVITY,
                date_deadline=local.date(),
                summary=self.env._(
                    "Live chat via %(tool)s at %(time)s with %(contact)s",
                    tool=self.chat_tool_id.name,
                    time=format_datetime(
                        self.env, when, tz=user.tz or "UTC", dt_format="short"
                    ),
                    contact=self.chat_contact,
                ),
                user_id=user.id,
            )
        customer_tz = ticket.partner_id.tz or ticket._get_hotrush_calendar().tz or "UTC"
        # as a notification it never counts as the first response
        ticket.message_post(
            body=self.env._(
                "Your live chat via %(tool)s is planned for %(time)s. Our support "
                "engineer will contact %(contact)s.",
                tool=self.chat_tool_id.name,
                time=ticket._hotrush_format(when, tz=customer_tz),
                contact=self.chat_contact,
            ),
            message_type="notification",
            subtype_xmlid="mail.mt_comment",
            partner_ids=ticket.partner_id.ids,
        )

    def _pending_chat(self):
        """The requests whose live chat is booked and still to come."""
        now = fields.Datetime.now()
        return self.filtered(lambda r: r.chat_at and r.chat_at > now)

    def _cancel_chat(self):
        """Cancel the live chats still to come: the booking is cleared (the chatter
        tracks it) and the agent's chat activity removed. A chat whose time has come
        stays, so the agent can still record it as held.

        :return: the requests whose chat was cancelled
        """
        requests = self._pending_chat()
        if requests:
            # sudo: the agent's activity, on the tickets whose urgency their end
            # action (checked there) just ended
            requests.ticket_id.sudo().activity_unlink([CHAT_ACTIVITY])
            requests._write_tracked(
                {"chat_tool_id": False, "chat_contact": False, "chat_at": False}
            )
        return requests

    # ------------------------------------------------------------------
    # Held (HR-84)
    # ------------------------------------------------------------------

    @api.model
    def _hold_chat(self, ticket, start, note=False):
        """A live chat held with the customer of ``ticket`` (the caller checked the
        agent may write it), told in its conversation; on a HotRush request not
        answered yet, the booked chat is the first response at ``start``.

        :param start: when the chat started, a naive UTC datetime (or its string),
            not in the future
        :param note: what was said or agreed, plain text for the customer
        :return: the message
        """
        ticket.ensure_one()
        start = self._validate_chat_held(ticket, start)
        if note:
            note = ticket._hotrush_clean_text(
                str(note), NOTE_MAX_LENGTH, self.env._("Note")
            )
        request = ticket.hotrush_request_id.sudo()
        answers = ticket.hotrush and request._chat_answers(start)
        if answers:
            # the start the post below reads as the time of the answer
            request.write({"chat_held_at": start})
        message = self._post_chat_held(ticket, start, note, answers=answers)
        ticket.activity_feedback(
            [CHAT_ACTIVITY],
            feedback=self.env._("Held by %(user)s.", user=self.env.user.name),
        )
        return message

    @api.model
    def _chat_time(self, value, missing):
        """``value`` (a naive UTC datetime or its string) to the second, or the
        refusal ``missing`` when it is none."""
        try:
            value = fields.Datetime.to_datetime(value)
        except ValueError:
            value = None
        if not value:
            raise ValidationError(missing)
        return value.replace(microsecond=0)

    @api.model
    def _validate_chat_held(self, ticket, start):
        """The chat's start, checked: given, not in the future and, when it is to
        answer a HotRush request, not before that request.

        :return: the start, a naive UTC datetime to the second
        """
        start = self._chat_time(
            start, self.env._("Please give the time the live chat started.")
        )
        tz = self.env.user.tz or self._chat_customer_tz(ticket)
        if start > fields.Datetime.now():
            raise ValidationError(
                self.env._(
                    "A live chat can be recorded once it is held: %(start)s is in "
                    "the future.",
                    start=ticket._hotrush_format(start, tz=tz),
                )
            )
        awaiting = ticket.hotrush and not ticket.hotrush_first_response_at
        if awaiting and start < ticket.hotrush_requested_at:
            raise ValidationError(
                self.env._(
                    "A live chat that started before HotRush was requested "
                    "(%(requested)s) cannot answer the request.",
                    requested=ticket._hotrush_format(
                        ticket.hotrush_requested_at, tz=tz
                    ),
                )
            )
        return start

    def _chat_answers(self, start):
        """Whether a chat held at ``start`` is the answer to this request: the chat
        the customer booked, started within ``CHAT_ON_TIME_MINUTES`` of the booked
        time and not after the deadline plus grace; recorded later, even after the
        SLA action decided a breach, it counts at its start. Any other chat (never
        booked, at another time, started after the deadline plus grace) is told as a
        chat; it never answers the request nor moves its verdict."""
        if not self or self.first_response_at or not self.chat_at or self.ended_at:
            return False
        on_time = timedelta(minutes=CHAT_ON_TIME_MINUTES)
        return abs(start - self.chat_at) <= on_time and start <= self._breach_time()

    @api.model
    def _post_chat_held(self, ticket, start, note, answers=True):
        """Tell the customer, as the agent, in their language and zone: a public
        comment in the portal's conversation, notified to the customer only (the
        other followers, another customer among them, are skipped). When the chat
        ``answers`` the request, the first-response rules read it at ``start``;
        otherwise it is no answer at all.

        :return: the message
        """
        customer = ticket.with_context(lang=ticket.partner_id.lang or self.env.lang)
        body = customer.env["ir.qweb"]._render(
            "hotrush_priority.message_chat_held",
            {
                "held_at": customer._hotrush_format(
                    start, tz=self._chat_customer_tz(ticket)
                ),
                "note": note,
            },
        )
        held = True if answers else NOT_AN_ANSWER
        return ticket.with_context(**{CHAT_HELD_CONTEXT: held}).message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=ticket.partner_id.ids,
            notify_skip_followers=True,
        )
