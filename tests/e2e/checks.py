"""Invariants checked on the database after the load, the faults and the races.

Each check returns ``(name, problems, facts)``: it passes when ``problems`` is empty.
"""

from tickets_sql import TICKETS

EPS = 0.005


def _ids(rows, limit=8):
    ids = [str(row[0]) for row in rows]
    more = f" (+{len(ids) - limit} more)" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def hotrush_tickets_planned(sql):
    rows = sql(
        f"""SELECT id FROM {TICKETS} tk
            WHERE hotrush AND (hotrush_requested_at IS NULL OR hotrush_deadline IS NULL
               OR hotrush_sla_status IS NULL)"""
    )
    ((count,),) = sql(f"SELECT count(*) FROM {TICKETS} tk WHERE hotrush")
    problems = (
        [f"HotRush tickets without deadline/status: {_ids(rows)}"] if rows else []
    )
    return (
        "every HotRush ticket has a deadline and an SLA status",
        problems,
        [f"{count} HotRush tickets"],
    )


def ended_urgency_settled(sql):
    rows = sql(
        f"""SELECT id FROM {TICKETS} tk
            WHERE NOT COALESCE(hotrush, false) AND hotrush_requested_at IS NOT NULL
              AND (hotrush_end_action IS NULL OR hotrush_queue_deadline IS NOT NULL
                   OR hotrush_sla_status IS NULL
                   OR hotrush_sla_status IN ('queued', 'running'))"""
    )
    ((count,),) = sql(
        f"SELECT count(*) FROM {TICKETS} tk WHERE NOT COALESCE(hotrush, false) "
        "AND hotrush_requested_at IS NOT NULL"
    )
    problems = [f"ended urgency left open: {_ids(rows)}"] if rows else []
    return (
        "ended urgency is recorded and its SLA clock stopped",
        problems,
        [f"{count} tickets whose urgency ended"],
    )


def events_alternate(sql):
    rows = sql(
        f"""SELECT t.id, COALESCE(t.hotrush, false),
                  string_agg(e.kind, ',' ORDER BY e.id)
             FROM {TICKETS} t
             LEFT JOIN hotrush_event e ON e.ticket_id = t.id AND e.kind != 'move'
            WHERE t.hotrush OR t.hotrush_requested_at IS NOT NULL
            GROUP BY t.id, t.hotrush"""
    )
    bad, events = [], 0
    for ticket_id, flag, kinds in rows:
        kinds = (kinds or "").split(",") if kinds else []
        events += len(kinds)
        expected = ["start" if i % 2 == 0 else "end" for i in range(len(kinds))]
        if not kinds or kinds != expected or (kinds[-1] == "start") != flag:
            bad.append((ticket_id, flag, kinds))
    problems = [
        f"ticket {t}: hotrush={f}, events {','.join(k) or 'none'}"
        for t, f, k in bad[:8]
    ]
    if len(bad) > 8:
        problems.append(f"... {len(bad) - 8} more")
    return (
        "audit events alternate start/end and match the current flag",
        problems,
        [f"{events} events on {len(rows)} tickets"],
    )


