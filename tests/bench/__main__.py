"""Command line of the benchmark suite; see scripts/bench (which calls it) for usage."""

import argparse
import json
import os
import sys
import time
import traceback
from datetime import UTC, datetime

from odoo.modules.module import get_manifest

from . import harness

FULL = {
    "creation": 1000,
    "warmup": 20,
    "notice": 100,
    "deadlines": 10000,
    "deadline_repeat": 3,
    "cron_open": 100000,
    "cron_due": 1000,
    "cron_repeat": 2,
    "portal_large": 200,
    "portal_small": 20,
    "portal_repeat": 10,
    "replan": 10000,
    "replan_repeat": 3,
}
QUICK = {
    "creation": 100,
    "warmup": 10,
    "notice": 20,
    "deadlines": 1000,
    "deadline_repeat": 3,
    "cron_open": 5000,
    "cron_due": 50,
    "cron_repeat": 1,
    "portal_large": 200,
    "portal_small": 20,
    "portal_repeat": 5,
    "replan": 1000,
    "replan_repeat": 3,
}
BENCHMARKS = ("P1", "P2", "P3", "P4", "P5", "P6")


def say(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--conf", required=True, help="Odoo configuration file")
    parser.add_argument("--prefix", required=True, help="prefix of the databases")
    parser.add_argument("--workdir", required=True, help="directory for logs")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes (a few minutes), with targets that hold at those sizes",
    )
    parser.add_argument("--json", help="where to write the raw figures")
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help="comma-separated benchmarks to run (default: all)",
    )
    parser.add_argument(
        "--keep-databases", action="store_true", help="do not drop the databases"
    )
    args = parser.parse_args(argv)
    args.only = {name.strip().upper() for name in args.only.split(",") if name.strip()}
    unknown = args.only - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    return args


# ----------------------------------------------------------------------------- criteria


def _ms(seconds):
    return f"{seconds * 1000:,.1f} ms"


def _s(seconds):
    return f"{seconds:,.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _n(value):
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


ANY_SIZE = "any size"


def _row(ident, label, baseline, measured, ratio, target, ok, target_for=ANY_SIZE):
    """One line of the table; ``target_for`` says whose target it is: ``any size``
    (the same in quick and full runs), ``quick run`` or ``full run`` (see SIZED);
    None for information."""
    result = "info" if ok is None else ("PASS" if ok else "FAIL")
    return {
        "id": ident,
        "criterion": label,
        "baseline": baseline,
        "measured": measured,
        "ratio": ratio,
        "target": target,
        "target_for": None if ok is None else target_for,
        "result": result,
    }


# P4: what the SLA action may cost per ticket it handles, against the notice each
# ticket must get made the plain way (one message_post and one activity_schedule):
# the performance issue's target, at its size (1,000 due tickets)
CRON_COST_PER_TICKET = 1.3
CRON_QUERIES_PER_TICKET = 40


