"""P6 of the performance issue: re-planning the open HotRush deadlines after a public
holiday is added, against one ``plan_hours`` per ticket (see ``cases`` for the
conventions)."""

import contextlib
from collections import Counter
from datetime import datetime, time, timedelta
from unittest import mock

from freezegun.api import freeze_time

from odoo.addons.hotrush_priority.const import CRON_BATCH_SIZE, SLA_CRON

from .cases import _compare, _hr_calendars, _plan, _plan_hours, _prototype
from .fixtures import P3_CALENDARS, P6_NOW, clone_tickets, p6_requests
from .harness import Meter, analyze, environment, summary

# ----------------------------------------------------------------------------- P6


@contextlib.contextmanager
def _frozen(now):
    """Odoo's clock stopped at ``now`` (``fields.Datetime.now`` and the defaults using
    it); the meters keep the real one."""
    with freeze_time(now, ignore=[Meter.__module__]):
        yield


def _p6_data(db, ids, requests, now):
    """The three P3 calendars and teams, and one open HotRush ticket per request: its
    deadline and status as planned at ``now``, when it was requested (bulk).

    The first request is the prototype, created through the ORM at ``now``; the others
    are its SQL copies (see fixtures.clone_tickets), each with the plan and status the
    addon's planner gives it.

    :return: (calendar ids, response hours per calendar, ticket ids in the order of
        the requests, ``(opening, deadline)`` per request, status per request)
    """
    with environment(db) as env:
        calendars, teams = _hr_calendars(env, ids, "P6")
        hours = [float(spec["response_hours"]) for spec in P3_CALENDARS]
        planned = _plan(env, calendars, hours, requests)
        grace = timedelta(minutes=env.company.hotrush_grace_minutes)
        statuses = []
        for opening, deadline in planned:
            assert deadline and deadline + grace >= now, (opening, deadline)
            statuses.append("queued" if opening and now < opening else "running")
        with _frozen(now):
            index, start = requests[0]
            proto = _prototype(env, ids, "P6 prototype", teams[index], start)
            env.flush_all()
        stored = (
            proto.hotrush_queued_until,
            proto.hotrush_deadline,
            proto.hotrush_sla_status,
        )
        assert stored == (*planned[0], statuses[0]), (stored, planned[0], statuses[0])
        rest = range(1, len(requests))
        starts = [requests[n][1] for n in rest]
        deadlines = [planned[n][1] for n in rest]
        clones = clone_tickets(
            env,
            proto,
            {
                "team_id": [teams[requests[n][0]] for n in rest],
                # each request planned on its own team, as a request makes it
                "hotrush_plan_team_id": [teams[requests[n][0]] for n in rest],
                "hotrush_requested_at": starts,
                "hotrush_queued_until": [planned[n][0] or None for n in rest],
                "hotrush_deadline": deadlines,
                "hotrush_queue_deadline": deadlines,
                "hotrush_sla_status": [statuses[n] for n in rest],
                "number": [f"P6-{n:06d}" for n in rest],
                "name": [f"P6 ticket {n}" for n in rest],
                "create_date": starts,
                "write_date": starts,
            },
            # the calendar and target its team gives the request (the prototype's
            # are its own team's)
            request_values={
                "calendar_id": [calendars[requests[n][0]] for n in rest],
                "response_hours": [hours[requests[n][0]] for n in rest],
                "create_date": starts,
                "write_date": starts,
            },
            event_values={
                "deadline": deadlines,
                "date": starts,
                "sla_status": [statuses[n] for n in rest],
            },
        )
    return calendars, hours, [proto.id, *clones], planned, statuses


def _p6_marks(env):
    """The last ids of the records a re-planning creates: events, messages, triggers."""
    env.cr.execute(
        """SELECT (SELECT coalesce(max(id), 0) FROM hotrush_event),
                  (SELECT coalesce(max(id), 0) FROM mail_message),
                  (SELECT coalesce(max(id), 0) FROM ir_cron_trigger)"""
    )
    return env.cr.fetchone()


@contextlib.contextmanager
def _commits_held(cr):
    """The SLA action commits each batch; here a commit flushes and clears the caches
    like a real one, without ending the transaction the run rolls back."""

    def commit():
        cr.flush()
        cr.clear()

    with mock.patch.object(cr, "commit", commit):
        yield


def _p6_pending(env, marks):
    """The 'move' events of this run whose customer is still to be told."""
    env.flush_all()
    env.cr.execute(
        """SELECT count(*) FROM hotrush_event
            WHERE id > %s AND kind = 'move' AND notice_pending""",
        [marks[0]],
    )
    return env.cr.fetchone()[0]