def charged_once(sql):
    dupes = sql(
        "SELECT ticket_id, kind, closing, origin_id, count(*) FROM hotrush_charge "
        "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1"
    )
    # what each ticket is billed: its charges less the hours corrections gave back
    billed = """(SELECT COALESCE(sum(CASE c.kind WHEN 'charge' THEN c.hours
                                               ELSE -c.hours END), 0)
                   FROM hotrush_charge c
                  WHERE c.ticket_id = t.id AND c.kind IN ('charge', 'correction'))"""
    wrong = sql(
        f"""SELECT t.id, t.hotrush_billable_hours, {billed}
             FROM {TICKETS} t
             JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
             JOIN helpdesk_ticket_team tm ON tm.id = t.team_id
            WHERE s.closed AND tm.hotrush_support_product_id IS NOT NULL
              AND abs(t.hotrush_billable_hours - {billed}) > %s""",
        (EPS,),
    )
    more = sql(
        f"""SELECT t.id, t.hotrush_billable_hours, {billed} FROM {TICKETS} t
             JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
            WHERE s.closed AND {billed} > t.hotrush_billable_hours + %s""",
        (EPS,),
    )
    lines = sql(
        """SELECT c.ticket_id FROM hotrush_charge c
            WHERE c.kind IN ('charge', 'correction') AND (
                (SELECT count(*) FROM account_move_line_hotrush_charge_rel r
                   JOIN account_move_line l ON l.id = r.account_move_line_id
                  WHERE r.hotrush_charge_id = c.id
                    AND NOT COALESCE(l.hotrush_deduction, false)) <> 1
             OR (SELECT count(*) FROM account_move_line_hotrush_charge_rel r
                   JOIN account_move_line l ON l.id = r.account_move_line_id
                  WHERE r.hotrush_charge_id = c.id AND l.hotrush_deduction) > 1)"""
    )
    counts = dict(sql("SELECT kind, count(*) FROM hotrush_charge GROUP BY kind"))
    ((reopened,),) = sql(
        f"SELECT count(*) FROM {TICKETS} tk WHERE hotrush_closing_count > 1"
    )
    problems = []
    if dupes:
        problems.append(f"a closing billed twice: {dupes[:8]}")
    if wrong:
        problems.append(f"closed tickets billed other hours than theirs: {wrong[:8]}")
    if more:
        problems.append(f"tickets billed for more hours than they have: {more[:8]}")
    if lines:
        problems.append(f"charges without exactly one invoice line: {_ids(lines)}")
    return (
        "each closing billed once; every closed ticket billed its hours, never more",
        problems,
        [
            (
                f"{counts.get('charge', 0)} charges, "
                f"{counts.get('correction', 0)} corrections, "
                f"{reopened} tickets closed more than once"
            )
        ],
    )


def surcharge_refunds(sql):
    rows = sql(
        """SELECT c.id, c.ticket_id, c.multiplier, COALESCE(t.hotrush, false),
                  (SELECT count(*) FROM hotrush_charge r
                    WHERE r.origin_id = c.id AND r.kind = 'surcharge_refund'),
                  (SELECT COALESCE(sum(r.amount + r.hours
                          * round((r.unit_price * r.multiplier)::numeric, 2)), 0)
                     FROM hotrush_charge r
                    WHERE r.origin_id = c.id AND r.kind = 'surcharge_refund')
             FROM hotrush_charge c JOIN helpdesk_ticket t ON t.id = c.ticket_id
            WHERE c.kind = 'charge'"""
    )
    problems, refunds = [], 0
    for charge_id, _ticket, multiplier, flag, count, off in rows:
        refunds += count
        due = multiplier > 1 and not flag
        if count > 1 or (due and count != 1) or (multiplier <= 1 and count):
            problems.append(f"charge {charge_id}: {count} surcharge refunds")
        elif count and abs(float(off)) > EPS:
            problems.append(
                f"charge {charge_id}: refund differs from its hours by {off}"
            )
    return (
        "surcharges of ended urgency refunded exactly once, per charge",
        problems[:8],
        [f"{refunds} surcharge refunds"],
    )