# Most targets hold at any size: results equal to Odoo's, query counts that must not
# grow with the tickets, queries per ticket. The rows below compare times, and a time
# ratio depends on the run's size: through a part that does not grow with the tickets
# (a fixed cost) or through the noise of a small sample. The full run keeps the
# performance issue's targets; a quick run judges these rows against a target of its
# own, one its sizes can show that still fails on a real regression, so that exit
# status 1 means a regression in either run. Quick figures quoted: two quick runs of
# 2026-12-07 on a 2-core machine (load average 1 at their start, 2.3 and 2.6 at their
# end: other jobs started), the first unless said; earlier ones from the README.
# {name: (full run, quick run, text of the target, True when the figure is a minimum)}
SIZED = {
    # P1, P2: medians per ticket of kinds alternated ticket by ticket, 100 tickets each
    # in a quick run (1,000 in the full run). A bootstrap of the quick run's samples
    # gives their ratio a standard error of 0.03 (0.028 for P1, 0.030 for P2; a tenth
    # of the tickets makes it about sqrt(10) times the full run's), so 1.05 cannot be
    # shown with 100 (the quick run measured 1.059, its 95 % interval 1.00 to 1.10,
    # for 1.044 in the full run). Quick target: the full run's plus 0.1, about 3
    # standard errors; it still fails when the addon's own share grows by more than
    # 0.11 from 1.044 (P1), or when a HotRush request costs what it did before the SLA
    # action was woken through one kept connection (1.47, P2).
    "P1 share": (1.05, 1.15, "≤ {:g}", False),
    "P2 request": (1.3, 1.4, "≤ {:g}", False),
    # P3: plan_hours per ticket grows with the tickets, the batch planner hardly does
    # (reading three calendars' working time is most of it): 136x and 171x with 1,000
    # deadlines, 421x with 10,000. The full run's target holds.
    "P3 speedup": (20, 20, "≥ {:g}×", True),
    # P4, the SLA action's run with many open tickets / with only the due ones: one
    # run of each in a quick run (5,001 open tickets, 50 due), two in the full run
    # (100,001 and 1,000), and single runs of 2 to 4 s are noisy: 1.037, then 0.731
    # (the run with only the due tickets took 4.05 s, the other 2.96 s; the plain
    # notices on the same tickets 2.12 s and 3.12 s, 47 % apart). Quick target 2: the
    # noise cannot fail it, and with 5,000 open tickets it still fails on a run that
    # spends half a millisecond on each of them (a query per open ticket fails the
    # queries row at any size).
    "P4 open tickets": (1.3, 2, "≤ {:g}", False),
    # P4 per handled ticket: the run's part that does not grow with the due tickets
    # (its searches, Odoo's e-mail queue woken) is shared by 50 in a quick run; it
    # measured 1.179 (1.338 in the second, whose end was busier; medians of 2 and 2;
    # 1.483 with 1,000) and 33.3 queries (32.5 with 1,000). Quick target 1.5, the
    # target before the request record, which the noise of 50 tickets cannot fail;
    # the full run's, 1.3, with 1,000.
    "P4 cost": (CRON_COST_PER_TICKET, 1.5, "≤ {:g}", False),
    "P4 queries": (CRON_QUERIES_PER_TICKET, CRON_QUERIES_PER_TICKET, "≤ {:g}", False),
    # P6: plan_hours per ticket grows with the tickets, the save's fixed part (the
    # holiday's create and flush, the search, reading the three calendars; at most
    # 0.077 s, the save with 100 open tickets) does not, and the save's runs vary
    # (0.15 s to 0.28 s in one quick run: 22.7x to 12.3x). Quick runs measured 11x to
    # 19.4x (median of 3; 12.9x and 19.4x on 2026-12-07; 26.9x and 21.9x to 28x with
    # 10,000).
    # Quick target 8x, below the lowest with a margin, yet four times what a save
    # that plans or writes ticket by ticket gives (1x to 2x; the save that posted a
    # message per ticket made 1.9x with 10,000). A query per ticket fails the queries
    # row at any size.
    "P6 speedup": (20, 8, "≥ {:g}×", True),
}


def _sized(mode, name, value):
    """``(ok, target text, target_for)`` of a row whose target depends on the size."""
    full, quick, text, minimum = SIZED[name]
    limit = quick if mode == "quick" else full
    ok = value >= limit if minimum else value <= limit
    if mode == "full":
        shown = f"{text.format(full)} (full run)"
    elif limit == full:
        shown = f"{text.format(limit)} (quick run = full run)"
    else:
        shown = f"{text.format(limit)} (quick run; full run: {text.format(full)})"
    return ok, shown, f"{mode} run"