def _p6_tell(env, now):
    """The SLA action's step posting the customers' messages of the moved deadlines,
    in committed batches (the commits held), measured.

    :return: dict of seconds and queries
    """
    Requests = env["hotrush.request"].sudo()
    # the step's processing method, as the action pairs it with its domain
    method = dict(Requests._hotrush_cron_steps())["_hotrush_cron_domain_moved"]
    with _frozen(now), _commits_held(env.cr), Meter() as meter:
        Requests._hotrush_cron_run_step(
            Requests._hotrush_cron_domain_moved(now), method, now, CRON_BATCH_SIZE
        )
        env.flush_all()
    return {"seconds": meter.seconds, "queries": meter.queries}


def _p6_check(env, ticket_ids, calendars, hours, requests, before, marks, now):
    """What a re-planning and the SLA action's messages left, against a fresh plan
    with the holiday present.

    :param before: ``(opening, deadline)`` per request before the holiday
    :return: dict of counts (and a few differing examples)
    """
    env.flush_all()
    # each ticket's current request, and the ticket's stored copy of its status
    env.cr.execute(
        """SELECT t.id, r.opening_at, r.deadline, r.status, t.hotrush_sla_status
             FROM helpdesk_ticket t
             LEFT JOIN hotrush_request r ON r.id = t.hotrush_request_id
            WHERE t.id = ANY(%s)""",
        [ticket_ids],
    )
    rows = {row[0]: row[1:] for row in env.cr.fetchall()}
    stored = [rows[ticket_id] for ticket_id in ticket_ids]
    # a fresh plan of the same requests, the working time read again
    env["resource.calendar"]._hotrush_clear_data_cache()
    fresh = _plan(env, calendars, hours, requests)
    differ, examples, moved = 0, [], set()
    for ticket_id, (opening, deadline, status, ticket_status), plan, old in zip(
        ticket_ids, stored, fresh, before, strict=True
    ):
        expected = "queued" if plan[0] and now < plan[0] else "running"
        # the ticket's stored status is the request's, as the ORM keeps it
        if (opening or False, deadline or False, status, ticket_status) != (
            *plan,
            expected,
            expected,
        ):
            differ += 1
            if len(examples) < 10:
                examples.append(
                    [ticket_id, str(deadline), str(plan[1]), status, ticket_status]
                )
        if tuple(plan) != tuple(old):
            moved.add(ticket_id)
    comment = env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
    env.cr.execute(
        "SELECT ticket_id FROM hotrush_event WHERE id > %s AND kind = 'move'",
        [marks[0]],
    )
    events = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        """SELECT res_id FROM mail_message
            WHERE id > %s AND model = 'helpdesk.ticket' AND is_internal IS NOT TRUE
              AND subtype_id = %s""",
        [marks[1], comment],
    )
    messages = [row[0] for row in env.cr.fetchall()]
    # the SLA action's wake-ups (not those of Odoo's e-mail queue, for instance)
    env.cr.execute(
        "SELECT count(*) FROM ir_cron_trigger WHERE id > %s AND cron_id = %s",
        [marks[2], env.ref(SLA_CRON).id],
    )
    triggers = env.cr.fetchone()[0]
    return {
        "moved": len(moved),
        "differ": differ,
        "examples": examples,
        "events": len(events),
        "messages": len(messages),
        "pending": _p6_pending(env, marks),
        "triggers": triggers,
        "one_each": sorted(events) == sorted(moved),
        "told_each": sorted(messages) == sorted(moved),
        "deadlines": [deadline for _opening, deadline, *_statuses in stored],
    }


def _nothing_moved(self, before, why):
    """The hooks of a moved deadline left out (the ticket's
    ``_hotrush_deadline_moved``, the request's ``_deadline_moved``): no audit,
    message, marker or trigger."""
    return True


