"""The benchmarks of the performance issue, P1 to P5 (P6 lives in ``replan``).

Each function builds what it needs in the databases it is given, measures a figure and
its baseline in the same run (interleaved where both can alternate), and returns a dict
of raw figures; the command line (``__main__``) turns them into PASS/FAIL rows, so no
figure is typed in by hand.
"""

from collections import defaultdict
from datetime import timedelta

import werkzeug.test

import odoo.http
from odoo import Command, fields
from odoo.service import security

from .fixtures import (
    P3_CALENDARS,
    ROUND_THE_CLOCK,
    UTC,
    add_team,
    clone_row,
    clone_tickets,
    give_balance,
    make_calendar,
    p3_requests,
    request_ids,
    ticket_vals,
)
from .harness import Meter, analyze, copy_db, drop_db, environment, release, summary

# What a user's request carries: Odoo's context of a logged-in agent
USER_CONTEXT = {"lang": "en_US", "tz": "Europe/Moscow"}


def _sudo_as(env, uid):
    """Superuser mode acting as ``uid``: how data files and imports create tickets,
    and the only way to give a HotRush request time in the past."""
    return env(user=uid, su=True)


# ----------------------------------------------------------------------------- P1, P2


def bench_creation(kinds, count, warmup):
    """P1 and P2: ticket creation, one ticket per transaction, as the agent.

    ``kinds`` is ``{kind: (database, fixture ids, hotrush)}``: plain tickets without the
    addon (P1 baseline), with only its dependencies, with the addon (P1; P2 baseline)
    and HotRush tickets (P2). The kinds alternate ticket by ticket, rotating which goes
    first. Each ticket is one ``create`` in its own cursor, committed, like one request
    of a user; the time includes opening the cursor, the commit and what Odoo runs
    after it (e-mails, waking the scheduled action).
    """
    samples = {kind: {"seconds": [], "queries": []} for kind in kinds}

    def create(kind, number):
        db, ids, hotrush = kinds[kind]
        with Meter() as meter, environment(db, ids["agent"], USER_CONTEXT) as env:
            env["helpdesk.ticket"].create(
                ticket_vals(ids, f"Bench {kind} {number}", hotrush)
            )
        return meter

    for number in range(warmup):
        for kind in kinds:
            create(kind, f"warm-up {number}")
    order = list(kinds)
    for number in range(count):
        shift = number % len(order)
        for kind in order[shift:] + order[:shift]:
            meter = create(kind, number)
            samples[kind]["seconds"].append(meter.seconds)
            samples[kind]["queries"].append(meter.queries)
    return {
        "count": count,
        "warmup": warmup,
        "databases": {kind: db for kind, (db, _ids, _hotrush) in kinds.items()},
        "summary": {
            kind: {
                "seconds": summary(sample["seconds"]),
                "queries": summary(sample["queries"]),
                "queries_per_ticket": sum(sample["queries"]) / count,
            }
            for kind, sample in samples.items()
        },
        "samples": samples,
    }


def _run_sla_action(db):
    """One run of the SLA scheduled action as its server action calls it."""
    with Meter() as meter, environment(db) as env:
        env["hotrush.request"]._cron_hotrush_sla()
    return meter


def _pending_notices(db):
    """Requests whose team is still to get the 'Respond by' activity."""
    with environment(db) as env:
        Request = env["hotrush.request"]
        return Request.search_count(
            Request._hotrush_cron_domain_request(fields.Datetime.now())
        )


