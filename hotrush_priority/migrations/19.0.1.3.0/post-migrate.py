# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.3.0: each ticket's HotRush columns become its request.

A ticket requested HotRush (running, queued, met, breached or ended) gets one
``hotrush.request`` row with the values its columns held: the promise (planned team,
opening, deadline), the queue's sort key and the verdict are copied, never planned
again. Its events and charges are linked to that request. The columns a database of
an older version never had are left empty. On a second try of an interrupted upgrade
only the tickets without a request are done. The former columns are dropped
afterwards: the request is the one place the state is kept (the ticket's fields of
the same names read it).
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

# request column -> the ticket's former column
COLUMNS = {
    "requested_at": "hotrush_requested_at",
    "requested_by_id": "hotrush_requested_by_id",
    "opening_at": "hotrush_queued_until",
    "deadline": "hotrush_deadline",
    "status": "hotrush_sla_status",
    "first_response_at": "hotrush_first_response_at",
    "first_response_user_id": "hotrush_first_response_user_id",
    "response_working_minutes": "hotrush_response_working_minutes",
    "priority_before": "hotrush_priority_before",
    "end_action": "hotrush_end_action",
    "ended_at": "hotrush_ended_at",
    "end_reason": "hotrush_end_reason",
    "end_note": "hotrush_end_note",
    "team_notified_at": "hotrush_team_notified_at",
    "warned_at": "hotrush_warned_at",
    "escalated_at": "hotrush_escalated_at",
    "opening_notified_at": "hotrush_opening_notified_at",
    "told_request_at": "hotrush_told_request_at",
    "told_opening_at": "hotrush_told_opening_at",
    "told_answer_at": "hotrush_told_answer_at",
    "told_breach_at": "hotrush_told_breach_at",
    "told_end_at": "hotrush_told_end_at",
    "chat_tool_id": "hotrush_chat_tool_id",
    "chat_contact": "hotrush_chat_contact",
    "chat_at": "hotrush_chat_at",
    "chat_held_at": "hotrush_chat_held_at",
}


def migrate(cr, version):
    if not version or not column_exists(cr, "helpdesk_ticket", "hotrush_requested_at"):
        return
    present = {
        column: old
        for column, old in COLUMNS.items()
        if column_exists(cr, "helpdesk_ticket", old)
    }
    team = (
        "COALESCE(t.hotrush_plan_team_id, t.team_id)"
        if column_exists(cr, "helpdesk_ticket", "hotrush_plan_team_id")
        else "t.team_id"
    )
    cr.execute(
        SQL(
            """
            INSERT INTO hotrush_request (ticket_id, active, company_id, partner_id, team_id,
                   calendar_id, response_hours, queue_deadline, %(columns)s,
                   create_uid, create_date, write_uid, write_date)
            SELECT t.id, t.active, t.company_id, t.commercial_partner_id, %(team)s,
                   COALESCE(tm.hotrush_calendar_id, c.hotrush_calendar_id,
                            c.resource_calendar_id),
                   COALESCE(NULLIF(tm.hotrush_response_hours, 0),
                            c.hotrush_response_hours),
                   CASE WHEN t.hotrush AND t.hotrush_first_response_at IS NULL
                        THEN t.hotrush_deadline END,
                   %(values)s,
                   1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
              FROM helpdesk_ticket t
              JOIN res_company c ON c.id = t.company_id
              LEFT JOIN helpdesk_ticket_team tm ON tm.id = %(team)s
             WHERE t.hotrush_requested_at IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM hotrush_request r
                                WHERE r.ticket_id = t.id)
            """,
            columns=SQL(", ").join(SQL.identifier(column) for column in present),
            values=SQL(", ").join(SQL.identifier("t", old) for old in present.values()),
            team=SQL(team),
        )
    )
    cr.execute(
        """
        UPDATE helpdesk_ticket t
           SET hotrush_request_id = r.id, hotrush_sla_status = r.status
          FROM hotrush_request r
         WHERE r.ticket_id = t.id
           AND t.hotrush_request_id IS NULL
        """
    )
    for table in ("hotrush_event", "hotrush_charge"):
        cr.execute(
            SQL(
                """
                UPDATE %(table)s x
                   SET request_id = t.hotrush_request_id
                  FROM helpdesk_ticket t
                 WHERE t.id = x.ticket_id
                   AND x.request_id IS NULL
                   AND t.hotrush_request_id IS NOT NULL
                """,
                table=SQL.identifier(table),
            )
        )
    # the SLA scheduled action runs over requests
    cr.execute(
        """
        UPDATE ir_act_server s
           SET model_id = m.id
          FROM ir_cron c, ir_model_data d, ir_model m
         WHERE d.module = 'hotrush_priority' AND d.name = 'ir_cron_hotrush_sla'
           AND d.model = 'ir.cron' AND c.id = d.res_id
           AND s.id = c.ir_actions_server_id AND m.model = 'hotrush.request'
        """
    )
    # the former columns: the request holds their values now (the SLA status stays
    # on the ticket, as a stored copy of its request's, for the lists' grouping; the
    # queue's sort key is the request's too)
    for old in (*COLUMNS.values(), "hotrush_plan_team_id", "hotrush_queue_deadline"):
        if old != "hotrush_sla_status" and column_exists(cr, "helpdesk_ticket", old):
            cr.execute(
                SQL(
                    "ALTER TABLE helpdesk_ticket DROP COLUMN %s",
                    SQL.identifier(old),
                )
            )
