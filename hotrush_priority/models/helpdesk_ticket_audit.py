# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The audit trail of a ticket's urgency: one event per start and end, who, why, with
which note, and the same in the chatter (HR-24); one event per moved deadline, and a
message its customer reads (HR-86)."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..const import SLA_CRON
from .hotrush_request_replan import pg_array


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    hotrush_event_ids = fields.One2many(
        "hotrush.event", "ticket_id", string="HotRush History", readonly=True
    )

    # ------------------------------------------------------------------
    # Hooks of the core
    # ------------------------------------------------------------------

    def _hotrush_start(self, created=False):
        res = super()._hotrush_start(created=created)
        # the request's note joins the chatter with the team's notice, from the SLA
        # scheduled action (see _hotrush_log_pending_notes): the request stays fast
        self._hotrush_log_event("start", "request", note_later=True)
        return res

    def _hotrush_end(self, action, reason=False, note=False):
        res = super()._hotrush_end(action, reason=reason, note=note)
        # a request ended before the action ran is said first
        self._hotrush_log_pending_notes()
        self._hotrush_log_event("end", action, reason=reason, note=note)
        return res

    def _hotrush_transfer(self, previous_teams):
        res = super()._hotrush_transfer(previous_teams)
        # a request not said yet is said first
        self._hotrush_log_pending_notes()
        for ticket in self:
            ticket._hotrush_log_event(
                "transfer",
                "transfer",
                vals={"previous_team_id": previous_teams[ticket.id].id},
            )
        return res

    def _hotrush_deadline_moved(self, before, why):
        res = super()._hotrush_deadline_moved(before, why)
        self._hotrush_log_moves(before, why)
        return res

    def _hotrush_system_fields(self):
        return super()._hotrush_system_fields() | {"hotrush_event_ids"}

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------

    def _hotrush_log_event(self, kind, action, reason=False, note=False, **options):
        """Record an audit event per ticket and say it in the chatter, as an internal
        note; with ``note_later=True``, the note waits for the SLA scheduled action
        (``_hotrush_log_pending_notes``); ``vals``: more values of the events."""
        if not self:
            return self.env["hotrush.event"]
        later = options.get("note_later") and self._hotrush_notes_later()
        vals_list = [
            dict(
                ticket._hotrush_prepare_event_vals(kind, action, reason, note),
                note_pending=bool(later),
                **options.get("vals", {}),
            )
            for ticket in self
        ]
        # sudo: nobody may create audit records directly; the rules record them for
        # the user who acted, on these tickets only.
        events = self.env["hotrush.event"].sudo().create(vals_list)
        if not later:
            self._hotrush_log_notes(events)
        return events

    def _hotrush_notes_later(self):
        """Whether the SLA scheduled action is there to log the notes of requests."""
        return bool(self._hotrush_active_sla_cron())

    def _hotrush_log_notes(self, events):
        """Say ``events`` (one per ticket of these tickets) in the chatter."""
        # An internal note that notifies nobody: logged (one batch insert, no
        # recipients to compute). sudo: customers may not post internal notes; the
        # note only states the event.
        self.sudo()._message_log_batch(
            {event.ticket_id.id: event._chatter_message() for event in events}
        )

    def _hotrush_pending_events(self, flag):
        """These tickets' events whose ``flag`` (a boolean field) is set, oldest
        first."""
        # sudo: the rules read each ticket's own events, to say them
        return (
            self.env["hotrush.event"]
            .sudo()
            .search([("ticket_id", "in", self.ids), (flag, "=", True)], order="id")
        )

    def _hotrush_log_pending_notes(self):
        """Log the notes of these tickets' events still to be said, oldest first
        (a ticket has one at most: its last request)."""
        events = self._hotrush_pending_events("note_pending")
        if not events:
            return events
        for notes in events._rounds():
            self.browse(notes.ticket_id.ids)._hotrush_log_notes(notes)
        events.write({"note_pending": False})
        return events

    def _hotrush_prepare_event_vals(self, kind, action, reason, note):
        self.ensure_one()
        return {
            "ticket_id": self.id,
            "request_id": self.hotrush_request_id.id,
            "team_id": self.team_id.id,
            "kind": kind,
            "action": action,
            "reason": reason,
            "note": note,
            "user_id": self.env.user.id,
            "deadline": self.hotrush_deadline,
            "sla_status": self.hotrush_sla_status,
        }

    def _hotrush_log_moves(self, before, why):
        """One 'move' event per ticket, recorded now; its customer's message waits
        for the SLA scheduled action, woken at once (see ``_hotrush_tell_moves``).

        A change of working hours may move thousands of deadlines in one save: the
        events are written in one statement, with the values the ORM would give
        them (the ticket's company, customer, team, deadline and status), and the
        messages are posted in committed batches rather than in the user's request.

        :param before: ticket id -> ``(queued_until, deadline)`` before the move
        :param why: what changed, in words
        :return: the events
        """
        Event = self.env["hotrush.event"]
        if not self:
            return Event
        self.flush_recordset(
            [
                "team_id",
                "company_id",
                "commercial_partner_id",
                "hotrush_request_id",
            ]
        )
        self.env["hotrush.request"].flush_model(["deadline", "status"])
        rows = self.env.execute_query(
            SQL(
                """INSERT INTO hotrush_event (ticket_id, request_id, company_id,
                       partner_id, team_id, kind, action, note, user_id, date,
                       deadline, previous_deadline, sla_status, notice_pending)
                   SELECT t.id, r.id, t.company_id, t.commercial_partner_id,
                          t.team_id, 'move', 'replan', %(why)s, %(uid)s, %(date)s,
                          r.deadline, moved.previous, r.status, TRUE
                     FROM unnest(%(ids)s::int[], %(previous)s::timestamp[])
                          AS moved(ticket_id, previous)
                     JOIN helpdesk_ticket t ON t.id = moved.ticket_id
                     JOIN hotrush_request r ON r.id = t.hotrush_request_id
                RETURNING id""",
                why=why or None,
                uid=self.env.uid,
                date=fields.Datetime.now(),
                ids=pg_array(self.ids),
                previous=pg_array(before[ticket_id][1] for ticket_id in self.ids),
            )
        )
        self.invalidate_recordset(["hotrush_event_ids"])
        self.hotrush_request_id.invalidate_recordset(["event_ids"])
        events = Event.browse(row[0] for row in rows)
        cron = self._hotrush_active_sla_cron()
        if cron:
            cron._hotrush_wake_now()
        else:
            # no scheduled action to post them: told now
            self._hotrush_tell_moves(fields.Datetime.now())
        return events

    @api.model
    def _hotrush_active_sla_cron(self):
        """The SLA scheduled action if it is active, else an empty recordset: it
        posts the pending notes and notices and runs the SLA steps (opening, warning,
        breach); without it they are done at once."""
        # sudo: whoever requests HotRush or moves deadlines wakes the action; nothing
        # else of it is read or changed
        cron = (
            self.env["ir.cron"]
            .sudo()
            .browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    SLA_CRON, raise_if_not_found=False
                )
            )
        )
        return cron if cron and cron.active else cron.browse()

    def _hotrush_tell_moves(self, now):
        """Tell the customers each moved deadline not told yet, in the order the
        deadlines moved, one per ticket and round (a ticket moved twice is told in
        two rounds); the events are marked told."""
        events = self._hotrush_pending_events("notice_pending")
        authors = defaultdict(list)  # author -> event ids
        for event in events:
            authors[event.user_id.partner_id.id].append(event.id)
        for author, ids in authors.items():
            for moves in events.browse(ids)._rounds():
                self.browse(moves.ticket_id.ids)._hotrush_post_moves(moves, author)
        events.write({"notice_pending": False})
        return events

    def _hotrush_post_moves(self, events, author_id):
        """Tell ``events``, moves of these tickets (one each), as a public message
        each, written by ``author_id`` (the partner of who moved them)."""
        texts = events._move_messages()
        return self._hotrush_log_public(
            {event.ticket_id.id: texts[event.id] for event in events},
            author_id=author_id,
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