def bench_team_notice(db, ids, count):
    """P2, the part of a HotRush request done after its commit: the run of the SLA
    scheduled action the request triggers gives the assignee or team leader the
    'Respond by' activity (HR-5), with Odoo's follower subscription and assignment
    notice.

    First one run catches up with the HotRush tickets of the creation benchmark (no
    action ran meanwhile): the cost per ticket in batches. Then ``count`` times, a
    HotRush ticket is created (not measured) and the run it triggers is measured,
    alternating with a run that has nothing to do (the action's fixed cost).
    """
    pending = _pending_notices(db)
    catch_up = _run_sla_action(db)
    left = _pending_notices(db)
    samples = {kind: {"seconds": [], "queries": []} for kind in ("notice", "idle")}
    for number in range(count):
        with environment(db, ids["agent"], USER_CONTEXT) as env:
            env["helpdesk.ticket"].create(
                ticket_vals(ids, f"Bench notice {number}", True)
            )
        for kind in ("notice", "idle"):
            meter = _run_sla_action(db)
            samples[kind]["seconds"].append(meter.seconds)
            samples[kind]["queries"].append(meter.queries)
    return {
        "count": count,
        "catch_up": {
            "tickets": pending,
            "left": left,
            "seconds": catch_up.seconds,
            "queries": catch_up.queries,
        },
        "summary": {
            kind: {
                "seconds": summary(sample["seconds"]),
                "queries": summary(sample["queries"]),
            }
            for kind, sample in samples.items()
        },
        "samples": samples,
    }


# ----------------------------------------------------------------------------- P3


def _round_second(value):
    return (value + timedelta(microseconds=500000)).replace(microsecond=0)


def _compare(results, reference):
    """Deadlines against Odoo's, the latter rounded to the second.

    :return: (number differing, number of reference values with sub-second parts,
        a few differing examples)
    """
    differ, fractional, examples = 0, 0, []
    for index, (ours, theirs) in enumerate(zip(results, reference, strict=True)):
        if theirs and theirs.microsecond:
            fractional += 1
        rounded = _round_second(theirs) if theirs else theirs
        ours = _round_second(ours) if ours and ours.microsecond else ours
        if ours != rounded:
            differ += 1
            if len(examples) < 10:
                examples.append([index, str(ours), str(theirs)])
    return differ, fractional, examples


def _prototype(env, ids, name, team_id, requested_at):
    """One HotRush ticket requested at ``requested_at`` by the agent, created through
    the ORM: the ticket ``clone_tickets`` copies."""
    return (
        _sudo_as(env, ids["agent"])["helpdesk.ticket"]
        .create(
            ticket_vals(
                ids,
                name,
                hotrush=True,
                team_id=team_id,
                hotrush_requested_at=requested_at,
            )
        )
        .sudo(False)
    )


def _hr_calendars(env, ids, label):
    """The three P3 calendars, each with a HotRush team planning on it.

    :return: (calendar ids, team ids), in the order of P3_CALENDARS
    """
    calendars, teams = [], []
    for spec in P3_CALENDARS:
        calendar = make_calendar(
            env, spec["name"], spec["tz"], spec["hours"], spec["holidays"]
        )
        calendars.append(calendar.id)
        teams.append(
            add_team(
                env, ids, f"{label} {spec['name']}", calendar, spec["response_hours"]
            ).id
        )
    return calendars, teams


def _plan(env, calendars, hours, requests):
    """The addon's batch planner, once per calendar, for ``(calendar index, start)``
    requests.

    :return: ``(opening, deadline)`` per request, in their order
    """
    Calendar = env["resource.calendar"]
    per_calendar = defaultdict(list)
    for position, (index, _start) in enumerate(requests):
        per_calendar[index].append(position)
    results = [None] * len(requests)
    for index, positions in per_calendar.items():
        planned = Calendar.browse(calendars[index])._hotrush_plan(
            [(requests[p][1], hours[index]) for p in positions]
        )
        for position, plan in zip(positions, planned, strict=True):
            results[position] = plan
    return results


def _plan_hours(env, calendars, hours, requests):
    """Odoo's planning: one ``plan_hours(compute_leaves=True)`` per request, measured.

    :return: (meter, deadline per request as a naive UTC datetime)
    """
    cals = env["resource.calendar"].browse(calendars)
    results = []
    with Meter() as meter:
        for index, start in requests:
            planned = cals[index].plan_hours(
                hours[index], start.replace(tzinfo=UTC), compute_leaves=True
            )
            results.append(planned and planned.astimezone(UTC).replace(tzinfo=None))
    return meter, results