def balances_consistent(sql):
    stored = sql(
        """SELECT b.id, b.amount, COALESCE(sum(l.amount), 0)
             FROM hotrush_support_balance b
             LEFT JOIN hotrush_support_balance_line l ON l.balance_id = b.id
            GROUP BY b.id
           HAVING abs(b.amount - COALESCE(sum(l.amount), 0)) > %s""",
        (EPS,),
    )
    negative = sql(
        "SELECT id, amount FROM hotrush_support_balance WHERE amount < %s", (-EPS,)
    )
    topups = sql(
        """SELECT l.id FROM hotrush_support_balance_line l
             JOIN account_move_line aml ON aml.id = l.move_line_id
            WHERE l.kind = 'topup' AND abs(l.amount + aml.balance) > %s""",
        (EPS,),
    )
    # per support invoice and ticket, the balance holds what the invoice deducts
    # less what posted credit notes gave back; nothing when it is cancelled (HR-87)
    deductions = sql(
        """WITH pairs AS (
                SELECT l.move_id, l.hotrush_ticket_id AS ticket_id
                  FROM account_move_line l JOIN account_move m ON m.id = l.move_id
                 WHERE m.move_type = 'out_invoice' AND l.hotrush_deduction
                UNION
                SELECT l.move_id, l.ticket_id FROM hotrush_support_balance_line l
                 WHERE l.kind IN ('charge', 'refund', 'charge_reversal')
                   AND l.ticket_id IS NOT NULL)
           SELECT p.move_id, p.ticket_id, booked.total, deducted.total,
                  returned.total, m.state
             FROM pairs p JOIN account_move m ON m.id = p.move_id
             CROSS JOIN LATERAL (
                 SELECT COALESCE(-sum(price_subtotal), 0) AS total
                   FROM account_move_line l
                  WHERE l.move_id = p.move_id AND l.hotrush_ticket_id = p.ticket_id
                    AND l.hotrush_deduction) deducted
             CROSS JOIN LATERAL (
                 SELECT COALESCE(-sum(l.price_subtotal), 0) AS total
                   FROM account_move_line l JOIN account_move r ON r.id = l.move_id
                  WHERE r.reversed_entry_id = p.move_id AND r.state = 'posted'
                    AND l.hotrush_ticket_id = p.ticket_id AND l.hotrush_deduction
                 ) returned
             CROSS JOIN LATERAL (
                 SELECT COALESCE(sum(amount), 0) AS total
                   FROM hotrush_support_balance_line l
                  WHERE l.move_id = p.move_id AND l.ticket_id = p.ticket_id
                    AND l.kind IN ('charge', 'refund', 'charge_reversal')) booked
            WHERE m.move_type = 'out_invoice' AND abs(booked.total - CASE
                  WHEN m.state = 'cancel' THEN 0
                  ELSE -GREATEST(deducted.total - GREATEST(returned.total, 0), 0)
                  END) > %s""",
        (EPS,),
    )
    kinds = dict(
        sql("SELECT kind, sum(amount) FROM hotrush_support_balance_line GROUP BY kind")
    )
    ((count, total),) = sql("SELECT count(*), sum(amount) FROM hotrush_support_balance")
    states = dict(
        sql(
            "SELECT move_type || ' ' || state, count(*) FROM account_move "
            "WHERE hotrush_support_invoice OR reversed_entry_id IN "
            "(SELECT id FROM account_move WHERE hotrush_support_invoice) "
            "GROUP BY 1"
        )
    )
    problems = []
    if stored:
        problems.append(f"stored amount != sum of movements: {stored[:8]}")
    if negative:
        problems.append(f"overdrawn balances: {negative[:8]}")
    if topups:
        problems.append(f"top-ups differing from their invoice line: {_ids(topups)}")
    if deductions:
        problems.append(
            f"balance movements != what the invoices deduct: {deductions[:8]}"
        )
    facts = [
        f"{count} balances, total {float(total or 0):.2f} = "
        + " + ".join(f"{kind} {float(kinds[kind]):.2f}" for kind in sorted(kinds)),
        "support invoices and their credit notes: "
        + ", ".join(f"{key} {states[key]}" for key in sorted(states)),
    ]
    return (
        (
            "every balance = sum of its movements = what its invoices deduct, "
            "after reversals"
        ),
        problems,
        facts,
    )


def one_draft_support_invoice(sql):
    rows = sql(
        """SELECT partner_id, company_id, count(*) FROM account_move
            WHERE hotrush_support_invoice AND state = 'draft' AND move_type = 'out_invoice'
            GROUP BY 1, 2 HAVING count(*) > 1"""
    )
    ((count,),) = sql(
        "SELECT count(*) FROM account_move WHERE hotrush_support_invoice "
        "AND state = 'draft'"
    )
    problems = (
        [f"customers with several draft support invoices: {rows[:8]}"] if rows else []
    )
    return (
        "one draft support invoice per customer",
        problems,
        [f"{count} draft support invoices"],
    )


