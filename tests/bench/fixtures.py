"""Data of the benchmarks: calendars, teams, customers, and tickets made in bulk.

Small data goes through the ORM, like a user would create it. Large ticket sets (tens of
thousands) are made by ``clone_tickets``: one prototype ticket is created through the ORM
(so every column, stored computed field, chatter message, follower, activity and HotRush
event is what the addon really writes), then copied in SQL, one INSERT ... SELECT per
10,000 tickets, with the columns that differ per ticket (number, dates, team, deadlines
computed by the addon's planner) given as arrays. Its messages, followers, activities and
HotRush events are copied the same way for each new ticket (message and activity texts
stay the prototype's); message children (tracking values, notifications) are not. A
HotRush ticket's state lives in its current request (``hotrush_request``, linked by
``helpdesk_ticket.hotrush_request_id``): the prototype's request is copied once per new
ticket, and the ticket's field names of the request's columns (``REQUEST_COLUMNS``) may
be given as if they were the ticket's.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from odoo import Command

from odoo.addons.hotrush_priority.tests.common import (
    make_calendar as addon_make_calendar,
)

UTC = ZoneInfo("UTC")
YEAR_START = datetime(2026, 1, 1)

# The specification's support calendar: Mon-Fri 09:00-24:00, Sat-Sun 10:00-18:00
SPEC_HOURS = [(day, 9.0, 24.0) for day in range(5)] + [
    (day, 10.0, 18.0) for day in (5, 6)
]
ROUND_THE_CLOCK = [(day, 0.0, 24.0) for day in range(7)]

# Three support calendars of the deadline benchmark (P3). Their attendances never cover
# 02:00-03:00 local time, where DST changes happen, so Odoo's own planning and the
# addon's agree on DST days too; the 24:00 ends of the first one are where Odoo's
# plan_hours leaves its sub-second artefacts. Holidays are global leaves (local days).
P3_CALENDARS = [
    {
        "name": "Support Moscow",
        "tz": "Europe/Moscow",
        "hours": SPEC_HOURS,
        "holidays": [
            (date(2026, 1, 1), date(2026, 1, 8)),
            (date(2026, 2, 23), date(2026, 2, 23)),
            (date(2026, 3, 9), date(2026, 3, 9)),
            (date(2026, 5, 1), date(2026, 5, 1)),
            (date(2026, 5, 11), date(2026, 5, 11)),
            (date(2026, 6, 12), date(2026, 6, 12)),
            (date(2026, 11, 4), date(2026, 11, 4)),
            (date(2026, 12, 31), date(2026, 12, 31)),
        ],
        "response_hours": 1,
    },
    {
        "name": "Support New York",
        "tz": "America/New_York",
        "hours": [(day, 8.0, 12.0) for day in range(5)]
        + [(day, 13.0, 17.0) for day in range(5)],
        "holidays": [
            (date(2026, 1, 1), date(2026, 1, 1)),
            (date(2026, 5, 25), date(2026, 5, 25)),
            (date(2026, 7, 3), date(2026, 7, 3)),
            (date(2026, 9, 7), date(2026, 9, 7)),
            (date(2026, 11, 26), date(2026, 11, 27)),
            (date(2026, 12, 24), date(2026, 12, 25)),
        ],
        "response_hours": 2,
    },
    {
        "name": "Support Berlin",
        "tz": "Europe/Berlin",
        "hours": [(day, 7.0, 20.0) for day in range(5)] + [(5, 9.0, 13.0)],
        "holidays": [
            (date(2026, 1, 1), date(2026, 1, 1)),
            (date(2026, 4, 3), date(2026, 4, 6)),
            (date(2026, 5, 1), date(2026, 5, 1)),
            (date(2026, 10, 3), date(2026, 10, 3)),
            (date(2026, 12, 24), date(2026, 12, 26)),
        ],
        "response_hours": 4,
    },
]


def has_hotrush(env):
    return "hotrush" in env["helpdesk.ticket"]._fields


def make_calendar(env, name, tz, hours, holidays=()):
    """A calendar with one attendance per (weekday, from, to) and global leaves."""
    calendar = addon_make_calendar(env, name, tz, hours)
    zone = ZoneInfo(tz)

    def utc(day):
        local = datetime.combine(day, time.min, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    env["resource.calendar.leaves"].create(
        [
            {
                "name": f"{name} holiday {first}",
                "calendar_id": calendar.id,
                "date_from": utc(first),
                "date_to": utc(last + timedelta(days=1)),
            }
            for first, last in holidays
        ]
    )
    return calendar


def give_balance(env, partner, amount):
    """A manager's adjustment: support credit for ``partner`` (HR-30)."""
    balance = env["hotrush.support.balance"]._get_for(partner, env.company)
    env["hotrush.support.balance.line"].create(
        {
            "balance_id": balance.id,
            "kind": "adjustment",
            "amount": amount,
            "expiry_date": "2099-12-31",
            "note": "Benchmark credit",
        }
    )
    return balance