def criteria_creation(data, only, mode):
    rows = []
    s = data["summary"]
    count = f"{data['count']:,}"

    def median(kind):
        return s[kind]["seconds"]["median"]

    def per_ticket(kind):
        return s[kind]["queries_per_ticket"]

    if "P1" in only:
        # the criterion is the addon's own share (its dependencies installed in the
        # baseline: billing needs account, and a user who invoices has it anyway);
        # against helpdesk_mgmt alone the figure is information
        ratio = median("addon") / median("base")
        rows.append(
            _row(
                "P1",
                f"create {count} plain tickets: with the addon / without it (only "
                "helpdesk_mgmt); median time per ticket",
                _ms(median("base")),
                _ms(median("addon")),
                f"{ratio:.3f}",
                "(the dependencies included)",
                None,
            )
        )
        extra = per_ticket("addon") - per_ticket("base")
        rows.append(
            _row(
                "P1",
                "queries per plain ticket: with the addon / without it",
                _n(per_ticket("base")),
                _n(per_ticket("addon")),
                f"{extra:+.2f}",
                "same",
                round(extra, 2) == 0,
            )
        )
        ratio = median("addon") / median("deps")
        ok, target, target_for = _sized(mode, "P1 share", ratio)
        rows.append(
            _row(
                "P1",
                "the same, baseline with the addon's dependencies installed "
                f"({', '.join(data['dependencies'])}): the addon's own share",
                _ms(median("deps")),
                _ms(median("addon")),
                f"{ratio:.3f}",
                target,
                ok,
                target_for,
            )
        )
        ratio = median("deps") / median("base")
        rows.append(
            _row(
                "P1",
                f"what the dependencies alone cost ({', '.join(data['dependencies'])} "
                "installed, without the addon / only helpdesk_mgmt)",
                _ms(median("base")),
                _ms(median("deps")),
                f"{ratio:.3f}",
                "(the dependencies)",
                None,
            )
        )
    if "P2" in only:
        ratio = median("hotrush") / median("plain")
        ok, target, target_for = _sized(mode, "P2 request", ratio)
        rows.append(
            _row(
                "P2",
                f"create {count} HotRush tickets / {count} plain ones, same database; "
                "median time per ticket",
                _ms(median("plain")),
                _ms(median("hotrush")),
                f"{ratio:.3f}",
                target,
                ok,
                target_for,
            )
        )
        extra = per_ticket("hotrush") - per_ticket("plain")
        rows.append(
            _row(
                "P2",
                "queries per HotRush ticket / per plain ticket",
                _n(per_ticket("plain")),
                _n(per_ticket("hotrush")),
                f"{extra:+.2f}",
                "≤ +7",
                extra <= 7,
            )
        )
    return rows


def criteria_team_notice(data):
    s = data["summary"]
    notice, idle = s["notice"], s["idle"]
    catch_up = data["catch_up"]
    tickets = max(catch_up["tickets"], 1)
    return [
        _row(
            "P2",
            "after the commit: the SLA action's run a HotRush request triggers "
            "(HR-5 'Respond by' activity, follower, assignment notice) / a run with "
            f"nothing to do, {data['count']:,} each; median time; queries",
            f"{_ms(idle['seconds']['median'])}; {_n(idle['queries']['median'])} q",
            f"{_ms(notice['seconds']['median'])}; {_n(notice['queries']['median'])} q",
            f"{notice['seconds']['median'] - idle['seconds']['median']:+.4f} s; "
            f"{notice['queries']['median'] - idle['queries']['median']:+.0f} q",
            "(not in the request)",
            None,
        ),
        _row(
            "P2",
            f"the same for {catch_up['tickets']:,} requests at once (one run after "
            "the creation benchmark, batches of 100): per ticket",
            "",
            f"{_ms(catch_up['seconds'] / tickets)}; "
            f"{catch_up['queries'] / tickets:.1f} q",
            f"{catch_up['left']} left",
            "(not in the request)",
            None,
        ),
    ]