def sla_notices_once(sql, batch):
    per_ticket = sql(
        f"""SELECT t.id,
                  (SELECT count(*) FROM hotrush_event e
                    WHERE e.ticket_id = t.id AND e.kind = 'start'),
                  (SELECT count(*) FROM mail_message m
                    WHERE m.model = 'helpdesk.ticket' AND m.res_id = t.id
                      AND m.body::text LIKE %s),
                  (SELECT count(*) FROM mail_message m
                    WHERE m.model = 'helpdesk.ticket' AND m.res_id = t.id
                      AND m.body::text LIKE %s)
             FROM {TICKETS} t
            WHERE t.hotrush_requested_at IS NOT NULL""",
        ("%HotRush SLA breached:%", "%HotRush deadline approaching: respond publicly%"),
    )
    batch_set = set(batch)
    problems, breaches, warnings = [], 0, 0
    for ticket_id, starts, breached, warned in per_ticket:
        breaches += breached
        warnings += warned
        if breached > starts or warned > starts:
            problems.append(
                f"ticket {ticket_id}: {breached} breach / {warned} warning notices "
                f"for {starts} requests"
            )
        if ticket_id in batch_set and breached != 1:
            problems.append(f"batch ticket {ticket_id}: {breached} breach notices")
    activities = sql(
        """SELECT res_id, count(*) FROM mail_activity
            WHERE res_model = 'helpdesk.ticket' AND res_id = ANY(%s)
              AND summary LIKE 'HotRush breached%%'
            GROUP BY res_id HAVING count(*) <> 1""",
        (batch,),
    )
    ((escalated,),) = sql(
        f"SELECT count(*) FROM {TICKETS} tk WHERE id = ANY(%s) "
        "AND hotrush_escalated_at IS NOT NULL AND hotrush_sla_status = 'breached'",
        (batch,),
    )
    if escalated != len(batch):
        problems.append(f"batch: {escalated}/{len(batch)} escalated")
    if activities:
        problems.append(
            f"batch tickets without exactly one escalation activity: {activities[:8]}"
        )
    ((active, failures),) = sql(
        "SELECT c.active, c.failure_count FROM ir_cron c JOIN ir_model_data d "
        "ON d.res_id = c.id AND d.model = 'ir.cron' "
        "WHERE d.module = 'hotrush_priority' AND d.name = 'ir_cron_hotrush_sla'"
    )
    if not active:
        problems.append("the SLA scheduled action was deactivated")
    return (
        "SLA action: each notice once per request, interrupted batch done once",
        problems[:10],
        [
            (
                f"{breaches} breach and {warnings} warning notices; batch "
                f"{escalated}/{len(batch)} escalated once; cron failure_count {failures}"
            )
        ],
    )


def team_notices(sql, load_started_at, settle_seconds=30):
    """HR-5: every request got its team notice from the run it triggered, at once."""
    rows = sql(
        f"""SELECT t.id, t.hotrush_sla_status, t.hotrush_team_notified_at IS NOT NULL,
                  EXTRACT(EPOCH FROM t.hotrush_team_notified_at
                                     - t.hotrush_requested_at)::float,
                  t.hotrush_requested_at
                      < (now() AT TIME ZONE 'UTC') - make_interval(secs => %s),
                  (SELECT count(*) FROM mail_activity a
                    WHERE a.res_model = 'helpdesk.ticket' AND a.res_id = t.id
                      AND a.active AND a.summary LIKE 'Respond by%%')
             FROM {TICKETS} t
            WHERE t.hotrush_requested_at >= %s""",
        (settle_seconds, load_started_at),
    )
    problems, delays = [], []
    for ticket_id, status, notified, delay, settled, activities in rows:
        if notified:
            delays.append(delay)
            if status in ("queued", "running") and activities != 1:
                problems.append(
                    f"ticket {ticket_id}: {activities} open 'Respond by' activities"
                )
        elif status in ("queued", "running") and settled:
            problems.append(
                f"ticket {ticket_id}: no team notice {settle_seconds} s after the request"
            )
    delays.sort()

    def pct(p):
        return delays[min(int(p * len(delays)), len(delays) - 1)] if delays else 0.0

    return (
        "HR-5: each request's team notice given by the run it triggered",
        problems[:10],
        [
            (
                f"{len(delays)} of {len(rows)} requests of the load notified; request "
                f"to notice p50 {pct(0.5):.2f} s, p95 {pct(0.95):.2f} s, max "
                f"{(delays[-1] if delays else 0.0):.2f} s (faults included)"
            )
        ],
    )


# HR-85: how late a notice may come after its due moment
DUE_P95_SECONDS = 90
DUE_MAX_SECONDS = 150


def _delays(sql, query, params):
    """Seconds from each due moment to its notice; an overdue notice still missing
    counts as late as it is now."""
    return sorted(row[0] for row in sql(query, params) if row[0] is not None)


