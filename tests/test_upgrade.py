"""Upgrade safety: ``-u hotrush_priority`` keeps the data of a database in use.

There is no earlier tagged release of the addon (19.0.1.0.0 is the first version), so
this upgrades the same version over itself. That exercises what an upgrade does to live
data: data files reloaded, ``noupdate`` records left as the users changed them, stored
fields and constraints kept. The data is created through ``odoo shell`` on a copy of the
test database, compared row by row before and after, and the upgrade log must be free of
WARNING and ERROR lines.
"""

import subprocess

from conftest import sql

# Runs in `odoo shell` (superuser env); prints the ids it created.
CREATE_DATA = """
from odoo import Command

company = env.company
calendar = env["resource.calendar"].create({
    "name": "Upgrade test support hours",
    "tz": "Europe/Moscow",
    "attendance_ids": [Command.clear()] + [
        Command.create({
            "name": f"Day {day}",
            "dayofweek": str(day),
            "hour_from": 0.0,
            "hour_to": 24.0,
            "day_period": "morning",
        })
        for day in range(7)
    ],
})
support = env["product.product"].create(
    {"name": "Upgrade test support hour", "type": "service", "lst_price": 80.0}
)
prepaid = env["product.product"].create({
    "name": "Upgrade test prepaid support",
    "type": "service",
    "lst_price": 500.0,
    "hotrush_prepaid_support": True,
})
dev_team = env["helpdesk.ticket.team"].create({"name": "Upgrade test development"})
team = env["helpdesk.ticket.team"].create({
    "name": "Upgrade test support",
    "hotrush_offered": True,
    "hotrush_calendar_id": calendar.id,
    "hotrush_support_product_id": support.id,
    "user_id": env.ref("base.user_admin").id,
})
# settings a manager changed: an upgrade must keep them
company.write({
    "hotrush_calendar_id": calendar.id,
    "hotrush_rate_multiplier": 3.0,
    "hotrush_grace_minutes": 10,
    "hotrush_warning_minutes": 20,
    "hotrush_waive_breached": True,
    "hotrush_prepaid_product_id": prepaid.id,
    "hotrush_development_team_id": dev_team.id,
})
# noupdate data a manager changed: an upgrade must not reset it
env.ref("hotrush_priority.chat_tool_zoom").write({"active": False, "sequence": 99})
env.ref("hotrush_priority.ir_cron_hotrush_sla").write({"interval_number": 15})

customer = env["res.partner"].create({"name": "Upgrade Customer", "is_company": True})
balance = env["hotrush.support.balance"]._get_for(customer, company)
balance.line_ids.create({
    "balance_id": balance.id,
    "kind": "adjustment",
    "amount": 1000.0,
    "expiry_date": "2099-12-31",
    "note": "Upgrade test top-up",
})
Ticket = env["helpdesk.ticket"]
answered = Ticket.create({
    "name": "Upgrade test: answered",
    "description": "<p>Checkout is down.</p>",
    "team_id": team.id,
    "partner_id": customer.id,
    "hotrush": True,
})
answered.message_post(
    body="We are on it.", message_type="comment", subtype_xmlid="mail.mt_comment"
)
withdrawn = Ticket.create({
    "name": "Upgrade test: withdrawn",
    "description": "<p>Slow reports.</p>",
    "team_id": team.id,
    "partner_id": customer.id,
    "user_id": env.ref("base.user_admin").id,
    "hotrush": True,
})
withdrawn.action_hotrush_withdraw(note="Not urgent after all")
charged = Ticket.create({
    "name": "Upgrade test: charged",
    "description": "<p>Import fails.</p>",
    "team_id": team.id,
    "partner_id": customer.id,
    "user_id": env.ref("base.user_admin").id,
    "hotrush": True,
    "hotrush_billable_hours": 1.5,
})
charged.write({"stage_id": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id})
assert charged.hotrush_charge_ids, "the closed ticket was not charged"
# the run of the SLA action the requests triggered: the 'Respond by' activities
env["helpdesk.ticket"]._cron_hotrush_sla()
env.cr.commit()
print("TICKETS", ",".join(str(i) for i in (answered | withdrawn | charged).ids))
print("COMPANY", company.id)
"""