def bench_replan(db, ids, count, repeat):
    """P6: a public holiday added on the day most open HotRush deadlines fall on.

    ``count`` open HotRush tickets requested in the two hours before ``P6_NOW`` on the
    three P3 calendars (queued or running, deadlines planned); one holiday of the
    company (a ``resource.calendar.leaves`` without calendar or resource, the whole UTC
    day most deadlines fall on) is added. Each round measures, in rotating order and
    each in its own transaction rolled back afterwards:

    - ``holiday``: what the admin's save runs, with Odoo's clock stopped at
      ``P6_NOW``: the holiday's ``create``, the flush and what runs before the commit
      (chatter tracking): the addon's re-planning of every open ticket (search, one
      planning per calendar, batched writes, statuses) with, for each moved
      deadline, its 'move' event and its notices, and the SLA action's wake-ups (at
      once for the customers' messages, and at the new due minutes). Then, measured
      apart (``notices``), the SLA action's step that posts one public message per
      moved deadline in committed batches; then the stored plan is compared with a
      fresh one and the events and messages are counted;
    - ``alone``: the same with ``_hotrush_deadline_moved`` (events, messages, notices,
      wake-ups) left out: the re-planning's own share;
    - ``small``: the same as ``holiday`` with a tenth of the tickets open (the others
      decided, in that transaction, before the measure): the query count must not
      grow with the tickets;
    - ``plan_hours``: the baseline, one ``plan_hours(compute_leaves=True)`` per ticket
      on its calendar with the holiday present (made without the addon's hook).
    """
    now = P6_NOW
    requests = p6_requests(count, now)
    calendars, hours, ticket_ids, before, statuses = _p6_data(db, ids, requests, now)
    small_ids = set(ticket_ids[: max(count // 10, 1)])
    decided = [ticket_id for ticket_id in ticket_ids if ticket_id not in small_ids]
    days = Counter(deadline.date() for _opening, deadline in before)
    day, on_day = days.most_common(1)[0]
    holiday = {
        "name": "P6 public holiday",
        "date_from": datetime.combine(day, time.min),
        "date_to": datetime.combine(day + timedelta(days=1), time.min),
        "time_type": "leave",
        "calendar_id": False,
        "resource_id": False,
    }
    analyze(db)

    def add_holiday(kind):
        with environment(db) as env:
            Ticket = env["helpdesk.ticket"]
            if kind == "small":
                # answered in time at ``now`` (before every deadline): their requests
                # met, out of the queue, and the tickets' stored status as the ORM
                # leaves them
                env.cr.execute(
                    """UPDATE hotrush_request r
                          SET status = 'met', first_response_at = %s,
                              queue_deadline = NULL
                         FROM helpdesk_ticket t
                        WHERE r.id = t.hotrush_request_id AND t.id = ANY(%s)""",
                    [now, decided],
                )
                env.cr.execute(
                    """UPDATE helpdesk_ticket SET hotrush_sla_status = 'met'
                        WHERE id = ANY(%s)""",
                    [decided],
                )
            marks = _p6_marks(env)
            hook = contextlib.ExitStack()
            if kind == "alone":
                for model in (Ticket, env["hotrush.request"]):
                    name = (
                        "_hotrush_deadline_moved"
                        if model is Ticket
                        else "_deadline_moved"
                    )
                    hook.enter_context(
                        mock.patch.object(type(model), name, _nothing_moved)
                    )
            with _frozen(now), hook, Meter() as meter:
                env["resource.calendar.leaves"].create(holiday)
                env.flush_all()
                env.cr.precommit.run()
            result = {"seconds": meter.seconds, "queries": meter.queries}
            if kind == "holiday":
                result["pending_at_once"] = _p6_pending(env, marks)
                # the customers' notices (one e-mail each) are told and measured in
                # the first run only: the re-planning is what the runs repeat
                told = not runs["notices"]
                if told:
                    runs["notices"].append(_p6_tell(env, now + timedelta(minutes=1)))
                result |= _p6_check(
                    env, ticket_ids, calendars, hours, requests, before, marks, now
                )
                result["told"] = told
            env.cr.rollback()
        return result

    def baseline():
        with environment(db) as env:
            Leaves = env["resource.calendar.leaves"]
            with mock.patch.object(
                type(Leaves), "_hotrush_holidays_changed", lambda self, reach: None
            ):
                Leaves.create(holiday)
            env.flush_all()
            meter, results = _plan_hours(env, calendars, hours, requests)
            env.cr.rollback()
        return {"seconds": meter.seconds, "queries": meter.queries}, results

    kinds = ["holiday", "plan_hours", "alone", "small"]
    runs = {kind: [] for kind in [*kinds, "notices"]}
    reference = None
    for number in range(repeat):
        for kind in kinds[number % len(kinds) :] + kinds[: number % len(kinds)]:
            if kind == "plan_hours":
                result, reference = baseline()
            else:
                result = add_holiday(kind)
            runs[kind].append(result)

    # every run's stored deadlines against Odoo's planning with the holiday
    fractional = 0
    for run in runs["holiday"]:
        differ, fractional, examples = _compare(run.pop("deadlines"), reference)
        run["plan_hours_differ"], run["plan_hours_examples"] = differ, examples

    def figures(kind):
        return {
            "seconds": summary([run["seconds"] for run in runs[kind]]),
            "queries": [run["queries"] for run in runs[kind]],
        }

    return {
        "count": count,
        "small_count": len(small_ids),
        "notice_batch": CRON_BATCH_SIZE,
        "now": now,
        "holiday_span": [holiday["date_from"], holiday["date_to"]],
        "deadlines_on_holiday": on_day,
        "calendars": [spec["name"] for spec in P3_CALENDARS],
        "statuses": dict(Counter(statuses)),
        **{kind: figures(kind) for kind in [*kinds, "notices"]},
        "checks": runs["holiday"],
        "reference_fractional": fractional,
        "unplanned": sum(1 for value in reference if not value),
    }