def setup_common(env):
    """Users, the specification's calendar, a support team, a category, a customer.

    Works with and without hotrush_priority (the P1 baseline database has only
    helpdesk_mgmt); the HotRush settings are made only where the addon is installed.
    """
    hotrush = has_hotrush(env)
    Users = env["res.users"].with_context(no_reset_password=True)
    manager = env.ref("helpdesk_mgmt.group_helpdesk_manager")
    user = env.ref("helpdesk_mgmt.group_helpdesk_user")
    leader = Users.create(
        {
            "name": "Lee Leader",
            "login": "bench_leader",
            "email": "lee.leader@bench.example.com",
            "tz": "Europe/Moscow",
            "group_ids": [Command.set([manager.id])],
        }
    )
    agent = Users.create(
        {
            "name": "Alex Agent",
            "login": "bench_agent",
            "email": "alex.agent@bench.example.com",
            "tz": "Europe/Moscow",
            "group_ids": [Command.set([user.id])],
        }
    )
    team_vals = {
        "name": "Technical Support",
        "user_id": leader.id,
        "user_ids": [Command.set([agent.id, leader.id])],
    }
    calendar = None
    if hotrush:
        calendar = make_calendar(env, "Support hours", "Europe/Moscow", SPEC_HOURS)
        env.company.write(
            {
                "hotrush_calendar_id": calendar.id,
                "hotrush_response_hours": 1.0,
                "hotrush_grace_minutes": 0,
            }
        )
        team_vals["hotrush_offered"] = True
    team = env["helpdesk.ticket.team"].create(team_vals)
    category = env["helpdesk.ticket.category"].create({"name": "Store errors"})
    company = env["res.partner"].create({"name": "Rushmore Retail", "is_company": True})
    contact = env["res.partner"].create(
        {
            "name": "Rita Rushmore",
            "parent_id": company.id,
            "email": "rita@rushmore.example.com",
        }
    )
    if hotrush:
        give_balance(env, company, 1_000_000.0)
    return {
        "leader": leader.id,
        "agent": agent.id,
        "calendar": calendar and calendar.id,
        "team": team.id,
        "category": category.id,
        "customer": company.id,
        "contact": contact.id,
    }


def ticket_vals(ids, name, hotrush=False, **extra):
    vals = {
        "name": name,
        "description": "<p>The checkout page answers with an error 500.</p>",
        "team_id": ids["team"],
        "category_id": ids["category"],
        "partner_id": ids["contact"],
        "user_id": False,
        **extra,
    }
    if hotrush:
        vals["hotrush"] = True
    return vals


def add_team(env, ids, name, calendar, response_hours):
    """A HotRush team with its own calendar and response target."""
    return env["helpdesk.ticket.team"].create(
        {
            "name": name,
            "user_id": ids["leader"],
            "user_ids": [Command.set([ids["agent"], ids["leader"]])],
            "hotrush_offered": True,
            "hotrush_calendar_id": calendar.id,
            "hotrush_response_hours": response_hours,
        }
    )


def p3_requests(count, seed=20261126):
    """``count`` (calendar index, start) over the year 2026, whole seconds, seeded."""
    rng = random.Random(seed)
    seconds = 365 * 86400
    return [
        (i % len(P3_CALENDARS), YEAR_START + timedelta(seconds=rng.randrange(seconds)))
        for i in range(count)
    ]


# The re-planning benchmark (P6): "now" is a Tuesday evening, after the working hours of
# the three P3 calendars (Moscow and New York close at 21:00 UTC, Berlin at 19:00), the
# requests of the two hours before are running (Moscow, New York) or queued until
# Wednesday's opening, and nearly all their deadlines fall on Wednesday.
P6_NOW = datetime(2026, 3, 17, 22, 0)
P6_WINDOW = timedelta(hours=2)


def p6_requests(count, now=P6_NOW, window=P6_WINDOW, seed=20260317):
    """``count`` (calendar index, start) in the ``window`` before ``now``, whole seconds,
    seeded."""
    rng = random.Random(seed)
    seconds = int(window.total_seconds())
    return [
        (i % len(P3_CALENDARS), now - timedelta(seconds=rng.randrange(1, seconds)))
        for i in range(count)
    ]


# ----------------------------------------------------------------------------- bulk