def snapshot(db, ticket_ids, company_id):
    """The rows an upgrade must leave alone, per table, ordered by id."""
    tickets = ",".join(ticket_ids)
    queries = {
        "tickets": f"""SELECT id, name, team_id, partner_id, user_id, stage_id,
                priority, hotrush, hotrush_requested_at, hotrush_requested_by_id,
                hotrush_deadline, hotrush_queued_until, hotrush_queue_deadline,
                hotrush_first_response_at, hotrush_first_response_user_id,
                hotrush_response_working_minutes, hotrush_sla_status,
                hotrush_priority_before, hotrush_team_notified_at,
                hotrush_end_action, hotrush_ended_at,
                hotrush_billable_hours, write_date
            FROM helpdesk_ticket WHERE id IN ({tickets}) ORDER BY id""",
        "events": "SELECT * FROM hotrush_event ORDER BY id",
        "balances": "SELECT * FROM hotrush_support_balance ORDER BY id",
        "balance_lines": "SELECT * FROM hotrush_support_balance_line ORDER BY id",
        "charges": "SELECT * FROM hotrush_charge ORDER BY id",
        "charge_lines": """SELECT * FROM account_move_line_hotrush_charge_rel
            ORDER BY 1, 2""",
        "invoice_lines": """SELECT id, move_id, product_id, quantity, price_unit,
                price_subtotal, name::text, hotrush_ticket_id, hotrush_deduction
            FROM account_move_line WHERE hotrush_ticket_id IS NOT NULL ORDER BY id""",
        "invoices": """SELECT id, state, move_type, partner_id, amount_total,
                hotrush_support_invoice
            FROM account_move WHERE hotrush_support_invoice ORDER BY id""",
        "activities": f"""SELECT id, res_id, activity_type_id, user_id, date_deadline,
                summary
            FROM mail_activity
            WHERE res_model = 'helpdesk.ticket' AND res_id IN ({tickets})
            ORDER BY id""",
        "company": f"""SELECT hotrush_calendar_id, hotrush_response_hours,
                hotrush_grace_minutes, hotrush_warning_minutes,
                hotrush_development_team_id, hotrush_rate_multiplier,
                hotrush_waive_breached, hotrush_prepaid_product_id
            FROM res_company WHERE id = {company_id}""",
        "chat_tools": """SELECT id, name::text, sequence, active, id_label::text,
                id_pattern
            FROM hotrush_chat_tool ORDER BY id""",
        "cron": """SELECT c.id, c.interval_number, c.interval_type, c.active, a.code
            FROM ir_cron c JOIN ir_act_server a ON a.id = c.ir_actions_server_id
            JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id
            WHERE d.module = 'hotrush_priority' ORDER BY c.id""",
    }
    return {name: sql(db, query) for name, query in queries.items()}


def test_upgrade_keeps_data(odoo_cmd, db_copy):
    create = subprocess.run(
        [*odoo_cmd("shell", "--no-http"), "-d", db_copy, "--log-level=warn"],
        input=CREATE_DATA,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert create.returncode == 0, create.stdout[-3000:] + create.stderr[-3000:]
    printed = dict(
        line.split(" ", 1)
        for line in create.stdout.splitlines()
        if line.startswith(("TICKETS ", "COMPANY "))
    )
    ticket_ids = printed["TICKETS"].split(",")
    before = snapshot(db_copy, ticket_ids, printed["COMPANY"])
    # the data is there to be kept: every kind of row exists
    tickets = ",".join(ticket_ids)
    assert len(before["tickets"]) == 3
    assert sql(
        db_copy,
        f"SELECT kind, action, count(*) FROM hotrush_event WHERE ticket_id IN ({tickets})"
        " GROUP BY kind, action ORDER BY kind, action",
    ) == [["end", "withdraw", "1"], ["start", "request", "3"]]
    assert sql(
        db_copy,
        "SELECT l.kind FROM hotrush_support_balance_line l"
        " JOIN res_partner p ON p.id = l.partner_id"
        " WHERE p.name = 'Upgrade Customer' ORDER BY l.id",
    ) == [["adjustment"], ["charge"]]
    assert sql(
        db_copy, f"SELECT kind FROM hotrush_charge WHERE ticket_id IN ({tickets})"
    ) == [["charge"]]
    assert before["invoice_lines"] and before["activities"]
    assert before["cron"][0][1] == "15"

    upgrade = subprocess.run(
        [
            *odoo_cmd("-u", "hotrush_priority", "--stop-after-init"),
            "-d",
            db_copy,
            "--log-level=info",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    log = upgrade.stdout + upgrade.stderr
    assert upgrade.returncode == 0, log[-3000:]
    assert "hotrush_priority" in log, log[-3000:]
    bad = [
        line
        for line in log.splitlines()
        if any(f" {level} " in line for level in ("WARNING", "ERROR", "CRITICAL"))
    ]
    assert not bad, "\n".join(bad)

    after = snapshot(db_copy, ticket_ids, printed["COMPANY"])
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed by the upgrade"
    assert sql(
        db_copy,
        "SELECT state, latest_version FROM ir_module_module"
        " WHERE name = 'hotrush_priority'",
    ) == [["installed", "19.0.1.0.0"]]
