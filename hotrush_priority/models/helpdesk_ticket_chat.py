# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A live chat on a HotRush ticket: the customer proposes a tool, an ID and a time in
working hours, no later than the response deadline; the agent gets an activity at that
time (HR-40 … HR-42, HR-84).

A chat is an answer: the agent records it as held (its start and a note), which tells
the customer in the ticket's conversation and counts as the first response at the
chat's start, met or breached as a reply at that moment would be (HR-84).
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_datetime

from ..const import CHAT_ACTIVITY, CHAT_ON_TIME_MINUTES, NOTE_MAX_LENGTH
from .hotrush_request import request_field

# what the customer asked for: written by the chat rules only
CHAT_FIELDS = ("hotrush_chat_tool_id", "hotrush_chat_contact", "hotrush_chat_at")
# the ends of urgency that cancel a live chat still to come: the customer's own
CHAT_CANCELLING_ENDS = ("uncheck", "withdraw")
# set while the message of a held chat is posted: the first-response rules read the
# chat's start, stored on the ticket by the action, as the time of that answer
CHAT_HELD_CONTEXT = "hotrush_chat_held"
# its value for the message of a chat that does not answer the request: an object no
# request (JSON-RPC, a form, an e-mail) can give, so no caller can make a real reply
# count for nothing
NOT_AN_ANSWER = object()


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # the live chat booked for the current request
    hotrush_chat_tool_id = request_field(
        fields.Many2one, "chat_tool_id", "Live Chat Tool"
    )
    hotrush_chat_contact = request_field(
        fields.Char, "chat_contact", "Customer's Chat ID"
    )
    hotrush_chat_at = request_field(
        fields.Datetime, "chat_at", "Live Chat At", tracking=True
    )
    hotrush_chat_held_at = request_field(
        fields.Datetime, "chat_held_at", "Live Chat Held On"
    )

    # ------------------------------------------------------------------
    # Hooks of the core
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        for ticket in tickets.filtered(lambda t: t.hotrush and t.hotrush_chat_at):
            ticket._hotrush_schedule_chat()
        return tickets

    def _hotrush_end(self, action, reason=False, note=False):
        res = super()._hotrush_end(action, reason=reason, note=note)
        if action in CHAT_CANCELLING_ENDS:
            self._hotrush_cancel_chat()
        return res

    def _hotrush_response_time(self, message):
        """A held chat answered at its start, not when the agent recorded it.

        The start is the one the action validated and stored (a system field, cleared
        by a new request); the context only says which post tells it, so a caller
        setting it can date an answer to no other time.
        """
        if self.env.context.get(CHAT_HELD_CONTEXT) and self.hotrush_chat_held_at:
            return self.hotrush_chat_held_at
        return super()._hotrush_response_time(message)

    def _hotrush_is_first_response(self, message):
        """The message of a held chat answers the request only when the chat was the
        booked one (``_hotrush_chat_answers``)."""
        if self.env.context.get(CHAT_HELD_CONTEXT) is NOT_AN_ANSWER:
            return False
        return super()._hotrush_is_first_response(message)

    # ------------------------------------------------------------------
    # Live chat request (HR-40 … HR-42)
    # ------------------------------------------------------------------

    def action_hotrush_request_chat(self, tool_id, contact, when):
        """Ask for a live chat on a HotRush ticket.

        :param tool_id: id of an active ``hotrush.chat.tool``
        :param contact: the customer's ID on that tool
        :param when: preferred start, a naive UTC datetime (or its string)
        """
        self.ensure_one()
        if self.env.user._is_internal():
            self.check_access("write")
        else:
            self._hotrush_check_own_tickets()
        vals = self._hotrush_validate_chat(tool_id, contact, when)
        # sudo: system fields, the agent's activity and the notice are written by
        # this rule for the ticket checked above, on that ticket only; the activity
        # of a past chat makes way for the new one
        self.sudo().activity_unlink([CHAT_ACTIVITY])
        self.sudo().write(vals)
        self.sudo()._hotrush_schedule_chat()
        return True

    def _hotrush_validate_chat(self, tool_id, contact, when):
        self.ensure_one()
        if not self.hotrush:
            raise ValidationError(
                self.env._("A live chat can be requested on HotRush tickets only.")
            )
        self._hotrush_check_chat_allowed()
        try:
            tool = self.env["hotrush.chat.tool"].browse(int(tool_id)).exists()
        except (TypeError, ValueError):
            tool = self.env["hotrush.chat.tool"]
        if not tool or not tool.active:
            raise ValidationError(
                self.env._("Please choose one of the offered communication tools.")
            )
        contact = self._hotrush_clean_text(contact, 100, tool.id_label)
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
        when = self._hotrush_chat_time(
            when, self.env._("Please give the preferred time of the chat.")
        )
        calendar = self._get_hotrush_calendar()
        tz = self.env.user.tz or calendar.tz or "UTC"
        now = fields.Datetime.now()
        [(opening, _deadline)] = calendar._hotrush_plan([(when, 0)])
        if when <= now or opening is not False:
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
        self._hotrush_check_chat_deadline(when)
        return {
            "hotrush_chat_tool_id": tool.id,
            "hotrush_chat_contact": contact,
            "hotrush_chat_at": when,
        }

    def _hotrush_check_chat_deadline(self, when):
        """A live chat is the answer: it starts no later than the response deadline
        (HR-84); the refusal names the latest start in the customer's zone."""
        self.ensure_one()
        latest = self._hotrush_chat_latest_start()
        if not latest or when <= latest:
            return
        latest_text = self._hotrush_format(latest, tz=self._hotrush_chat_customer_tz())
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

    def _hotrush_chat_latest_start(self):
        """The latest start of a live chat: the response deadline itself, not the
        deadline plus the company's grace. The grace covers the replication between
        the servers, by which an answer given in time may reach the ticket late; a
        chat is given when it starts, so it starts by the deadline.

        A ticket whose deadline is not planned yet (the new-ticket form checks the
        chat before the ticket exists) gets the deadline it will have: its request
        planned from now on its team's calendar. A queued ticket's deadline is after
        the opening, so its chat may be at the opening or later.

        :return: a naive UTC datetime, or False when the calendar plans nothing
        """
        self.ensure_one()
        if self.hotrush_deadline:
            return self.hotrush_deadline
        calendar = self._get_hotrush_calendar()
        if not calendar:
            return False
        start = self.hotrush_requested_at or fields.Datetime.now()
        [(_opening, deadline)] = calendar._hotrush_plan(
            [(start, self._get_hotrush_response_hours())]
        )
        return deadline

    def _hotrush_chat_customer_tz(self):
        """The customer's time zone: the ticket's customer's, or that of the
        customer asking; else the support calendar's."""
        self.ensure_one()
        calendar = self._get_hotrush_calendar()
        # a customer asking on their own ticket reads their own zone
        customer_tz = self.env.user.share and self.env.user.tz
        return (
            self.partner_id.tz
            or customer_tz
            or (calendar and calendar._hotrush_zone())
            or "UTC"
        )

    def _hotrush_check_chat_allowed(self):
        """One live chat at a time, on open tickets: a second request while one is
        planned is refused (the customer keeps the slot the agent prepares for)."""
        self.ensure_one()
        if self.closed:
            raise ValidationError(
                self.env._("A live chat cannot be requested on a closed ticket.")
            )
        if self.hotrush_chat_at and self.hotrush_chat_at > fields.Datetime.now():
            tz = self.env.user.tz or self._get_hotrush_calendar().tz or "UTC"
            raise ValidationError(
                self.env._(
                    "A live chat via %(tool)s is already planned for %(time)s. Please "
                    "write in the ticket if it should move.",
                    tool=self.hotrush_chat_tool_id.name,
                    time=self._hotrush_format(self.hotrush_chat_at, tz=tz),
                )
            )

    def _hotrush_schedule_chat(self):
        """Activity for the agent at that time, confirmation to the customer."""
        self.ensure_one()
        user = self._hotrush_responsible_user()
        when = self.hotrush_chat_at
        if user:
            local = fields.Datetime.context_timestamp(
                self.with_context(tz=user.tz or "UTC"), when
            )
            self.activity_schedule(
                CHAT_ACTIVITY,
                date_deadline=local.date(),
                summary=self.env._(
                    "Live chat via %(tool)s at %(time)s with %(contact)s",
                    tool=self.hotrush_chat_tool_id.name,
                    time=format_datetime(
                        self.env, when, tz=user.tz or "UTC", dt_format="short"
                    ),
                    contact=self.hotrush_chat_contact,
                ),
                user_id=user.id,
            )
        customer_tz = self.partner_id.tz or self._get_hotrush_calendar().tz or "UTC"
        # sudo: a notice to the customer on their own ticket; as a notification it
        # never counts as the first response
        self.sudo().message_post(
            body=self.env._(
                "Your live chat via %(tool)s is planned for %(time)s. Our support "
                "engineer will contact %(contact)s.",
                tool=self.hotrush_chat_tool_id.name,
                time=self._hotrush_format(when, tz=customer_tz),
                contact=self.hotrush_chat_contact,
            ),
            message_type="notification",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
        )

    def _hotrush_pending_chat(self):
        """The tickets whose live chat is planned and still to come."""
        now = fields.Datetime.now()
        return self.filtered(lambda t: t.hotrush_chat_at and t.hotrush_chat_at > now)

    def _hotrush_cancel_chat(self):
        """Cancel the live chats still to come: the request is cleared (the chatter
        tracks it) and the agent's chat activity removed. A chat whose time has come
        stays, so the agent can still record it as held.

        :return: the tickets whose chat was cancelled
        """
        tickets = self._hotrush_pending_chat()
        if tickets:
            # sudo: system fields and the agent's activity, on the tickets whose
            # urgency their end action (checked there) just ended
            tickets.sudo().activity_unlink([CHAT_ACTIVITY])
            tickets.sudo().write(dict.fromkeys(CHAT_FIELDS, False))
        return tickets

    # ------------------------------------------------------------------
    # Live chat held (HR-84)
    # ------------------------------------------------------------------

    def action_hotrush_open_chat_held_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Live Chat Held"),
            "res_model": "hotrush.chat.held.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def action_hotrush_chat_held(self, start, note=False):
        """Record a live chat held with the customer: support staff with write access
        to the ticket only.

        The customer is told in the ticket's conversation; on a HotRush request not
        answered yet, the chat is the first response at ``start``, met or breached as
        a reply at that moment would be. An answered request keeps its first response.

        :param start: when the chat started, a naive UTC datetime (or its string),
            not in the future
        :param note: what was said or agreed, plain text for the customer
        """
        self.ensure_one()
        self._hotrush_check_chat_held_allowed()
        start = self._hotrush_validate_chat_held(start)
        if note:
            note = self._hotrush_clean_text(
                str(note), NOTE_MAX_LENGTH, self.env._("Note")
            )
        answers = self._hotrush_chat_answers(start)
        if answers:
            # sudo: the start is a system field, written by this rule for the
            # ticket the agent may write (checked above); the post below reads it
            self.sudo().write({"hotrush_chat_held_at": start})
        self._hotrush_post_chat_held(start, note, answers=answers)
        self.activity_feedback(
            [CHAT_ACTIVITY],
            feedback=self.env._("Held by %(user)s.", user=self.env.user.name),
        )
        return True

    def _hotrush_check_chat_held_allowed(self):
        """Support staff who may write the ticket; never a customer, whatever the
        route (the portal, RPC)."""
        if not self.env.user._is_internal():
            raise AccessError(
                self.env._("Only support staff can record a held live chat.")
            )
        self.check_access("write")

    @api.model
    def _hotrush_chat_time(self, value, missing):
        """``value`` (a naive UTC datetime or its string) to the second, or the
        refusal ``missing`` when it is none."""
        try:
            value = fields.Datetime.to_datetime(value)
        except ValueError:
            value = None
        if not value:
            raise ValidationError(missing)
        return value.replace(microsecond=0)

    def _hotrush_validate_chat_held(self, start):
        """The chat's start, checked: given, not in the future and, when it is to
        answer a HotRush request, not before that request.

        :return: the start, a naive UTC datetime to the second
        """
        self.ensure_one()
        start = self._hotrush_chat_time(
            start, self.env._("Please give the time the live chat started.")
        )
        tz = self.env.user.tz or self._hotrush_chat_customer_tz()
        if start > fields.Datetime.now():
            raise ValidationError(
                self.env._(
                    "A live chat can be recorded once it is held: %(start)s is in "
                    "the future.",
                    start=self._hotrush_format(start, tz=tz),
                )
            )
        awaiting = self.hotrush and not self.hotrush_first_response_at
        if awaiting and start < self.hotrush_requested_at:
            raise ValidationError(
                self.env._(
                    "A live chat that started before HotRush was requested "
                    "(%(requested)s) cannot answer the request.",
                    requested=self._hotrush_format(self.hotrush_requested_at, tz=tz),
                )
            )
        return start

    def _hotrush_chat_answers(self, start):
        """Whether a chat held at ``start`` is the answer to the HotRush request: the
        chat the customer booked, started within ``CHAT_ON_TIME_MINUTES`` of the
        booked time and not after the deadline plus grace; recorded later, even
        after the SLA action decided a breach, it counts at its start. Any other
        chat (never booked, at another time, started after the deadline plus grace)
        is told as a chat; it never answers the request nor moves its verdict."""
        self.ensure_one()
        if (
            not self.hotrush
            or self.hotrush_first_response_at
            or not self.hotrush_chat_at
        ):
            return False
        on_time = timedelta(minutes=CHAT_ON_TIME_MINUTES)
        return (
            abs(start - self.hotrush_chat_at) <= on_time
            and start <= self._hotrush_breach_time()
        )

    def _hotrush_post_chat_held(self, start, note, answers=True):
        """Tell the customer, as the agent, in their language and zone: a public
        comment in the portal's conversation, notified to the customer only (the
        other followers, another customer among them, are skipped). When the chat
        ``answers`` the request, the first-response rules read it at ``start``;
        otherwise it is no answer at all.

        :return: the message
        """
        self.ensure_one()
        ticket = self.with_context(lang=self.partner_id.lang or self.env.lang)
        body = ticket.env["ir.qweb"]._render(
            "hotrush_priority.message_chat_held",
            {
                "held_at": ticket._hotrush_format(
                    start, tz=self._hotrush_chat_customer_tz()
                ),
                "note": note,
            },
        )
        held = True if answers else NOT_AN_ANSWER
        return self.with_context(**{CHAT_HELD_CONTEXT: held}).message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
            notify_skip_followers=True,
        )