def due_delays(sql, exact_ids, load_started_at):
    """HR-85: openings, warnings and breaches come at their moment, under the load."""
    now = "(now() AT TIME ZONE 'UTC')"
    kinds = {
        "opening": (
            f"""SELECT EXTRACT(EPOCH FROM COALESCE(hotrush_opening_notified_at, {now})
                                     - hotrush_queued_until)::float
                  FROM {TICKETS} tk
                 WHERE id = ANY(%s) AND hotrush_queued_until IS NOT NULL
                   AND hotrush_queued_until <= {now}""",
            (exact_ids,),
        ),
        "breach": (
            f"""SELECT EXTRACT(EPOCH FROM COALESCE(t.hotrush_escalated_at, {now})
                                     - (t.hotrush_deadline
                                        + make_interval(mins => c.hotrush_grace_minutes)
                                        + interval '1 second'))::float
                  FROM {TICKETS} t JOIN res_company c ON c.id = t.company_id
                 WHERE t.id = ANY(%s) AND t.hotrush_first_response_at IS NULL
                   AND t.hotrush_deadline
                       + make_interval(mins => c.hotrush_grace_minutes) < {now}""",
            (exact_ids,),
        ),
        # a warning is due at its lead before the deadline, once the team had its
        # notice (HR-5): every HotRush ticket requested during the load, and these
        "warning": (
            f"""SELECT EXTRACT(EPOCH FROM COALESCE(t.hotrush_warned_at, {now})
                         - GREATEST(t.hotrush_deadline
                                    - make_interval(mins => c.hotrush_warning_minutes),
                                    t.hotrush_team_notified_at))::float
                  FROM {TICKETS} t JOIN res_company c ON c.id = t.company_id
                 WHERE (t.id = ANY(%s) OR t.hotrush_requested_at >= %s)
                   AND t.hotrush_team_notified_at IS NOT NULL
                   AND (t.hotrush_warned_at IS NOT NULL
                        OR t.hotrush_sla_status IN ('queued', 'running'))""",
            (exact_ids, load_started_at),
        ),
    }
    problems, facts = [], []
    for kind, (query, params) in kinds.items():
        delays = _delays(sql, query, params)
        if not delays:
            problems.append(f"{kind}: no due moment was measured")
            continue
        p50 = delays[len(delays) // 2]
        p95 = delays[min(int(0.95 * len(delays)), len(delays) - 1)]
        facts.append(
            f"{kind}: {len(delays)} notices, due to notice p50 {p50:.1f} s, "
            f"p95 {p95:.1f} s, max {delays[-1]:.1f} s"
        )
        if p95 > DUE_P95_SECONDS or delays[-1] > DUE_MAX_SECONDS:
            problems.append(
                f"{kind}: p95 {p95:.1f} s (at most {DUE_P95_SECONDS}), max "
                f"{delays[-1]:.1f} s (at most {DUE_MAX_SECONDS})"
            )
    return (
        "HR-85: notices at their moment (faults included)",
        problems,
        facts,
    )


def portal_submissions(sql, partners, ok_submits, uncertain_submits):
    # the tickets of the portal, not those the mail gateway made (HR-83)
    ((count,),) = sql(
        f"""SELECT count(*) FROM {TICKETS} t
            WHERE t.commercial_partner_id = ANY(%s)
              AND NOT EXISTS (
                  SELECT 1 FROM mail_message m
                   WHERE m.model = 'helpdesk.ticket' AND m.res_id = t.id
                     AND m.message_type = 'email')""",
        (partners,),
    )
    problems = []
    if not ok_submits <= count <= ok_submits + uncertain_submits:
        problems.append(
            f"{count} tickets for {ok_submits} accepted submissions "
            f"(+{uncertain_submits} interrupted by faults)"
        )
    return (
        "each accepted portal submission made exactly one ticket",
        problems,
        [
            f"{count} tickets from {ok_submits} accepted submissions"
            + (
                f" and {uncertain_submits} interrupted by faults"
                if uncertain_submits
                else ""
            )
        ],
    )


# the customers' notices (HR-81, HR-83): subject prefix -> the request marker that
# tells it (None: told once per ticket at most)
NOTICE_SUBJECTS = {
    "HotRush accepted:": "hotrush_told_request_at",
    "HotRush queued until support opens:": "hotrush_told_request_at",
    "HotRush clock running, support opened:": "hotrush_told_opening_at",
    "HotRush answered in time:": "hotrush_told_answer_at",
    "HotRush deadline missed:": "hotrush_told_breach_at",
    "HotRush ended at your request:": "hotrush_told_end_at",
    "HotRush removed:": "hotrush_told_end_at",
    "HotRush not possible by e-mail:": None,
}


def customer_notices_once(sql):
    """Each customer notice at most once per request, and given wherever its marker
    says the customer was told (customers with an e-mail address)."""
    rows = sql(
        f"""SELECT t.id, p.email IS NOT NULL AND p.email != '',
                  (SELECT count(*) FROM hotrush_event e
                    WHERE e.ticket_id = t.id AND e.kind = 'start'),
                  t.hotrush_told_request_at IS NOT NULL,
                  t.hotrush_told_opening_at IS NOT NULL,
                  t.hotrush_told_answer_at IS NOT NULL,
                  t.hotrush_told_breach_at IS NOT NULL,
                  t.hotrush_told_end_at IS NOT NULL,
                  t.hotrush_mail_refusal,
                  ARRAY(SELECT m.subject FROM mail_message m
                         WHERE m.model = 'helpdesk.ticket' AND m.res_id = t.id
                           AND m.message_type = 'auto_comment'
                           AND m.subject LIKE 'HotRush %%')
             FROM {TICKETS} t
             LEFT JOIN res_partner p ON p.id = t.partner_id
            WHERE t.hotrush_requested_at IS NOT NULL
               OR t.hotrush_mail_refusal IS NOT NULL"""
    )
    markers = [
        "hotrush_told_request_at",
        "hotrush_told_opening_at",
        "hotrush_told_answer_at",
        "hotrush_told_breach_at",
        "hotrush_told_end_at",
    ]
    problems, told = [], 0
    for ticket_id, has_email, starts, *flags, refusal, subjects in rows:
        marked = dict(zip(markers, flags, strict=True))
        counts = dict.fromkeys(NOTICE_SUBJECTS, 0)
        for subject in subjects:
            prefix = next((p for p in NOTICE_SUBJECTS if subject.startswith(p)), None)
            if prefix:
                counts[prefix] += 1
        told += sum(counts.values())
        per_marker = {}
        for prefix, count in counts.items():
            marker = NOTICE_SUBJECTS[prefix]
            limit = starts if marker else 1
            if count > limit:
                problems.append(
                    f"ticket {ticket_id}: {count} notices '{prefix}' for {limit} "
                    "request(s)"
                )
            if marker:
                per_marker[marker] = per_marker.get(marker, 0) + count
        for marker, is_set in marked.items():
            if is_set and has_email and not per_marker.get(marker):
                problems.append(f"ticket {ticket_id}: {marker} set, no notice")
        if refusal and has_email and counts["HotRush not possible by e-mail:"] != 1:
            problems.append(f"ticket {ticket_id}: refused by e-mail, not told once")
    return (
        "customer notices: each at most once per request, given when marked told",
        problems[:10],
        [f"{told} notices on {len(rows)} tickets"],
    )


def mail_channel(sql, mails):
    """HR-83 under load: each e-mail the gateway accepted made one ticket; an
    authenticated one a HotRush request (or a refusal the customer was told, when
    their balance ran out), a forged one a normal ticket that charges nobody more;
    a reply with a marker never changed urgency."""
    new = [mail for mail in mails if mail["kind"] == "new" and mail["delivered"]]
    replies = [mail for mail in mails if mail["kind"] == "reply"]
    if not new:
        return ("HR-83: e-mails to the helpdesk", ["no e-mail was delivered"], [])
    rows = sql(
        f"""SELECT t.id, t.hotrush_mail_refusal, t.hotrush_requested_at IS NOT NULL,
                  (SELECT count(*) FROM hotrush_event e
                    WHERE e.ticket_id = t.id AND e.kind = 'start'),
                  (SELECT count(*) FROM hotrush_event e
                    WHERE e.ticket_id = t.id AND e.kind = 'start'
                      AND e.user_id = t.create_uid),
                  (SELECT count(*) FROM mail_message m
                    WHERE m.model = 'helpdesk.ticket' AND m.res_id = t.id
                      AND m.message_id = ANY(%s))
             FROM {TICKETS} t WHERE t.id = ANY(%s)""",
        (
            [mail["message_id"] for mail in mails],
            [mail["ticket_id"] for mail in new],
        ),
    )
    found = {row[0]: row[1:] for row in rows}
    problems = []
    urgent = forged = 0
    replied = {mail["ticket_id"] for mail in replies if mail["delivered"]}
    for mail in new:
        row = found.get(mail["ticket_id"])
        if row is None:
            problems.append(f"{mail['message_id']}: no ticket {mail['ticket_id']}")
            continue
        refusal, requested, starts, by_gateway, messages = row
        its_replies = [r for r in replies if r["ticket_id"] == mail["ticket_id"]]
        delivered = 1 + sum(1 for reply in its_replies if reply["delivered"])
        if not delivered <= messages <= 1 + len(its_replies):
            problems.append(
                f"ticket {mail['ticket_id']}: {messages} e-mails in its conversation "
                f"for {delivered} delivered"
            )
        if by_gateway > 1:
            problems.append(
                f"ticket {mail['ticket_id']}: a reply started urgency again"
            )
        if mail["authenticated"]:
            if requested and not refusal:
                urgent += 1
            elif refusal != "balance":
                problems.append(
                    f"ticket {mail['ticket_id']}: authenticated, refused ({refusal})"
                )
        else:
            forged += 1
            if refusal != "unauthenticated" or starts:
                problems.append(
                    f"ticket {mail['ticket_id']}: forged sender, refusal {refusal}, "
                    f"{starts} requests"
                )
    return (
        "HR-83: e-mailed requests under load (authenticated, forged, replies)",
        problems[:10],
        [
            (
                f"{len(new)} new e-mails: {urgent} HotRush, {forged} forged sender "
                f"kept normal, {len(new) - urgent - forged} refused for their "
                f"balance; {sum(r['delivered'] for r in replies)} replies with a marker "
                f"to {len(replied)} "
                "tickets"
            )
        ],
    )


# how the SLA action's notes to the team and the assignee begin (opening, warning,
# breach, the team's notice of a request)
AGENTS_NOTICE = r"^(<p>)?(HotRush |Support is open: this HotRush)"


def _mail_kind(message_type, subject, internal_hotrush):
    """customer (a HotRush notice), agents (an SLA or team notice: an internal note
    of HotRush the addon notifies) or other."""
    if message_type == "auto_comment" and (subject or "").startswith("HotRush "):
        return "customer"
    if message_type == "notification" and internal_hotrush:
        return "agents"
    return "other"


def _notified_emails(sql, since):
    """The e-mail notifications of messages made since ``since``: one dict each."""
    rows = sql(
        """SELECT m.message_id, lower(p.email), n.notification_status,
                  m.message_type, m.subject,
                  m.body::text ~ %s AND COALESCE(st.internal, false),
                  EXISTS(SELECT 1 FROM res_users u
                          WHERE u.partner_id = p.id AND NOT u.share),
                  EXISTS(SELECT 1 FROM res_users u
                          WHERE u.partner_id = p.id AND u.share),
                  lower(tp.email),
                  EXTRACT(EPOCH FROM m.create_date AT TIME ZONE 'UTC')::float
             FROM mail_notification n
             JOIN mail_message m ON m.id = n.mail_message_id
             JOIN res_partner p ON p.id = n.res_partner_id
             LEFT JOIN mail_message_subtype st ON st.id = m.subtype_id
             LEFT JOIN helpdesk_ticket t
                    ON m.model = 'helpdesk.ticket' AND t.id = m.res_id
             LEFT JOIN res_partner tp ON tp.id = t.partner_id
            WHERE n.notification_type = 'email' AND m.create_date >= %s
              AND n.notification_status != 'canceled'
              AND COALESCE(p.email, '') != ''""",
        (AGENTS_NOTICE, since),
    )
    keys = (
        "message_id",
        "address",
        "status",
        "message_type",
        "subject",
        "internal_hotrush",
        "internal",
        "customer",
        "ticket_customer",
        "created",
    )
    notified = [dict(zip(keys, row, strict=True)) for row in rows]
    for row in notified:
        row["kind"] = _mail_kind(
            row["message_type"], row["subject"], row["internal_hotrush"]
        )
    return notified


def _user_addresses(sql, share):
    return {
        email
        for (email,) in sql(
            "SELECT lower(p.email) FROM res_users u JOIN res_partner p "
            "ON p.id = u.partner_id WHERE u.share = %s AND p.email IS NOT NULL",
            (share,),
        )
    }


def _judge_notification(row, times, in_outage):
    """(problems, forgiven) of one notification and the times it arrived."""
    what = f"{row['kind']} e-mail {row['message_id']} to {row['address']}"
    if not times:
        return [f"{what}: not delivered (notification {row['status']})"], False
    problems, forgiven = [], False
    if len(times) > 1:
        if in_outage(times[0]):
            forgiven = True
        else:
            problems.append(f"{what}: delivered {len(times)} times")
    customer = row["kind"] == "customer" and row["customer"]
    if customer and row["address"] != row["ticket_customer"]:
        problems.append(f"{what}: not its ticket's customer {row['ticket_customer']}")
    if row["kind"] == "agents" and not row["internal"]:
        problems.append(f"{what}: not an internal user")
    return problems, forgiven


def mail_delivery(sql, delivered, since, outages, refusals):
    """What the SMTP server received: every e-mail notification Odoo made during the
    load delivered once to its recipient's address; a customer notice to its
    ticket's customer and no other customer; an agents' notice to internal users
    only; the e-mails due while the server refused connections delivered after it.

    A second delivery is forgiven only when the first came during a database
    outage (the e-mail left, the commit that marks it sent did not: Odoo sends it
    again, as any mail queue must when it cannot know).

    :param delivered: smtp_sink.Delivered of the run
    :param since: when the load began (UTC, naive)
    :param outages: (start, end) epoch seconds of each fault that can cut a commit
        after the e-mail left (database outages, killed workers)
    :param refusals: (start, end) epoch seconds of each SMTP refusal
    """
    notified = _notified_emails(sql, since)
    internal, customers = _user_addresses(sql, False), _user_addresses(sql, True)
    arrivals = {}  # (Message-Id, address) -> [epoch seconds]
    for mail in delivered:
        for address in mail.rcpt_tos:
            arrivals.setdefault((mail.message_id, address), []).append(mail.at)

    def in_outage(at):
        return any(start - 1 <= at <= end + 10 for start, end in outages)

    problems, forgiven, after_refusal = [], 0, 0
    counts = dict.fromkeys(("customer", "agents", "other"), 0)
    told = set()
    for row in notified:
        times = sorted(arrivals.get((row["message_id"], row["address"]), []))
        found, again = _judge_notification(row, times, in_outage)
        problems += found
        forgiven += again
        if not times:
            continue
        counts[row["kind"]] += 1
        if row["kind"] == "customer":
            told.add(row["address"])
        after_refusal += any(
            start <= row["created"] <= end < times[0] for start, end in refusals
        )
    # what reached an address no notification of its message names
    kinds = {row["message_id"]: row["kind"] for row in notified}
    expected = {(row["message_id"], row["address"]) for row in notified}
    for message_id, address in set(arrivals) - expected:
        kind = kinds.get(message_id)
        if kind == "customer" and address in customers:
            problems.append(f"customer notice {message_id} reached another {address}")
        elif kind == "agents" and address not in internal:
            problems.append(f"agents' notice {message_id} reached {address}")
    if refusals and not after_refusal:
        problems.append("no e-mail was due while the SMTP server refused connections")
    earlier = sum(len(t) for (m, _a), t in arrivals.items() if m not in kinds)
    more = [f"... {len(problems) - 10} more"] if len(problems) > 10 else []
    return (
        "e-mails: each notification delivered once, to its own recipients",
        problems[:10] + more,
        [
            (
                f"{sum(counts.values())} e-mails delivered: {counts['customer']} "
                f"customer notices to {len(told)} customers, {counts['agents']} "
                f"agents' notices to agents, {counts['other']} other (conversation, "
                "helpdesk_mgmt's own)"
            ),
            (
                f"{after_refusal} made while the SMTP server refused connections, "
                f"delivered once after it; {forgiven} delivered again after a "
                "database outage or a killed worker cut the commit of their first "
                "delivery; "
                f"{earlier} deliveries of e-mails made before the load"
            ),
        ],
    )


def run_all(
    sql,
    fixture,
    ok_submits,
    uncertain_submits,
    load_started_at,
    mails=(),
    smtp=None,
):
    """Every invariant; ``smtp``: (delivered, outages, refusals) of the SMTP sink."""
    partners = [c["partner_id"] for c in fixture["customers"]]
    deliveries = (
        [mail_delivery(sql, smtp[0], load_started_at, *smtp[1:])] if smtp else []
    )
    return [
        hotrush_tickets_planned(sql),
        ended_urgency_settled(sql),
        events_alternate(sql),
        charged_once(sql),
        surcharge_refunds(sql),
        balances_consistent(sql),
        one_draft_support_invoice(sql),
        sla_notices_once(sql, fixture["batch"]["ticket_ids"]),
        team_notices(sql, load_started_at),
        portal_submissions(sql, partners, ok_submits, uncertain_submits),
        due_delays(sql, fixture["exact"]["ticket_ids"], load_started_at),
        mail_channel(sql, list(mails)),
        customer_notices_once(sql),
        *deliveries,
    ]