def criteria_deadlines(data, mode):
    count = f"{data['count']:,}"
    batch = data["batch"]["seconds"]["median"]
    ref = data["plan_hours"]["seconds"]["median"]
    q_batch, q_small = (
        min(data["batch"]["queries"]),
        min(data["batch_small"]["queries"]),
    )
    q_ref = data["plan_hours"]["queries"][0]
    speedup = ref / batch
    speedup_ok, speedup_target, speedup_for = _sized(mode, "P3 speedup", speedup)
    tickets = data["tickets"]["seconds"]["median"]
    oca = data["oca"]["seconds"]["median"]
    return [
        _row(
            "P3",
            f"{count} deadlines, {len(data['calendars'])} calendars: batch planner = "
            "plan_hours per ticket (Odoo's rounded to the second)",
            f"{data['reference_fractional']:,} of Odoo's with sub-second parts",
            f"{data['differ']:,} differ",
            f"{data['count'] - data['differ']:,}/{count} equal",
            "identical",
            data["differ"] == 0 and not data["unplanned"],
        ),
        _row(
            "P3",
            f"time: one plan_hours per ticket / batch planner ({count} deadlines)",
            _s(ref),
            _s(batch),
            f"{speedup:,.0f}× faster",
            speedup_target,
            speedup_ok,
            speedup_for,
        ),
        _row(
            "P3",
            f"queries: batch planner for {count} / for {data['small_count']:,} "
            f"requests (plan_hours per ticket: {q_ref:,})",
            f"{q_small:,}",
            f"{q_batch:,}",
            f"{q_batch - q_small:+d}",
            "O(calendars): same",
            q_batch == q_small,
        ),
        _row(
            "P3",
            f"OCA helpdesk_mgmt_sla recomputing its SLA deadlines of the same {count} "
            f"tickets / the addon recomputing the plans of their HotRush requests "
            f"({data['oca_differ']:,} and "
            f"{data['tickets_differ']:,} differ from plan_hours)",
            f"{_s(oca)}, {data['oca']['queries'][0]:,} q",
            f"{_s(tickets)}, {min(data['tickets']['queries']):,} q",
            f"{oca / tickets:,.0f}× faster",
            "(comparison)",
            None,
        ),
    ]


# P6: the queries one more open ticket may add to a re-planning. Odoo writes 100 rows
# per INSERT or UPDATE (and reads 1,000 records per SELECT), so batched writes of a
# few tables add a few queries per 100 tickets; a query per ticket would add one each.
REPLAN_QUERIES_PER_TICKET = 0.1


