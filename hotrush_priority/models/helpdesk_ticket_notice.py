# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's notices (HR-81): what happened to their HotRush request, told once per
event, by e-mail and in the portal's conversation of the ticket.

Each notice is a ``mail.template`` (data/mail_template_data.xml) that administrators
edit and translate, rendered in the customer's language, with times in the customer's
time zone (else the support calendar's). A company setting turns each one on or off.

The notices extend the events where they happen. The SLA scheduled action's request,
opening and breach steps tell their customers in the same run. The first response and
the end of urgency, which happen in a user's transaction (an agent's answer, a
customer's withdrawal, an agent moving tickets to another team), are told when that
transaction commits, as Odoo posts its tracking: after everything the transaction
does (the audit note, the refund), the tickets of each notice rendered together, and
only what still holds then (a savepoint rolled back tells nothing).

A marker per notice, written on the ticket before the notice is posted, makes each go
out once however often or wherever the event is handled: a second worker telling the
same ticket waits for the first one's row lock and then fails to write it, and a run or
a retry that comes after finds it set. A new request clears the markers: its events are
told again.

A notice goes to the ticket's customer only (never to the other followers, whatever
their subscriptions), as an automated public message: the customer reads it in the
portal, where it never counts as the first response.
"""

from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models
from odoo.tools import SQL

from ..portal import Presenter
from .hotrush_request import request_field
from .ir_qweb import COMPILE_ONCE, CompileOnce

# The notices: kind -> (template xmlid, company setting, marker on the ticket).
# A request is told as accepted, or as queued when support is closed; the customer's
# uncheck and withdrawal share one template, as do support's and the automatic removal.
NOTICES = {
    "accepted": (
        "hotrush_priority.mail_template_hotrush_accepted",
        "hotrush_notice_accepted",
        "hotrush_told_request_at",
    ),
    "queued": (
        "hotrush_priority.mail_template_hotrush_queued",
        "hotrush_notice_queued",
        "hotrush_told_request_at",
    ),
    "opened": (
        "hotrush_priority.mail_template_hotrush_opened",
        "hotrush_notice_opened",
        "hotrush_told_opening_at",
    ),
    "answered": (
        "hotrush_priority.mail_template_hotrush_answered",
        "hotrush_notice_answered",
        "hotrush_told_answer_at",
    ),
    "breached": (
        "hotrush_priority.mail_template_hotrush_breached",
        "hotrush_notice_breached",
        "hotrush_told_breach_at",
    ),
    "ended": (
        "hotrush_priority.mail_template_hotrush_ended",
        "hotrush_notice_ended",
        "hotrush_told_end_at",
    ),
    "removed": (
        "hotrush_priority.mail_template_hotrush_removed",
        "hotrush_notice_removed",
        "hotrush_told_end_at",
    ),
}


# the notice of a moved deadline (HR-86): one per move, rendered on its event
MOVED_TEMPLATE = "hotrush_priority.mail_template_hotrush_moved"
# what a notice's template renders
NOTICE_FIELDS = ["subject", "body_html", "email_from"]

# the end actions of the customer (the rest are support's or automatic removals)
CUSTOMER_ENDS = ("uncheck", "withdraw")
# the notices told when the user's transaction commits, in the order told
DEFERRED_NOTICES = ("answered", "breached", "ended", "removed")
# where a transaction keeps them: {kind: ticket ids}
PRECOMMIT_KEY = "hotrush_priority.notices_due"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    hotrush_told_request_at = request_field(
        fields.Datetime, "told_request_at", "HotRush Request Told On"
    )
    hotrush_told_opening_at = request_field(
        fields.Datetime, "told_opening_at", "HotRush Opening Told On"
    )
    hotrush_told_answer_at = request_field(
        fields.Datetime, "told_answer_at", "HotRush Answer Told On"
    )
    hotrush_told_breach_at = request_field(
        fields.Datetime, "told_breach_at", "HotRush Breach Told On"
    )
    hotrush_told_end_at = request_field(
        fields.Datetime, "told_end_at", "HotRush End Told On"
    )

    # ------------------------------------------------------------------
    # Hooks of the core and of the SLA scheduled action
    # ------------------------------------------------------------------

    def _hotrush_notify_request(self, now):
        """The request step: the customer hears that HotRush is accepted, or queued
        until support opens, in the same run as the team."""
        res = super()._hotrush_notify_request(now)
        queued = self.filtered(
            lambda t: t.hotrush_queued_until and t.hotrush_queued_until > now
        )
        queued._hotrush_tell_customer("queued", now)
        (self - queued)._hotrush_tell_customer("accepted", now)
        return res

    def _hotrush_notify_opening(self, now):
        """Support opened: the customer of a ticket told it was queued hears that the
        clock runs, and the deadline; not once the deadline and grace passed too (the
        action did not run between them): the breach notice tells what happened,
        an 'answer by' already past would be a stale promise."""
        res = super()._hotrush_notify_opening(now)
        self.filtered(
            lambda t: (
                t.hotrush_queued_until
                and t.hotrush_queued_until <= now
                and t.hotrush_opening_notified_at
                and (
                    not t.hotrush_told_request_at
                    or t.hotrush_told_request_at < t.hotrush_queued_until
                )
                and now <= t._hotrush_request()._breach_time()
            )
        )._hotrush_tell_customer("opened", now)
        return res

    def _hotrush_escalate_breach(self, now):
        res = super()._hotrush_escalate_breach(now)
        self.filtered(
            lambda t: (
                t.hotrush_escalated_at
                and t.hotrush_sla_status == "breached"
                and not t.hotrush_first_response_at
            )
        )._hotrush_tell_customer("breached", now)
        return res

    def _hotrush_register_first_response(self, message):
        """Answered: in time, or after the deadline (a breach the scheduled action
        may not have told yet)."""
        registered = super()._hotrush_register_first_response(message)
        if registered and self.hotrush_sla_status in ("met", "breached"):
            self._hotrush_notice_due(
                "answered" if self.hotrush_sla_status == "met" else "breached"
            )
        return registered

    def _hotrush_end(self, action, reason=False, note=False):
        res = super()._hotrush_end(action, reason=reason, note=note)
        self._hotrush_notice_due("ended" if action in CUSTOMER_ENDS else "removed")
        return res

    def _hotrush_post_moves(self, events, author_id):
        """Tell ``events``, moves of these tickets' requests (one each), written by
        ``author_id`` (the partner of who moved them).

        A moved deadline is told by its notice, rendered on its event, to the
        customers whose company wants it and who have an e-mail address; the move
        itself is audited whatever happens here. Without the template (deleted by
        an administrator), as the plain public message."""
        template = self.env.ref(MOVED_TEMPLATE, raise_if_not_found=False)
        if not template:
            texts = events._move_messages()
            return self._hotrush_log_public(
                {event.ticket_id.id: texts[event.id] for event in events},
                author_id=author_id,
            )
        to_tell = events.filtered(
            lambda e: (
                (e.ticket_id.company_id or self.env.company).hotrush_notice_moved
                and e.ticket_id.partner_id.email_normalized
            )
        )
        if not to_tell:
            return self.env["mail.message"]
        # sudo: rendered as the rules tell it, the event and its ticket only
        rendered = self._hotrush_render_notices(template.sudo(), to_tell.ids)
        return (
            self.browse(to_tell.ticket_id.ids)
            .sudo()
            ._hotrush_post_rendered_notices(
                {event.ticket_id.id: rendered[event.id] for event in to_tell},
                template.sudo(),
            )
        )

    def _hotrush_log_public(self, bodies, author_id=None):
        """One message per ticket that its customer reads in the portal's conversation
        (HR-86), logged in one batch, without e-mail.

        :param bodies: ticket id -> text
        :param author_id: its author (partner id), the current user's when not given
        """
        # sudo: each message goes on its own ticket, stating what the rules did
        messages = self.sudo()._message_log_batch(bodies, author_id=author_id)
        # a log is an internal note: these are public, in one statement for the batch
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET subtype_id = %s, is_internal = FALSE "
                "WHERE id IN %s",
                comment,
                tuple(messages.ids),
            )
        )
        messages.invalidate_recordset(["subtype_id", "is_internal"])
        return messages

    # ------------------------------------------------------------------
    # Notices due when the transaction commits
    # ------------------------------------------------------------------

    def _hotrush_notice_due(self, kind):
        """Tell the ``kind`` notice of these tickets when this transaction commits,
        with the others due in it (see ``_hotrush_tell_due``)."""
        if not self:
            return
        precommit = self.env.cr.precommit
        due = precommit.data.setdefault(PRECOMMIT_KEY, defaultdict(set))
        if not due:
            precommit.add(self.browse()._hotrush_tell_due)
        due[kind].update(self.ids)

    def _hotrush_tell_due(self):
        """Tell the notices this transaction left due, in the order events happen
        (an answer before the end of urgency), each to the tickets where it still
        holds: a ticket answered or ended in a savepoint that was rolled back, or
        requested again since, is not told."""
        due = self.env.cr.precommit.data.pop(PRECOMMIT_KEY, {})
        now = fields.Datetime.now()
        for kind in DEFERRED_NOTICES:
            # sudo: which of these tickets the rules told, whoever ended them
            tickets = self.sudo().browse(due.get(kind, ())).exists()
            tickets.filtered(
                lambda t, kind=kind: t._hotrush_notice_holds(kind)
            )._hotrush_tell_customer(kind, now)

    def _hotrush_notice_holds(self, kind):
        """Whether the event ``kind`` is still what happened to this request."""
        self.ensure_one()
        if kind in ("answered", "breached"):
            status = "met" if kind == "answered" else "breached"
            return bool(
                self.hotrush_first_response_at and self.hotrush_sla_status == status
            )
        ends = CUSTOMER_ENDS if kind == "ended" else ("remove", "auto_remove")
        return not self.hotrush and self.hotrush_end_action in ends

    # ------------------------------------------------------------------
    # Notices
    # ------------------------------------------------------------------

    def _hotrush_tell_customer(self, kind, now=None):
        """Tell the customers of these tickets the ``kind`` notice (see NOTICES),
        once per request: tickets already told are skipped, the others are marked
        told first, then told when their company wants that notice and their customer
        has an e-mail address.

        Called by the rules after their own access checks, whoever set the event off
        (a customer's withdrawal, an agent's answer, the scheduled action).

        :return: the messages posted
        """
        template_xmlid, setting, marker = NOTICES[kind]
        # sudo: the markers are system fields and the notice states what the rules
        # did, on these tickets only; it goes to each ticket's own customer
        todo = self.sudo().filtered(lambda t: not t[marker])
        if not todo:
            return self.env["mail.message"]
        todo._hotrush_mark(marker, now or fields.Datetime.now())
        # the row lock is taken now, before anything is sent: a concurrent sender of
        # the same notice waits for this transaction, then fails on the marker
        todo.hotrush_request_id.flush_recordset()
        to_tell = todo.filtered(
            lambda t: (
                (t.company_id or self.env.company)[setting]
                and t.partner_id.email_normalized
            )
        )
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not to_tell or not template:
            return self.env["mail.message"]
        # sudo: the company's template, rendered for each ticket's own customer
        # only (the notice's sole recipient)
        return to_tell._hotrush_post_customer_notices(template.sudo())

    def _hotrush_post_customer_notices(self, template):
        """Post ``template`` on each of these tickets, to its customer only.

        The template is rendered for the batch (once per language). Each message is
        public (the portal's conversation shows it), automated (never a first
        response) and notifies the customer only (``notify_skip_followers``: other
        followers get nothing, whatever their subscriptions). They are posted as
        ``message_post`` posts them (same values, hooks and notification), for the
        batch at once, as the SLA action posts its notes: reply-to, alias domain,
        company and thread parent computed for all the tickets together, the
        messages made in one insert, then each notified.

        :return: the messages
        """
        rendered = self._hotrush_render_notices(template, self.ids)
        return self._hotrush_post_rendered_notices(rendered, template)

    @api.model
    def _hotrush_render_notices(self, template, res_ids):
        """The subject, body and sender of ``template`` for each of ``res_ids``: its
        body compiled once for the batch (see ``ir_qweb.py``)."""
        template = template.with_context(**{COMPILE_ONCE: CompileOnce()})
        return template._generate_template(res_ids, NOTICE_FIELDS)

    def _hotrush_post_rendered_notices(self, rendered, template):
        """Post on each of these tickets its notice as rendered by ``template``
        (``rendered``: ticket id -> values), to its customer only (see
        ``_hotrush_post_customer_notices``).

        :return: the messages
        """
        tickets = self._fallback_lang()
        reply_to = tickets._notify_get_reply_to()
        domains = tickets._mail_get_alias_domains(default_company=self.env.company)
        companies = tickets._mail_get_companies(default=self.env.company)
        parents = tickets._hotrush_thread_parents()
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        values_list = []
        for ticket in tickets:
            values = rendered[ticket.id]
            # the company speaks: never the customer who set the event off (an
            # author is not notified of their own message), never an agent
            author = (ticket.company_id or self.env.company).partner_id
            values_list.append(
                {
                    "author_id": author.id,
                    "author_guest_id": False,
                    "email_from": values["email_from"] or author.email_formatted,
                    "model": self._name,
                    "res_id": ticket.id,
                    "body": escape(values["body_html"]),
                    "message_type": "auto_comment",
                    "parent_id": parents.get(ticket.id, False),
                    "subject": values["subject"] or False,
                    "subtype_id": comment,
                    "partner_ids": ticket.partner_id.ids,
                    "incoming_email_to": False,
                    "incoming_email_cc": False,
                    "outgoing_email_to": False,
                    "email_add_signature": True,
                    "email_layout_xmlid": template.email_layout_xmlid or False,
                    "record_alias_domain_id": domains[ticket.id].id,
                    "record_company_id": companies[ticket.id].id,
                    "reply_to": reply_to[ticket.id],
                    "attachment_ids": [],
                }
            )
        messages = tickets._message_create(values_list)
        for ticket, message, values in zip(tickets, messages, values_list, strict=True):
            ticket._message_post_after_hook(message, values)
            ticket._notify_thread(
                message, values, notify_skip_followers=True, notify_author_mention=True
            )
        return messages

    @api.model
    def _hotrush_notice_template_ids(self):
        """The ids of the notices' templates (those not deleted), in NOTICES order,
        then the moved deadline's."""
        xmlids = [
            template_xmlid for template_xmlid, _setting, _marker in NOTICES.values()
        ]
        ids = (
            self.env["ir.model.data"]._xmlid_to_res_id(
                template_xmlid, raise_if_not_found=False
            )
            for template_xmlid in (*xmlids, MOVED_TEMPLATE)
        )
        return [template_id for template_id in dict.fromkeys(ids) if template_id]

    # ------------------------------------------------------------------
    # What the templates say (called from them, in the customer's language)
    # ------------------------------------------------------------------

    def _hotrush_notice_tz(self):
        """The customer's time zone, else the support calendar's."""
        self.ensure_one()
        if self.partner_id.tz:
            return self.partner_id.tz
        calendar = self._get_hotrush_calendar()
        return (calendar and calendar._hotrush_zone()) or "UTC"

    # The words are the presenter's; the templates of installed databases (not
    # updated, noupdate) call these by name.

    def _hotrush_notice_time(self, value):
        """``value`` (UTC) as the customer reads it: their language and zone."""
        self.ensure_one()
        return Presenter.for_notice(self).notice_time(self, value)

    def _hotrush_notice_hours(self):
        """Support's working hours of the coming week in the customer's zone."""
        self.ensure_one()
        return Presenter.for_notice(self).notice_hours(self)

    def _hotrush_notice_price(self):
        """The HotRush price, in money when the team bills a support hour."""
        self.ensure_one()
        return Presenter.for_notice(self).notice_price(self)

    def _hotrush_notice_rate(self):
        """The HotRush rate multiplier as a number in the customer's language."""
        self.ensure_one()
        return Presenter.for_notice(self).notice_rate(self)