# The ticket's HotRush fields that are columns of its current request (non-stored
# related fields of the ticket, but for hotrush_sla_status, a stored related whose
# column the ORM keeps equal to the request's status): ticket field -> request column
REQUEST_COLUMNS = {
    "hotrush_requested_at": "requested_at",
    "hotrush_requested_by_id": "requested_by_id",
    "hotrush_plan_team_id": "team_id",
    "hotrush_queued_until": "opening_at",
    "hotrush_deadline": "deadline",
    "hotrush_queue_deadline": "queue_deadline",
    "hotrush_first_response_at": "first_response_at",
    "hotrush_first_response_user_id": "first_response_user_id",
    "hotrush_response_working_minutes": "response_working_minutes",
    "hotrush_sla_status": "status",
    "hotrush_priority_before": "priority_before",
    "hotrush_end_action": "end_action",
    "hotrush_ended_at": "ended_at",
    "hotrush_end_reason": "end_reason",
    "hotrush_end_note": "end_note",
    "hotrush_team_notified_at": "team_notified_at",
    "hotrush_warned_at": "warned_at",
    "hotrush_escalated_at": "escalated_at",
    "hotrush_opening_notified_at": "opening_notified_at",
    "hotrush_told_request_at": "told_request_at",
    "hotrush_told_opening_at": "told_opening_at",
    "hotrush_told_answer_at": "told_answer_at",
    "hotrush_told_breach_at": "told_breach_at",
    "hotrush_told_end_at": "told_end_at",
    "hotrush_chat_tool_id": "chat_tool_id",
    "hotrush_chat_contact": "chat_contact",
    "hotrush_chat_at": "chat_at",
    "hotrush_chat_held_at": "chat_held_at",
}


def _columns(cr, table):
    cr.execute(
        """SELECT column_name, udt_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = %s
           ORDER BY ordinal_position""",
        [table],
    )
    return cr.fetchall()


def _next_ids(cr, table, count):
    cr.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, count],
    )
    return [row[0] for row in cr.fetchall()]


def clone_row(cr, table, proto_id, values):
    """Insert one copy of row ``proto_id`` of ``table`` per item of the value lists.

    :param values: {column: [value per copy]}; other columns are the prototype's
    :return: the new ids, in the order of the values
    """
    count = len(next(iter(values.values())))
    ids = _next_ids(cr, table, count)
    values = {"id": ids, **values}
    types = dict(_columns(cr, table))
    names = list(types)
    given = list(values)
    select = ", ".join(f'v."{c}"' if c in values else f't."{c}"' for c in names)
    arrays = ", ".join(f"%s::{types[c]}[]" for c in given)
    cr.execute(
        f"""INSERT INTO "{table}" ({", ".join(f'"{c}"' for c in names)})
            SELECT {select}
              FROM "{table}" t,
                   unnest({arrays}) AS v({", ".join(f'"{c}"' for c in given)})
             WHERE t.id = %s""",
        [values[c] for c in given] + [proto_id],
    )
    return ids


def clone_children(cr, table, link, new_parent_ids, extra=None):
    """Copy every row of ``table`` whose ``link`` is the prototype, for each new parent.

    :param link: {column: prototype value} selecting the rows; the first column is the
        one pointing at the parent
    :return: {prototype child id: [new child ids, in the order of new_parent_ids]}
    """
    column = next(iter(link))
    where = " AND ".join(f'"{c}" = %s' for c in link)
    cr.execute(
        f'SELECT id FROM "{table}" WHERE {where} ORDER BY id', list(link.values())
    )
    copies = {}
    for (child_id,) in cr.fetchall():
        values = {column: list(new_parent_ids)}
        for name, make in (extra or {}).items():
            values[name] = [make(child_id, i) for i in range(len(new_parent_ids))]
        copies[child_id] = clone_row(cr, table, child_id, values)
    return copies


def request_ids(cr, ticket_ids):
    """The current request (``hotrush_request_id``) of each ticket, in their order."""
    cr.execute(
        """SELECT t.hotrush_request_id
             FROM unnest(%s::int4[]) WITH ORDINALITY AS v(id, n)
             JOIN helpdesk_ticket t ON t.id = v.id
            ORDER BY v.n""",
        [list(ticket_ids)],
    )
    return [row[0] for row in cr.fetchall()]