def criteria_replan(data, mode):
    count, small = data["count"], data["small_count"]
    checks = data["checks"]
    ref = data["plan_hours"]["seconds"]["median"]
    full = data["holiday"]["seconds"]["median"]
    alone = data["alone"]["seconds"]["median"]
    told = data["notices"]["seconds"]["median"]
    q_large = harness.median(data["holiday"]["queries"])
    q_small = harness.median(data["small"]["queries"])
    q_alone = harness.median(data["alone"]["queries"])
    q_told = harness.median(data["notices"]["queries"])
    q_ref = data["plan_hours"]["queries"][0]
    per_ticket = (q_large - q_small) / max(count - small, 1)
    differ = max(run["differ"] for run in checks)
    ph_differ = max(run["plan_hours_differ"] for run in checks)
    first = checks[0]
    day = str(data["holiday_span"][0])[:10]
    speedup_ok, speedup_target, speedup_for = _sized(mode, "P6 speedup", ref / full)
    return [
        _row(
            "P6",
            f"{count:,} open deadlines on {len(data['calendars'])} calendars re-planned "
            f"after a public holiday ({day}, {data['deadlines_on_holiday']:,} deadlines "
            "that day) = a fresh plan with the holiday: the batch planner (opening, "
            "deadline, status) and plan_hours per ticket (Odoo's rounded to the "
            f"second), each of {len(checks)} runs",
            f"{data['reference_fractional']:,} of Odoo's with sub-second parts",
            f"{differ:,} and {ph_differ:,} differ",
            f"{count - max(differ, ph_differ):,}/{count:,} equal",
            "identical",
            differ == 0 and ph_differ == 0 and not data["unplanned"],
        ),
        _row(
            "P6",
            f"each moved deadline ({first['moved']:,} of {count:,}): one 'move' event "
            "with the save, its customer's notice queued, every run; one notice to "
            "the customer once the SLA action's step ran (first run); the action "
            "woken at once and at the new due minutes",
            "",
            f"{first['events']:,} events ({first['pending_at_once']:,} queued), "
            f"{first['messages']:,} messages ({first['pending']:,} left), "
            f"{first['triggers']:,} wake-ups",
            "",
            "one each, every run",
            all(
                run["one_each"]
                and run["moved"]
                and run["pending_at_once"] == run["moved"]
                and (not run["told"] or (run["told_each"] and not run["pending"]))
                for run in checks
            )
            and first["told"],
        ),
        _row(
            "P6",
            f"time: one plan_hours per ticket / adding the holiday, what the save runs "
            f"up to its commit: the re-planning of {count:,} tickets, their events and "
            f"wake-ups, the messages queued (median of {len(checks)})",
            _s(ref),
            _s(full),
            f"{ref / full:,.1f}× faster",
            speedup_target,
            speedup_ok,
            speedup_for,
        ),
        _row(
            "P6",
            "the same, the re-planning alone (search, one planning per calendar, "
            "batched writes, statuses; the hooks of a moved deadline left out)",
            _s(ref),
            f"{_s(alone)}, {_n(q_alone)} q",
            f"{ref / alone:,.1f}× faster",
            "(its share)",
            None,
        ),
        _row(
            "P6",
            f"after the save: the SLA action's step telling the {first['moved']:,} "
            "customers their deadline moved (a notice e-mailed to each, queued), in "
            f"committed batches of {data['notice_batch']:,} tickets (first run)",
            "",
            f"{_s(told)}, {_n(q_told)} q",
            f"{first['moved'] / told:,.1f} notices/s",
            "(information)",
            None,
        ),
        _row(
            "P6",
            f"queries of adding the holiday: {count:,} / {small:,} open tickets "
            f"(plan_hours per ticket: {q_ref:,})",
            _n(q_small),
            _n(q_large),
            f"{q_large - q_small:+,.0f}: {per_ticket:.3f} per extra ticket",
            f"≤ {REPLAN_QUERIES_PER_TICKET} per extra ticket (batched)",
            per_ticket <= REPLAN_QUERIES_PER_TICKET,
        ),
    ]


def _median_of(runs, key):
    return harness.median([run[key] for run in runs])


