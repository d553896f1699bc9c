# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The audit trail of a request: each transition records its event, who, why, with
which note, and says it in its ticket's chatter (HR-24): the start, the transfer to
another team, the end; one event per moved deadline, whose customer is told (HR-86).
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .hotrush_request import pg_array


class HotrushRequest(models.Model):
    _inherit = "hotrush.request"

    # ------------------------------------------------------------------
    # Transitions that leave an event
    # ------------------------------------------------------------------

    def _started(self):
        res = super()._started()
        # the request's note joins the chatter with the team's notice, from the SLA
        # scheduled action (see _log_pending_notes): the request stays fast
        self._log_event("start", "request", note_later=True)
        return res

    def _end(self, action, reason, note, now):
        res = super()._end(action, reason, note, now)
        # a request ended before the action ran is said first
        self._log_pending_notes()
        self._log_event("end", action, reason=reason, note=note)
        return res

    def _transfer(self, previous_teams):
        res = super()._transfer(previous_teams)
        # a request not said yet is said first
        self._log_pending_notes()
        for request in self:
            request._log_event(
                "transfer",
                "transfer",
                vals={"previous_team_id": previous_teams[request.ticket_id.id].id},
            )
        return res

    def _deadline_moved(self, before, why):
        res = super()._deadline_moved(before, why)
        self._log_moves(before, why)
        return res

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------

    def _log_event(self, kind, action, reason=False, note=False, **options):
        """Record an audit event per request and say it in its ticket's chatter, as
        an internal note; with ``note_later=True``, the note waits for the SLA
        scheduled action (``_log_pending_notes``); ``vals``: more values of the
        events."""
        if not self:
            return self.env["hotrush.event"]
        later = options.get("note_later") and bool(self._active_sla_cron())
        vals_list = [
            dict(
                request._prepare_event_vals(kind, action, reason, note),
                note_pending=bool(later),
                **options.get("vals", {}),
            )
            for request in self
        ]
        # sudo: nobody may create audit records directly; the rules record them for
        # the user who acted, on these requests only.
        events = self.env["hotrush.event"].sudo().create(vals_list)
        if not later:
            self._log_notes(events)
        return events

    def _prepare_event_vals(self, kind, action, reason, note):
        self.ensure_one()
        return {
            "ticket_id": self.ticket_id.id,
            "request_id": self.id,
            "team_id": self.ticket_id.team_id.id,
            "kind": kind,
            "action": action,
            "reason": reason,
            "note": note,
            "user_id": self.env.user.id,
            "deadline": self.deadline,
            "sla_status": self.status,
        }

    def _log_notes(self, events):
        """Say ``events`` (one per ticket) in their tickets' chatter."""
        # An internal note that notifies nobody: logged (one batch insert, no
        # recipients to compute). sudo: customers may not post internal notes; the
        # note only states the event.
        events.ticket_id.sudo()._message_log_batch(
            {event.ticket_id.id: event._chatter_message() for event in events}
        )

    def _pending_events(self, flag):
        """These requests' events whose ``flag`` (a boolean field) is set, oldest
        first."""
        # sudo: the rules read each request's own events, to say them
        return (
            self.env["hotrush.event"]
            .sudo()
            .search([("request_id", "in", self.ids), (flag, "=", True)], order="id")
        )

    def _log_pending_notes(self):
        """Log the notes of these requests' events still to be said, oldest first
        (a request has one at most: its start)."""
        events = self._pending_events("note_pending")
        if not events:
            return events
        for notes in events._rounds():
            self._log_notes(notes)
        events.write({"note_pending": False})
        return events

    def _log_moves(self, before, why):
        """One 'move' event per request, recorded now; its customer's message waits
        for the SLA scheduled action, woken at once (see ``_hotrush_tell_moves``).

        A change of working hours may move thousands of deadlines in one save: the
        events are written in one statement, with the values the ORM would give
        them (the ticket's company, customer, team, the deadline and status), and
        the messages are posted in committed batches rather than in the user's
        request.

        :param before: ticket id -> ``(queued_until, deadline)`` before the move,
            for the tickets whose current requests these are
        :param why: what changed, in words
        :return: the events
        """
        Event = self.env["hotrush.event"]
        if not self:
            return Event
        self.env["helpdesk.ticket"].flush_model(
            ["team_id", "company_id", "commercial_partner_id", "hotrush_request_id"]
        )
        self.flush_recordset(["ticket_id", "deadline", "status"])
        # the moved tickets in the order of ``before``: their ids and previous
        # deadlines pass as two arrays, their current requests are these
        ticket_ids = list(before)
        rows = self.env.execute_query(
            SQL(
                """INSERT INTO hotrush_event (ticket_id, request_id, company_id,
                       partner_id, team_id, kind, action, note, user_id, date,
                       deadline, previous_deadline, sla_status, notice_pending)
                   SELECT t.id, r.id, t.company_id, t.commercial_partner_id,
                          t.team_id, 'move', 'replan', %(why)s, %(uid)s, %(date)s,
                          r.deadline, moved.previous, r.status, TRUE
                     FROM unnest(%(tickets)s::int[], %(previous)s::timestamp[])
                          AS moved(ticket_id, previous)
                     JOIN helpdesk_ticket t ON t.id = moved.ticket_id
                     JOIN hotrush_request r ON r.id = t.hotrush_request_id
                RETURNING id""",
                why=why or None,
                uid=self.env.uid,
                date=fields.Datetime.now(),
                tickets=pg_array(ticket_ids),
                previous=pg_array(before[ticket_id][1] for ticket_id in ticket_ids),
            )
        )
        self.invalidate_recordset(["event_ids"])
        self.env["helpdesk.ticket"].browse(ticket_ids).invalidate_recordset(
            ["hotrush_event_ids"]
        )
        events = Event.browse(row[0] for row in rows)
        cron = self._active_sla_cron()
        if cron:
            cron._hotrush_wake_now()
        else:
            # no scheduled action to post them: told now
            self._hotrush_tell_moves(fields.Datetime.now())
        return events

    def _hotrush_tell_moves(self, now):
        """The SLA action's step: tell the customers each moved deadline of these
        requests not told yet, in the order the deadlines moved, one per ticket and
        round (a request moved twice is told in two rounds); the events are marked
        told."""
        events = self._pending_events("notice_pending")
        authors = defaultdict(list)  # author -> event ids
        for event in events:
            authors[event.user_id.partner_id.id].append(event.id)
        for author, ids in authors.items():
            for moves in events.browse(ids)._rounds():
                moves.ticket_id._hotrush_post_moves(moves, author)
        events.write({"notice_pending": False})
        return events

    @api.model
    def _hotrush_request_steps(self):
        return super()._hotrush_request_steps() | {"_hotrush_tell_moves"}
