# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A live chat on a HotRush ticket: the customer proposes a tool, an ID and a time in
working hours; the agent gets an activity at that time (HR-40 … HR-42)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_datetime

from ..const import CHAT_ACTIVITY

# what the customer asked for: written by the chat rules only
CHAT_FIELDS = ("hotrush_chat_tool_id", "hotrush_chat_contact", "hotrush_chat_at")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    hotrush_chat_tool_id = fields.Many2one(
        comodel_name="hotrush.chat.tool",
        string="Live Chat Tool",
        copy=False,
        readonly=True,
        context={"active_test": False},
    )

    hotrush_chat_contact = fields.Char(
        string="Customer's Chat ID", copy=False, readonly=True
    )

    hotrush_chat_at = fields.Datetime(
        string="Live Chat At", copy=False, readonly=True, tracking=True
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

    def _hotrush_system_fields(self):
        return super()._hotrush_system_fields() | set(CHAT_FIELDS)

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
        try:
            when = fields.Datetime.to_datetime(when)
        except ValueError:
            when = None
        if not when:
            raise ValidationError(
                self.env._("Please give the preferred time of the chat.")
            )
        when = when.replace(microsecond=0)
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
        return {
            "hotrush_chat_tool_id": tool.id,
            "hotrush_chat_contact": contact,
            "hotrush_chat_at": when,
        }

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