def _p3_hr_data(db, ids, requests):
    """Three calendars and teams, and one HotRush ticket per request (bulk).

    :return: (calendar ids, the tickets' current request ids, in the order of the
        requests)
    """
    with environment(db) as env:
        calendars, teams = _hr_calendars(env, ids, "P3")
        proto = _prototype(env, ids, "P3 prototype", teams[0], requests[0][1])
        hours = [float(spec["response_hours"]) for spec in P3_CALENDARS]
        tickets = clone_tickets(
            env,
            proto,
            {
                "team_id": [teams[index] for index, _start in requests],
                # each request planned on its own team, as a request makes it
                "hotrush_plan_team_id": [teams[index] for index, _start in requests],
                "hotrush_requested_at": [start for _index, start in requests],
                "number": [f"P3-{n:06d}" for n in range(len(requests))],
                "name": [f"P3 ticket {n}" for n in range(len(requests))],
            },
            # the calendar and target its team gives the request (the prototype's
            # are its own team's)
            request_values={
                "calendar_id": [calendars[index] for index, _start in requests],
                "response_hours": [hours[index] for index, _start in requests],
            },
        )
        requests_ids = request_ids(env.cr, tickets)
    return calendars, requests_ids


def _p3_sla_data(db, requests):
    """The same calendars, teams and tickets for OCA helpdesk_mgmt_sla (bulk)."""
    with environment(db) as env:
        stage_done = env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], order="sequence desc", limit=1
        )
        teams, slas, hours = [], [], []
        for spec in P3_CALENDARS:
            calendar = make_calendar(
                env, spec["name"], spec["tz"], spec["hours"], spec["holidays"]
            )
            team = env["helpdesk.ticket.team"].create(
                {
                    "name": f"P3 {spec['name']}",
                    "use_sla": True,
                    "resource_calendar_id": calendar.id,
                }
            )
            sla = env["helpdesk.sla"].create(
                {
                    "name": f"Respond within {spec['response_hours']} h",
                    "team_ids": [Command.set(team.ids)],
                    "hours": spec["response_hours"],
                    "days": 0,
                    "stage_id": stage_done.id,
                }
            )
            teams.append(team.id)
            slas.append(sla.id)
            hours.append(float(spec["response_hours"]))
        partner = env["res.partner"].create({"name": "SLA customer"})
        proto = env["helpdesk.ticket"].create(
            {
                "name": "P3 prototype",
                "description": "<p>Benchmark</p>",
                "team_id": teams[0],
                "partner_id": partner.id,
            }
        )
        proto_sla = proto.ticket_sla_ids
        assert len(proto_sla) == 1 and proto_sla.state == "in_progress", proto_sla
        starts = [start for _index, start in requests]
        tickets = clone_tickets(
            env,
            proto,
            {
                "team_id": [teams[index] for index, _start in requests],
                "create_date": starts,
                "number": [f"P3-{n:06d}" for n in range(len(requests))],
                "name": [f"P3 ticket {n}" for n in range(len(requests))],
            },
        )
        ticket_slas = clone_row(
            env.cr,
            "helpdesk_ticket_sla",
            proto_sla.id,
            {
                "ticket_id": tickets,
                "sla_id": [slas[index] for index, _start in requests],
                "hours": [hours[index] for index, _start in requests],
                "last_state_date": starts,
                "deadline": [None] * len(requests),
            },
        )
        env.invalidate_all()
    return ticket_slas