def criteria_cron(data, mode):
    small, large = data["runs"]["small"], data["runs"]["large"]
    notices = data["runs"]["notices"]
    t_small, t_large = _median_of(small, "seconds"), _median_of(large, "seconds")
    q_small, q_large = _median_of(small, "queries"), _median_of(large, "queries")
    ratio = t_large / t_small
    open_ok, open_target, open_for = _sized(mode, "P4 open tickets", ratio)
    due = data["due"]
    handled = all(
        run["due_before"] == due
        and run["escalated"] == due
        and not run["others_touched"]
        and not run["due_after"]
        for run in small + large
    )
    open_large = f"{large[0]['open']:,}" if large else "?"
    rows = [
        _row(
            "P4",
            f"SLA scheduled action, one run: {open_large} open tickets of which "
            f"{due:,} due / {due:,} open, all due (median of {data['repeat']})",
            _s(t_small),
            _s(t_large),
            f"{ratio:.3f}",
            open_target,
            open_ok,
            open_for,
        ),
        _row(
            "P4",
            "queries per run: large / small",
            _n(q_small),
            _n(q_large),
            f"{q_large - q_small:+,.0f}",
            "same",
            q_large == q_small,
        ),
        _row(
            "P4",
            f"every run handled exactly the {due:,} due tickets",
            "",
            "yes" if handled else "no",
            "",
            "all runs",
            handled,
        ),
    ]
    # the small and large runs handle the same due tickets with the same queries
    t_run = _median_of(small + large, "seconds") / due
    q_run = _median_of(small + large, "queries") / due
    t_plain = _median_of(notices, "seconds") / due
    q_plain = _median_of(notices, "queries") / due
    ratio = t_run / t_plain
    cost_ok, cost_target, cost_for = _sized(mode, "P4 cost", ratio)
    q_ok, q_target, q_for = _sized(mode, "P4 queries", q_run)
    queued = all(
        run["emails"]
        and run["emails_queued"] == run["emails"]
        and run["mail_queue_woken"]
        for run in small + large
    )
    return rows + [
        _row(
            "P4",
            f"cost per handled ticket: the runs above on their {due:,} due tickets "
            "(opening notices, breaches, escalations) / the notice each must get, made "
            "the plain way on the same tickets (one message_post to its recipients and "
            "one activity_schedule per ticket, e-mails queued alike) after each run; "
            f"medians of {len(small + large)} and {len(notices)}",
            _ms(t_plain),
            _ms(t_run),
            f"{ratio:.3f}",
            cost_target,
            cost_ok,
            cost_for,
        ),
        _row(
            "P4",
            "queries per handled ticket: the run / the plain notice",
            _n(round(q_plain, 1)),
            _n(round(q_run, 1)),
            f"{q_run - q_plain:+.1f}",
            q_target,
            q_ok,
            q_for,
        ),
        _row(
            "P4",
            "the e-mails of the run's notices go to Odoo's e-mail queue, which the run "
            "wakes",
            "",
            f"{small[0]['emails_queued']:,} of {small[0]['emails']:,} queued"
            if small
            else "?",
            "",
            "all queued, queue woken",
            queued,
        ),
    ]


def criteria_portal(data):
    large, small = data["runs"]["large"], data["runs"]["small"]
    q_large, q_small = _median_of(large, "queries"), _median_of(small, "queries")
    t_large, t_small = _median_of(large, "seconds"), _median_of(small, "seconds")
    n_large, n_small = data["tickets"]["large"], data["tickets"]["small"]
    rows_large, rows_small = large[0]["rows"], small[0]["rows"]
    return [
        _row(
            "P5",
            f"/my/tickets sorted by HotRush deadline, customer with {n_large} tickets "
            f"({rows_large} links on the "
            f"page) / with {n_small} ({rows_small} links): queries per request",
            _n(q_small),
            _n(q_large),
            f"{q_large - q_small:+,.0f}",
            "same",
            q_large == q_small and all(r["queries"] == q_large for r in large),
        ),
        _row(
            "P5",
            "time per request (median)",
            _ms(t_small),
            _ms(t_large),
            f"{t_large / t_small:.2f}",
            "(comparison)",
            None,
        ),
    ]


# ----------------------------------------------------------------------------- report