def clone_tickets(
    env, proto, values, event_values=None, request_values=None, chunk=10000
):
    """Copies of ticket ``proto`` (HotRush or not), with its chatter and records.

    A prototype with a HotRush request (``hotrush_request_id``) has it copied once per
    new ticket, the copy being the new ticket's current request; its HotRush events
    are copied with it, linked to the new request.

    :param values: {column: [value per copy]} of helpdesk_ticket; the ticket's field
        names of its request's columns (``REQUEST_COLUMNS``) are written on the copied
        request (``hotrush_sla_status`` on both, as the ORM keeps it)
    :param event_values: {column: [value per copy]} of the copies' HotRush events
    :param request_values: {column: [value per copy]} of the copies' requests, for
        the request's own columns (``calendar_id``, ``response_hours``, ...)
    :return: the new ticket ids
    """
    env.flush_all()
    cr = env.cr
    count = len(next(iter(values.values())))
    table_columns = dict(_columns(cr, "helpdesk_ticket"))
    has_event = bool(_columns(cr, "hotrush_event"))
    event_columns = dict(_columns(cr, "hotrush_event")) if has_event else {}
    # the database of OCA helpdesk_mgmt_sla has no HotRush table at all
    proto_request = None
    if _columns(cr, "hotrush_request") and "hotrush_request_id" in table_columns:
        cr.execute(
            "SELECT hotrush_request_id FROM helpdesk_ticket WHERE id = %s", [proto.id]
        )
        proto_request = cr.fetchone()[0]
    ticket_values = {c: v for c, v in values.items() if c not in REQUEST_COLUMNS}
    request_part_values = {
        REQUEST_COLUMNS[c]: v for c, v in values.items() if c in REQUEST_COLUMNS
    }
    request_part_values.update(request_values or {})
    if request_part_values and not proto_request:
        raise ValueError(
            f"request columns {sorted(request_part_values)} given for copies of "
            f"ticket {proto.id}, which has no HotRush request"
        )
    event_requests = {}
    if has_event and proto_request and "request_id" in event_columns:
        cr.execute(
            "SELECT id, request_id FROM hotrush_event WHERE ticket_id = %s", [proto.id]
        )
        event_requests = dict(cr.fetchall())
    new_ids = []
    for start in range(0, count, chunk):
        part = {c: v[start : start + chunk] for c, v in ticket_values.items()}
        size = len(next(iter(values.values()))[start : start + chunk])
        if "access_token" in table_columns:
            part.setdefault("access_token", [None] * size)
        ids = clone_row(cr, "helpdesk_ticket", proto.id, part)
        model = {"res_model": "helpdesk.ticket"}
        new_requests = None
        if proto_request:
            new_requests = clone_row(
                cr,
                "hotrush_request",
                proto_request,
                {
                    "ticket_id": ids,
                    **{
                        c: v[start : start + chunk]
                        for c, v in request_part_values.items()
                    },
                },
            )
            statuses = request_part_values.get("status")
            if statuses is not None:
                cr.execute(
                    """UPDATE helpdesk_ticket t
                          SET hotrush_request_id = v.request_id,
                              hotrush_sla_status = v.status
                         FROM unnest(%s::int4[], %s::int4[], %s::varchar[])
                              AS v(id, request_id, status)
                        WHERE t.id = v.id""",
                    [ids, new_requests, statuses[start : start + chunk]],
                )
            else:
                cr.execute(
                    """UPDATE helpdesk_ticket t SET hotrush_request_id = v.request_id
                         FROM unnest(%s::int4[], %s::int4[]) AS v(id, request_id)
                        WHERE t.id = v.id""",
                    [ids, new_requests],
                )

        def message_id(child, i, ids=ids):
            return f"<bench-{child}-{ids[i]}@hotrush.example.com>"

        clone_children(
            cr,
            "mail_message",
            {"res_id": proto.id, "model": "helpdesk.ticket"},
            ids,
            {"message_id": message_id},
        )
        followers = clone_children(
            cr, "mail_followers", {"res_id": proto.id, **model}, ids
        )
        for proto_follower, new_followers in followers.items():
            cr.execute(
                """INSERT INTO mail_followers_mail_message_subtype_rel
                          (mail_followers_id, mail_message_subtype_id)
                   SELECT f, r.mail_message_subtype_id
                     FROM mail_followers_mail_message_subtype_rel r,
                          unnest(%s::int4[]) AS f
                    WHERE r.mail_followers_id = %s""",
                [new_followers, proto_follower],
            )
        clone_children(cr, "mail_activity", {"res_id": proto.id, **model}, ids)
        if has_event:
            extra = {
                column: lambda _child, i, v=column_values[start : start + chunk]: v[i]
                for column, column_values in (event_values or {}).items()
            }
            if event_requests:
                # the copy's events belong to its (only) request
                def event_request(child, i, new_requests=new_requests):
                    return new_requests[i] if event_requests.get(child) else None

                extra.setdefault("request_id", event_request)
            clone_children(cr, "hotrush_event", {"ticket_id": proto.id}, ids, extra)
        new_ids += ids
    env.invalidate_all()
    return new_ids