def bench_deadlines(hr_db, sla_db, hr_ids, count, repeat):
    """P3: deadlines of ``count`` requests over three calendars.

    - the addon's batch planner (``_hotrush_plan``, once per calendar) against one
      ``plan_hours(compute_leaves=True)`` per request, which it must match to the second;
      the planner also runs on a tenth of the requests to show its query count does not
      grow with them; each measure starts with the working time of the calendars not
      read yet (the addon keeps it per worker);
    - the stored plans (``opening_at``, ``deadline``) of the HotRush requests of
      ``count`` tickets recomputed by the addon against OCA helpdesk_mgmt_sla
      recomputing its stored SLA deadlines of the same tickets
      (``helpdesk.ticket.sla.deadline``, which calls ``plan_hours`` per ticket), each
      through the ORM's recomputation and flush, rolled back afterwards.
    """
    requests = p3_requests(count)
    small = requests[: max(count // 10, 1)]
    hours = [float(spec["response_hours"]) for spec in P3_CALENDARS]
    calendars, hr_requests = _p3_hr_data(hr_db, hr_ids, requests)
    ticket_slas = _p3_sla_data(sla_db, requests)
    analyze(hr_db)
    analyze(sla_db)

    def batch(reqs):
        with environment(hr_db) as env:
            # each measure starts with the calendars not read yet by this worker
            env["resource.calendar"]._hotrush_clear_data_cache()
            with Meter() as meter:
                planned = _plan(env, calendars, hours, reqs)
            env.cr.rollback()
        return meter, [deadline for _opening, deadline in planned]

    def reference():
        with environment(hr_db) as env:
            meter, results = _plan_hours(env, calendars, hours, requests)
            env.cr.rollback()
        return meter, results

    def recompute(db, model, fnames, ids):
        """The stored fields ``fnames`` (of one compute method) recomputed on ``ids``;
        the values of the last one."""
        with environment(db) as env:
            records = env[model].browse(ids)
            with Meter() as meter:
                for fname in fnames:
                    env.add_to_compute(records._fields[fname], records)
                env.flush_all()
            values = [records.browse(i)[fnames[-1]] for i in ids]
            env.cr.rollback()
        return meter, values

    runs = {"batch": [], "batch_small": [], "tickets": []}
    results = {}
    for _n in range(repeat):
        meter, results["batch"] = batch(requests)
        runs["batch"].append(meter)
        meter, _small = batch(small)
        runs["batch_small"].append(meter)
    ref_meter, ref = reference()
    for _n in range(repeat):
        # the plan of each ticket's request: _compute_plan's opening and deadline
        meter, results["tickets"] = recompute(
            hr_db, "hotrush.request", ["opening_at", "deadline"], hr_requests
        )
        runs["tickets"].append(meter)
    oca_meter, oca = recompute(sla_db, "helpdesk.ticket.sla", ["deadline"], ticket_slas)
    for _n in range(repeat):
        meter, results["batch"] = batch(requests)
        runs["batch"].append(meter)

    differ, fractional, examples = _compare(results["batch"], ref)
    t_differ, _f, t_examples = _compare(results["tickets"], ref)
    oca_differ, _f, oca_examples = _compare(oca, ref)

    def figures(meters):
        return {
            "seconds": summary([m.seconds for m in meters]),
            "queries": [m.queries for m in meters],
        }

    return {
        "count": count,
        "small_count": len(small),
        "calendars": [spec["name"] for spec in P3_CALENDARS],
        "batch": figures(runs["batch"]),
        "batch_small": figures(runs["batch_small"]),
        "plan_hours": figures([ref_meter]),
        "tickets": figures(runs["tickets"]),
        "oca": figures([oca_meter]),
        "differ": differ,
        "reference_fractional": fractional,
        "examples": examples,
        "tickets_differ": t_differ,
        "tickets_examples": t_examples,
        "oca_differ": oca_differ,
        "oca_examples": oca_examples,
        "unplanned": sum(1 for value in ref if not value),
    }


# ----------------------------------------------------------------------------- P4


def _p4_due(db, ids, count, now):
    """``count`` HotRush tickets requested 2 to 3 days ago, created through the ORM.

    They keep the status they had when requested (queued or running), as tickets the
    scheduled action has not seen since the run their request triggered (which gave
    the team its 'Respond by' activity): it announces the opening of the queued ones
    and escalates every one of them (all deadlines have passed).
    """
    with environment(db) as env:
        Ticket = _sudo_as(env, ids["agent"])["helpdesk.ticket"]
        step = timedelta(days=1) / max(count, 1)
        vals_list = [
            ticket_vals(
                ids,
                f"Due {n}",
                hotrush=True,
                user_id=ids["agent"] if n % 2 else False,
                hotrush_requested_at=(now - timedelta(days=3) + n * step).replace(
                    microsecond=0
                ),
            )
            for n in range(count)
        ]
        due = Ticket.browse()
        for start in range(0, count, 50):
            due |= Ticket.create(vals_list[start : start + 50])
        # the 'Respond by' activities the run of each request gave
        due.sudo()._hotrush_notify_request(now)
        env.flush_all()
        # the status of each request, and the ticket's stored copy of it
        env.cr.execute(
            """UPDATE hotrush_request r
                  SET status = CASE WHEN r.opening_at IS NOT NULL
                                    THEN 'queued' ELSE 'running' END,
                      team_notified_at = r.requested_at
                 FROM helpdesk_ticket t
                WHERE r.id = t.hotrush_request_id AND t.id = ANY(%s)""",
            [due.ids],
        )
        env.cr.execute(
            """UPDATE helpdesk_ticket t SET hotrush_sla_status = r.status
                 FROM hotrush_request r
                WHERE r.id = t.hotrush_request_id AND t.id = ANY(%s)""",
            [due.ids],
        )
        env.cr.execute(
            """UPDATE hotrush_event e SET sla_status = t.hotrush_sla_status
                 FROM helpdesk_ticket t WHERE e.ticket_id = t.id AND t.id = ANY(%s)""",
            [due.ids],
        )
        env.invalidate_all()
        return due.ids


def _p4_not_due(db, ids, count, now):
    """``count`` HotRush tickets requested in the last hour on a round-the-clock team
    with a 24-hour target: open (running), deadlines a day ahead, nothing to do.

    One prototype goes through the ORM; the others are SQL copies of it (see
    fixtures.clone_tickets) with their own request time and the deadline the addon's
    planner computes for it.
    """
    with environment(db) as env:
        calendar = make_calendar(env, "Round the clock", "UTC", ROUND_THE_CLOCK)
        team = add_team(env, ids, "Follow-the-sun support", calendar, 24.0)
        proto = _prototype(
            env, ids, "Open prototype", team.id, now - timedelta(minutes=30)
        )
        assert proto.hotrush_sla_status == "running", proto.hotrush_sla_status
        # its team got the 'Respond by' activity from the run its request triggered;
        # the copies too
        proto.sudo()._hotrush_notify_request(proto.hotrush_requested_at)
        starts = [
            (now - timedelta(seconds=(n * 7919) % 3600)).replace(microsecond=0)
            for n in range(count)
        ]
        planned = calendar._hotrush_plan([(start, 24.0) for start in starts])
        deadlines = [deadline for _opening, deadline in planned]
        assert all(not opening for opening, _deadline in planned)
        clone_tickets(
            env,
            proto,
            {
                "number": [f"OPEN-{n:06d}" for n in range(count)],
                "name": [f"Open ticket {n}" for n in range(count)],
                "hotrush_requested_at": starts,
                "hotrush_deadline": deadlines,
                "hotrush_queue_deadline": deadlines,
                "create_date": starts,
                "write_date": starts,
            },
            event_values={"deadline": deadlines, "date": starts},
        )


def _cron_state(env, due_ids):
    """(due tickets escalated, other tickets touched by the scheduled action), by the
    markers of the tickets' current requests."""
    env.cr.execute(
        """SELECT count(*) FILTER (WHERE t.id = ANY(%s) AND r.escalated_at IS NOT NULL),
                  count(*) FILTER (WHERE t.id <> ALL(%s) AND (
                      r.escalated_at IS NOT NULL OR r.warned_at IS NOT NULL
                      OR r.opening_notified_at IS NOT NULL))
             FROM helpdesk_ticket t
             LEFT JOIN hotrush_request r ON r.id = t.hotrush_request_id
            WHERE t.hotrush""",
        [due_ids, due_ids],
    )
    return env.cr.fetchone()


def _due_now(env):
    """Tickets the scheduled action would handle now, by its own domains (on the
    requests)."""
    Request = env["hotrush.request"]
    now = fields.Datetime.now()
    due = Request.browse()
    for domain_method, _method in Request._hotrush_cron_steps():
        due |= Request.search(getattr(Request, domain_method)(now))
    return len(due.ticket_id)


def _p4_notices(db, ids, due_ids):
    """The notice each due ticket must get, made the plain way and measured: one
    ``message_post`` to the team leader and one ``activity_schedule`` for them per
    ticket, in one transaction committed, as the scheduled action's user, with the
    e-mails queued as the action queues them (``mail_notify_force_send=False``).

    :return: the meter, the commit included
    """
    with environment(db) as env, Meter() as meter:
        env = env(context={**env.context, "mail_notify_force_send": False})
        leader = env["res.users"].browse(ids["leader"])
        today = fields.Date.context_today(leader.with_context(tz=leader.tz))
        for ticket in env["helpdesk.ticket"].browse(due_ids):
            ticket.message_post(
                body=ticket._hotrush_breach_message(leader),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
                partner_ids=leader.partner_id.ids,
            )
            ticket.activity_schedule(
                "hotrush_priority.mail_activity_type_hotrush_response",
                date_deadline=today,
                summary="HotRush breached: answer now",
                user_id=leader.id,
            )
        env.cr.commit()
    return meter


def _p4_run(run_db, due_ids):
    """One run of the SLA action on ``run_db``, measured, with what it did."""
    with environment(run_db) as env:
        env.cr.execute("SELECT count(*) FROM helpdesk_ticket WHERE hotrush")
        open_tickets = env.cr.fetchone()[0]
        due_before = _due_now(env)
        env.cr.execute("SELECT coalesce(max(id), 0) FROM mail_mail")
        last_mail = env.cr.fetchone()[0]
    with environment(run_db) as env, Meter() as meter:
        env["hotrush.request"]._cron_hotrush_sla()
    with environment(run_db) as env:
        escalated, touched = _cron_state(env, due_ids)
        due_after = _due_now(env)
        env.cr.execute(
            """SELECT count(*) FILTER (WHERE state = 'outgoing'), count(*)
                 FROM mail_mail WHERE id > %s""",
            [last_mail],
        )
        queued, emails = env.cr.fetchone()
        queue = env.ref("mail.ir_cron_mail_scheduler_action")
        woken = bool(
            env["ir.cron.trigger"].search_count([("cron_id", "=", queue.id)], limit=1)
        )
    return {
        "seconds": meter.seconds,
        "queries": meter.queries,
        "open": open_tickets,
        "due_before": due_before,
        "escalated": escalated,
        "others_touched": touched,
        "due_after": due_after,
        "emails": emails,
        "emails_queued": queued,
        "mail_queue_woken": woken,
    }


def bench_cron(ready_db, prefix, ids, open_count, due_count, repeat):
    """P4: one run of the SLA scheduled action, ``open_count`` open HotRush tickets of
    which ``due_count`` are due, against ``due_count`` open tickets all due; and the
    cost of that run per due ticket against the notice each must get, made the plain
    way (``_p4_notices``) on the same tickets.

    Both databases hold the same due tickets (the large one is a copy of the small one
    plus the tickets that are not due). Each run and each set of plain notices works on
    a fresh copy of its database, the small and large runs alternating, each followed
    by the plain notices; the action's method is called as its server action does
    (``model._cron_hotrush_sla()`` on ``hotrush.request``, as the scheduled action's
    user), in one call, so the query count does not depend on the job runner's time
    slices.
    """
    now = fields.Datetime.now()
    small, big = f"{prefix}_p4_small", f"{prefix}_p4_large"
    copy_db(ready_db, small)
    due_ids = _p4_due(small, ids, due_count, now)
    analyze(small)
    copy_db(small, big)
    _p4_not_due(big, ids, open_count - due_count, now)
    analyze(big)
    release(small)
    release(big)

    runs = {"small": [], "large": [], "notices": []}
    for number in range(repeat):
        order = ("small", "large") if number % 2 == 0 else ("large", "small")
        # each run followed by the plain notices, so that both alternate
        for kind in (order[0], "notices", order[1], "notices"):
            run_db = f"{prefix}_p4_run"
            copy_db(big if kind == "large" else small, run_db)
            if kind == "notices":
                meter = _p4_notices(run_db, ids, due_ids)
                runs[kind].append({"seconds": meter.seconds, "queries": meter.queries})
            else:
                runs[kind].append(_p4_run(run_db, due_ids))
            drop_db(run_db)
    drop_db(small)
    drop_db(big)
    return {"open": open_count, "due": due_count, "repeat": repeat, "runs": runs}


# ----------------------------------------------------------------------------- P5


def _portal_customer(env, login, tickets, ids, Tickets):
    portal = env.ref("base.group_portal")
    company = env["res.partner"].create({"name": f"{login} Ltd", "is_company": True})
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": login.title(),
                "login": login,
                "email": f"{login}@customer.example.com",
                "group_ids": [Command.set([portal.id])],
            }
        )
    )
    user.partner_id.parent_id = company
    give_balance(env, company, 1_000_000.0)
    Tickets.create(
        [
            ticket_vals(
                ids,
                f"{login} ticket {n}",
                hotrush=n % 4 == 0,
                partner_id=user.partner_id.id,
            )
            for n in range(tickets)
        ]
    )
    return user.id