def table(rows):
    head = ("#", "Criterion", "Baseline", "Measured", "Ratio", "Target", "Result")
    keys = ("id", "criterion", "baseline", "measured", "ratio", "target", "result")
    lines = [head, ["---"] * len(head)]
    lines += [[str(row[key]) for key in keys] for row in rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def legend(mode):
    """Whose targets the table's rows were judged against."""
    if mode == "quick":
        return (
            "Targets marked (quick run) are this run's own: a time ratio depends on the "
            "size (fixed costs, small samples), so where the full run's cannot be shown "
            "at the quick sizes it is quoted and a bound they can show is applied; the "
            "other targets hold at any size. A FAIL is a regression."
        )
    return (
        "Targets marked (full run) are the full sizes' own (a quick run has its own "
        "for them); the other targets hold at any size."
    )


def header(info, mode, started, seconds, phases):
    machine = (
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, "
        f"{info['os']}; Python {info['python']}, PostgreSQL {info['postgresql']}, "
        f"Odoo {info['odoo']}"
    )
    load = "/".join(f"{value:.2f}" for value in info["load_average"])
    load_end = "/".join(f"{value:.2f}" for value in info["load_average_end"])
    steps = ", ".join(f"{name} {value:.0f} s" for name, value in phases.items())
    return (
        f"HotRush benchmarks ({mode} run) from scripts/bench, started "
        f"{started:%Y-%m-%d %H:%M} UTC, took {seconds / 60:.1f} min ({steps})\n"
        f"Machine: {machine}\n"
        f"Load average (1/5/15 min) at start {load}, at end {load_end}: other jobs "
        "may share the machine, so each figure is compared with its baseline measured "
        "alternately in the same run"
    )


def run_creation(only, mode, sizes, dbs, ids, own_depends, phase):
    """P1 and P2: the creation benchmark, then what HotRush requests leave to the
    SLA action; returns their rows."""
    from . import cases  # importable once the configuration gives the addons' path

    rows = []
    kinds = {}
    if "P1" in only:
        kinds["base"] = (dbs["base"], ids["base"], False)
        kinds["deps"] = (dbs["deps"], ids["deps"], False)
        kinds["addon"] = (dbs["addon"], ids["hotrush"], False)
    if "P2" in only:
        kinds["plain"] = (dbs["hotrush"], ids["hotrush"], False)
        kinds["hotrush"] = (dbs["hotrush"], ids["hotrush"], True)
    data = phase(
        "creation",
        f"P1/P2: creating {sizes['creation']:,} tickets of each kind "
        f"({', '.join(kinds)}), alternately",
        cases.bench_creation,
        kinds,
        sizes["creation"],
        sizes["warmup"],
    )
    data["dependencies"] = own_depends
    rows += criteria_creation(data, only, mode)
    if "P2" in only:
        data = phase(
            "team_notice",
            "P2: the SLA action's runs that HotRush requests trigger",
            cases.bench_team_notice,
            dbs["hotrush"],
            ids["hotrush"],
            sizes["notice"],
        )
        rows += criteria_team_notice(data)
    return rows


def run(args):
    sizes = QUICK if args.quick else FULL
    mode = "quick" if args.quick else "full"
    logfile = os.path.join(args.workdir, "odoo.log")
    harness.load_config(args.conf, args.prefix, logfile)
    # the addons' modules can be imported once the configuration gives their path
    from . import cases, fixtures, replan

    started = datetime.now(UTC)
    t0 = time.monotonic()
    phases = {}
    dbs = {
        key: f"{args.prefix}_{key}"
        for key in ("base", "deps", "hotrush", "addon", "sla", "ready", "replan")
    }
    depends = get_manifest("hotrush_priority")["depends"]
    own_depends = [
        m
        for m in depends
        if m != "helpdesk_mgmt" and m not in get_manifest("helpdesk_mgmt")["depends"]
    ]
    # helpdesk_mgmt alone; + the addon's dependencies; + the addon; + OCA's SLA module
    stages = [
        {dbs["base"]: (None, "helpdesk_mgmt")},
        {dbs["deps"]: (dbs["base"], ",".join(depends))},
        {dbs["hotrush"]: (dbs["deps"], "hotrush_priority")},
    ]
    if "P3" in args.only:
        stages[1][dbs["sla"]] = (dbs["base"], "helpdesk_mgmt_sla")
    say(
        f"{mode} run; installing helpdesk_mgmt ({dbs['base']}), then its copies with "
        "the addon's dependencies, the addon, OCA helpdesk_mgmt_sla"
    )
    harness.install(args.conf, stages, args.workdir)
    info = harness.machine(dbs["hotrush"])
    ids = {}
    for key in ("hotrush", "base", "deps"):
        if key == "hotrush" or "P1" in args.only:
            with harness.environment(dbs[key]) as env:
                ids[key] = fixtures.setup_common(env)
    if "P1" in args.only:
        # P1's tickets with the addon go to a copy of their own: each P1 database
        # receives the same tickets (P2's HotRush tickets grow the addon's database)
        harness.copy_db(dbs["hotrush"], dbs["addon"])
    if "P4" in args.only:
        harness.copy_db(dbs["hotrush"], dbs["ready"])
    if "P6" in args.only:
        # P6 re-plans every open HotRush ticket of the company: its own copy
        harness.copy_db(dbs["hotrush"], dbs["replan"])
    phases["databases"] = time.monotonic() - t0

    results, rows = {}, []

    def phase(name, message, func, *func_args):
        say(message)
        start = time.monotonic()
        results[name] = func(*func_args)
        phases[name] = time.monotonic() - start
        say(f"{name}: {phases[name]:.0f} s")
        return results[name]

    if args.only & {"P1", "P2"}:
        rows += run_creation(args.only, mode, sizes, dbs, ids, own_depends, phase)
    if "P3" in args.only:
        data = phase(
            "deadlines",
            f"P3: {sizes['deadlines']:,} deadlines over 3 calendars",
            cases.bench_deadlines,
            dbs["hotrush"],
            dbs["sla"],
            ids["hotrush"],
            sizes["deadlines"],
            sizes["deadline_repeat"],
        )
        rows += criteria_deadlines(data, mode)
    if "P6" in args.only:
        data = phase(
            "replan",
            f"P6: a public holiday re-planning {sizes['replan']:,} open deadlines over "
            "3 calendars, against plan_hours per ticket",
            replan.bench_replan,
            dbs["replan"],
            ids["hotrush"],
            sizes["replan"],
            sizes["replan_repeat"],
        )
        rows += criteria_replan(data, mode)
    if "P5" in args.only:
        data = phase(
            "portal",
            "P5: /my/tickets of two portal customers",
            cases.bench_portal,
            dbs["hotrush"],
            ids["hotrush"],
            sizes["portal_large"],
            sizes["portal_small"],
            sizes["portal_repeat"],
        )
        rows += criteria_portal(data)
    if "P4" in args.only:
        data = phase(
            "cron",
            f"P4: SLA scheduled action, {sizes['cron_open']:,} open tickets of which "
            f"{sizes['cron_due']:,} due, against {sizes['cron_due']:,} all due",
            cases.bench_cron,
            dbs["ready"],
            args.prefix,
            ids["hotrush"],
            sizes["cron_open"],
            sizes["cron_due"],
            sizes["cron_repeat"],
        )
        rows += criteria_cron(data, mode)
    rows.sort(key=lambda row: row["id"])

    seconds = time.monotonic() - t0
    info["load_average_end"] = os.getloadavg()
    report = (
        header(info, mode, started, seconds, phases)
        + "\n\n"
        + table(rows)
        + "\n\n"
        + legend(mode)
    )
    print(report, flush=True)
    failed = [row for row in rows if row["result"] == "FAIL"]
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} rows pass or inform; "
        f"{len(failed)} fail.",
        flush=True,
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "mode": mode,
                    "started": started.isoformat(),
                    "seconds": seconds,
                    "sizes": sizes,
                    "phases_seconds": phases,
                    "machine": info,
                    "criteria": rows,
                    "sized_targets": {
                        name: {"full": full, "quick": quick, "target": text}
                        for name, (full, quick, text, _minimum) in SIZED.items()
                    },
                    "results": results,
                    "report": report,
                },
                f,
                indent=1,
                default=str,
            )
        say(f"raw figures in {args.json}")
    if not args.keep_databases:
        for db in harness.list_dbs(args.prefix):
            harness.drop_db(db)
    return 1 if failed else 0


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except Exception:  # noqa: BLE001 - any error: exit status 2, not a failed criterion
        traceback.print_exc()
        say("the benchmark could not run to its end")
        return 2


if __name__ == "__main__":
    sys.exit(main())