def _session(db, uid):
    """A logged-in session of ``uid``, made as Odoo's HttpCase.authenticate does."""
    store = odoo.http.root.session_store
    session = store.new()
    session.update(odoo.http.get_default_session(), db=db)
    with environment(db, uid) as env:
        session.uid = uid
        session.login = env.user.login
        session.session_token = security.compute_session_token(session, env)
        session.context = dict(env["res.users"].context_get())
    store.save(session)
    return session.sid


P5_URL = "/my/tickets?sortby=hotrush"


def bench_portal(db, ids, big, small, repeat):
    """P5: ``/my/tickets`` of a customer with ``big`` tickets against one with ``small``,
    sorted by HotRush deadline (the addon's sort): both pages show HotRush tickets
    (waiting ones first) and ordinary ones, so both read the HotRush requests they show.
    With the default sort the tickets of one batch share their creation time and the
    page shows whichever the database returns first.

    Requests go through Odoo's WSGI application in this process (routing, session,
    authentication, controller, QWeb rendering; no socket), so every query of a request
    runs on this thread and is counted.
    """
    with environment(db) as env:
        Tickets = env(user=ids["agent"])["helpdesk.ticket"].with_context(
            mail_create_nolog=True
        )
        users = {
            "large": _portal_customer(env, "bigcustomer", big, ids, Tickets),
            "small": _portal_customer(env, "smallcustomer", small, ids, Tickets),
        }
    client = werkzeug.test.Client(odoo.http.root, use_cookies=False)
    cookies = {kind: _session(db, uid) for kind, uid in users.items()}

    def get(kind):
        headers = {"Cookie": f"session_id={cookies[kind]}", "Host": "localhost"}
        with Meter() as meter:
            response = client.get(P5_URL, headers=headers)
            body = response.get_data(as_text=True)
        if response.status_code != 200:
            raise RuntimeError(f"{P5_URL} answered {response.status}")
        rows = body.count('href="/my/ticket/')
        return meter, rows

    for _n in range(2):
        for kind in users:
            get(kind)
    runs = {kind: [] for kind in users}
    for number in range(repeat):
        order = ("large", "small") if number % 2 == 0 else ("small", "large")
        for kind in order:
            meter, rows = get(kind)
            runs[kind].append(
                {"seconds": meter.seconds, "queries": meter.queries, "rows": rows}
            )
    return {"tickets": {"large": big, "small": small}, "uid": users, "runs": runs}
