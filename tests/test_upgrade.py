"""Upgrade from the released schemas: a database made with 19.0.1.0.0, and one made
with 19.0.1.1.0 (the previous version), upgrades to the manifest's version and keeps
its data.

The released addon is the code of commit ``RELEASED_COMMIT`` (taken from the project's
own git history with ``git archive``). A fresh database gets it installed and filled,
through ``odoo shell``, with answered, withdrawn, running, charged and refunded HotRush
tickets and a support invoice that a credit note reversed. ``-u hotrush_priority`` with
the current code then runs the migration scripts: the rows of the released schema must
be unchanged (new columns aside), every charge is the first closing with its refund
pointing at it, the reversed invoice's deduction is given back once, every balance
still equals the sum of its movements, the upgrade log is free of WARNING and ERROR
lines, and the upgraded database behaves: closing again bills nothing twice.
"""

import ast
import configparser
import io
import os
import subprocess
import tarfile

import pytest
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
done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
admin = env.ref("base.user_admin")


def hotrush(name, partner=customer, **vals):
    return Ticket.create({
        "name": f"Upgrade test: {name}",
        "description": f"<p>{name}</p>",
        "team_id": team.id,
        "partner_id": partner.id,
        "hotrush": True,
        **vals,
    })


answered = hotrush("answered")
answered.message_post(
    body="We are on it.", message_type="comment", subtype_xmlid="mail.mt_comment"
)
withdrawn = hotrush("withdrawn", user_id=admin.id)
withdrawn.action_hotrush_withdraw(note="Not urgent after all")
running = hotrush("running")
charged = hotrush("charged", user_id=admin.id, hotrush_billable_hours=1.5)
charged.write({"stage_id": done.id})
assert charged.hotrush_charge_ids, "the closed ticket was not charged"
refunded = hotrush("refunded", user_id=admin.id, hotrush_billable_hours=1.0)
refunded.write({"stage_id": done.id})
refunded.action_hotrush_withdraw(note="Withdrawn after the work")
assert len(refunded.hotrush_charge_ids) == 2, "the surcharge was not refunded"

# another customer whose support invoice was posted, then reversed by a credit note:
# the released version gave nothing of its deduction back
reversed_customer = env["res.partner"].create(
    {"name": "Upgrade Reversed Customer", "is_company": True}
)
reversed_balance = env["hotrush.support.balance"]._get_for(reversed_customer, company)
reversed_balance.line_ids.create({
    "balance_id": reversed_balance.id,
    "kind": "adjustment",
    "amount": 100.0,
    "expiry_date": "2099-12-31",
    "note": "Upgrade test top-up",
})
invoiced = hotrush(
    "invoiced", reversed_customer, user_id=admin.id, hotrush_billable_hours=1.0
)
invoiced.write({"stage_id": done.id})
invoice = invoiced.hotrush_charge_ids.move_id
invoice.action_post()
invoice._reverse_moves([{"ref": "Wrong customer"}]).action_post()
# 19.0.1.0.0 gave nothing of its deduction back; 19.0.1.1.0 gives it back at once
print("REVERSED", reversed_balance.amount)

# the run of the SLA action the requests triggered: the 'Respond by' activities
env["helpdesk.ticket"]._cron_hotrush_sla()
env.cr.commit()
tickets = answered | withdrawn | running | charged | refunded | invoiced
print("TICKETS", ",".join(str(i) for i in tickets.ids))
print("COMPANY", company.id)
"""

# Runs in `odoo shell` on the upgraded database: the upgraded data behaves.
CHECK_BEHAVIOUR = """
Ticket = env["helpdesk.ticket"]
done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
new = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
found = {t.name.split(": ")[1]: t for t in Ticket.search([("name", "=like", "Upgrade test: %")])}
charged, refunded, running = found["charged"], found["refunded"], found["running"]
charges_before = env["hotrush.charge"].search_count([])
# closed again with the same hours: nothing billed twice
for ticket in charged | refunded:
    ticket.write({"stage_id": new.id})
    ticket.write({"stage_id": done.id})
# the surcharge refunded by the released version is not refunded again
refunded._hotrush_refund_surcharge()
print("CHARGES", env["hotrush.charge"].search_count([]) - charges_before)
print("CLOSINGS", charged.hotrush_closing_count, refunded.hotrush_closing_count)
# an hour more after the upgrade: billed once, as the second closing
charged.write({"stage_id": new.id, "hotrush_billable_hours": 2.5})
charged.write({"stage_id": done.id})
added = charged.hotrush_charge_ids.filtered(lambda c: c.closing == 3)
print("ADDED", added.kind, added.hours)
print("RUNNING", running.hotrush, running.hotrush_sla_status)
env.cr.rollback()
"""

# The commit of the released version (19.0.1.0.0), and of the previous one (19.0.1.1.0)
RELEASED_COMMIT = "7e48a72"
PREVIOUS_COMMIT = "4691b4c"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def manifest_version():
    """The version of the current code, from its manifest."""
    with open(os.path.join(REPO, "hotrush_priority", "__manifest__.py")) as manifest:
        return ast.literal_eval(manifest.read())["version"]


# the tables of the addon's data, and the rows of other tables it touched
TABLES = {
    "events": "hotrush_event",
    "balances": "hotrush_support_balance",
    "balance_lines": "hotrush_support_balance_line",
    "charges": "hotrush_charge",
    "charge_lines": "account_move_line_hotrush_charge_rel",
}


def released_addon(where, commit=RELEASED_COMMIT):
    """Unpack the addon of ``commit`` from the project's history into ``where``."""
    archive = subprocess.run(
        ["git", "-C", REPO, "archive", commit, "hotrush_priority"],
        check=False,
        capture_output=True,
    )
    if archive.returncode:
        pytest.fail(
            f"the released version ({commit}) is not in this clone's "
            f"history: {archive.stderr.decode()[-500:]} (clone with full history)"
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(where, filter="data")
    return where


def released_conf(where, tmp_path):
    """The test configuration, with the released addon in place of the current."""
    parser = configparser.ConfigParser()
    parser.read(os.environ["HOTRUSH_TEST_ODOO_CONF"])
    paths = [
        path
        for path in parser["options"]["addons_path"].split(",")
        if os.path.realpath(path) != os.path.realpath(REPO)
    ]
    parser["options"]["addons_path"] = ",".join([*paths, str(where)])
    for option in ("db_name", "dbfilter"):
        parser["options"].pop(option, None)
    conf = tmp_path / "released.conf"
    with open(conf, "w") as out:
        parser.write(out)
    return str(conf)


def columns(db, table):
    return [
        row[0]
        for row in sql(
            db,
            "SELECT column_name FROM information_schema.columns"
            f" WHERE table_name = '{table}' ORDER BY ordinal_position",
        )
    ]


# the released versions kept a request on its ticket's columns; the current one on
# the ticket's current request (hotrush_request): the same values, read from there
TICKET_COLUMNS = """t.id, t.name, t.team_id, t.partner_id, t.user_id, t.stage_id,
    t.priority, t.hotrush, {requested_at}, {requested_by_id}, {deadline},
    {opening_at}, {queue_deadline}, {first_response_at},
    {first_response_user_id}, {response_working_minutes}, {status},
    {priority_before}, {team_notified_at}, {end_action}, {ended_at},
    t.hotrush_billable_hours"""
RELEASED_COLUMNS = {
    "requested_at": "t.hotrush_requested_at",
    "requested_by_id": "t.hotrush_requested_by_id",
    "deadline": "t.hotrush_deadline",
    "opening_at": "t.hotrush_queued_until",
    "queue_deadline": "t.hotrush_queue_deadline",
    "first_response_at": "t.hotrush_first_response_at",
    "first_response_user_id": "t.hotrush_first_response_user_id",
    "response_working_minutes": "t.hotrush_response_working_minutes",
    "status": "t.hotrush_sla_status",
    "priority_before": "t.hotrush_priority_before",
    "team_notified_at": "t.hotrush_team_notified_at",
    "end_action": "t.hotrush_end_action",
    "ended_at": "t.hotrush_ended_at",
}


def tickets_query(tickets, upgraded):
    """The tickets' HotRush values, from the released schema or the upgraded one."""
    if not upgraded:
        columns = TICKET_COLUMNS.format(**RELEASED_COLUMNS)
        return (
            f"SELECT {columns} FROM helpdesk_ticket t WHERE t.id IN ({tickets})"
            " ORDER BY t.id"
        )
    columns = TICKET_COLUMNS.format(**{name: f"r.{name}" for name in RELEASED_COLUMNS})
    return (
        f"SELECT {columns} FROM helpdesk_ticket t"
        " LEFT JOIN hotrush_request r ON r.id = t.hotrush_request_id"
        f" WHERE t.id IN ({tickets}) ORDER BY t.id"
    )


def snapshot(db, ticket_ids, company_id, schema, upgraded=False):
    """The rows an upgrade must leave alone, in the columns of the released schema
    (the tickets' requests read from the upgraded schema when ``upgraded``)."""
    tickets = ",".join(ticket_ids)
    queries = {
        name: f"SELECT {', '.join(schema[name])} FROM {table} ORDER BY 1, 2"
        for name, table in TABLES.items()
    }
    queries.update(
        tickets=tickets_query(tickets, upgraded),
        invoice_lines="""SELECT id, move_id, product_id, quantity, price_unit,
                price_subtotal, name::text, hotrush_ticket_id, hotrush_deduction
            FROM account_move_line WHERE hotrush_ticket_id IS NOT NULL ORDER BY id""",
        invoices="""SELECT id, state, move_type, partner_id, amount_total,
                hotrush_support_invoice
            FROM account_move WHERE partner_id IN (SELECT id FROM res_partner
                WHERE name LIKE 'Upgrade %') ORDER BY id""",
        activities=f"""SELECT id, res_id, activity_type_id, user_id, date_deadline,
                summary
            FROM mail_activity
            WHERE res_model = 'helpdesk.ticket' AND res_id IN ({tickets})
            ORDER BY id""",
        company=f"""SELECT hotrush_calendar_id, hotrush_response_hours,
                hotrush_grace_minutes, hotrush_warning_minutes,
                hotrush_development_team_id, hotrush_rate_multiplier,
                hotrush_waive_breached, hotrush_prepaid_product_id
            FROM res_company WHERE id = {company_id}""",
        chat_tools="""SELECT id, name::text, sequence, active, id_label::text,
                id_pattern
            FROM hotrush_chat_tool ORDER BY id""",
        cron="""SELECT c.id, c.interval_number, c.interval_type, c.active
            FROM ir_cron c
            JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id
            WHERE d.module = 'hotrush_priority' ORDER BY c.id""",
    )
    return {name: sql(db, query) for name, query in queries.items()}


def run(command, **kwargs):
    done = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=900, **kwargs
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    return done.stdout, log


def bad_lines(log):
    return [
        line
        for line in log.splitlines()
        if any(f" {level} " in line for level in ("WARNING", "ERROR", "CRITICAL"))
    ]


@pytest.fixture
def released_db(odoo_cmd, tmp_path, request):
    """A new database with the released version installed (dropped afterwards); the
    version of the commit the test is parametrized with, else 19.0.1.0.0."""
    commit = getattr(request, "param", RELEASED_COMMIT)
    name = f"{os.environ['HOTRUSH_TEST_DB']}_released"
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    conf = released_conf(released_addon(tmp_path / "released", commit), tmp_path)
    python = odoo_cmd()[0]

    def released(*command):
        return [python, "-m", "odoo", *command, "-c", conf, "-d", name]

    run(released("-i", "hotrush_priority", "--stop-after-init", "--no-http"))
    yield name, released
    subprocess.run(["dropdb", "--if-exists", name], check=True)


def balances_add_up(db):
    """Every support balance equals the sum of its movements."""
    return sql(
        db,
        "SELECT count(*) FROM hotrush_support_balance b WHERE b.amount <>"
        " (SELECT COALESCE(SUM(amount), 0) FROM hotrush_support_balance_line l"
        "  WHERE l.balance_id = b.id)",
    ) == [["0"]]


def fill(db, released, version):
    """Check the released ``version`` is installed, fill it with CREATE_DATA.

    :return: (what it printed, ticket ids, the released schema, the snapshot)
    """
    assert sql(
        db,
        "SELECT latest_version FROM ir_module_module WHERE name = 'hotrush_priority'",
    ) == [[version]]
    stdout, _log = run(
        released("shell", "--no-http", "--log-level=warn"), input=CREATE_DATA
    )
    printed = dict(
        line.split(" ", 1)
        for line in stdout.splitlines()
        if line.startswith(("TICKETS ", "COMPANY ", "REVERSED "))
    )
    ticket_ids = printed["TICKETS"].split(",")
    schema = {name: columns(db, table) for name, table in TABLES.items()}
    return (
        printed,
        ticket_ids,
        schema,
        snapshot(db, ticket_ids, printed["COMPANY"], schema),
    )


def requests_made(db, tickets):
    """Each ticket of ``tickets`` has one request, its current one, active as the
    ticket is (the SLA action searches active requests), and its events and charges
    belong to it."""
    assert sql(
        db,
        "SELECT count(*), count(r.id), count(*) FILTER"
        " (WHERE t.hotrush_request_id = r.id AND r.active = t.active)"
        " FROM helpdesk_ticket t LEFT JOIN hotrush_request r ON r.ticket_id = t.id"
        f" WHERE t.id IN ({tickets})",
    ) == [["6", "6", "6"]]
    for table in ("hotrush_event", "hotrush_charge"):
        assert sql(
            db,
            f"SELECT count(*) FROM {table} x JOIN helpdesk_ticket t"
            " ON t.id = x.ticket_id"
            f" WHERE t.id IN ({tickets})"
            " AND x.request_id IS DISTINCT FROM t.hotrush_request_id",
        ) == [["0"]], f"{table} not linked to the ticket's request"
    return True


def upgrade(odoo_cmd, db):
    """``-u hotrush_priority`` with the current code: a clean log, the manifest's
    version installed.

    :return: the log
    """
    _stdout, log = run(
        [
            *odoo_cmd("-u", "hotrush_priority", "--stop-after-init", "--no-http"),
            "-d",
            db,
        ]
    )
    assert "hotrush_priority" in log, log[-3000:]
    assert not bad_lines(log), "\n".join(bad_lines(log))
    assert sql(
        db,
        "SELECT state, latest_version FROM ir_module_module"
        " WHERE name = 'hotrush_priority'",
    ) == [["installed", manifest_version()]]
    return log


def test_upgrade_from_the_released_version(odoo_cmd, released_db):
    db, released = released_db
    printed, ticket_ids, schema, before = fill(db, released, "19.0.1.0.0")
    assert printed["REVERSED"] == "0.0", "the released version gave something back"
    tickets = ",".join(ticket_ids)
    # the data is there to be kept: every kind of row exists
    assert len(before["tickets"]) == 6
    assert sql(
        db,
        f"SELECT kind, action, count(*) FROM hotrush_event WHERE ticket_id IN ({tickets})"
        " GROUP BY kind, action ORDER BY kind, action",
    ) == [["end", "withdraw", "2"], ["start", "request", "6"]]
    assert sql(
        db, "SELECT kind, count(*) FROM hotrush_charge GROUP BY kind ORDER BY kind"
    ) == [["charge", "3"], ["surcharge_refund", "1"]]
    assert before["invoice_lines"] and before["activities"]

    upgrade(odoo_cmd, db)

    after = snapshot(db, ticket_ids, printed["COMPANY"], schema, upgraded=True)
    for name in ("tickets", "events", "charges", "charge_lines", "activities"):
        assert after[name] == before[name], f"{name} changed by the upgrade"
    for name in ("invoice_lines", "invoices", "company", "chat_tools", "cron"):
        assert after[name] == before[name], f"{name} changed by the upgrade"
    # the balances' movements are all kept; the reversed invoice's deduction came
    # back, once
    added = [
        row for row in after["balance_lines"] if row not in before["balance_lines"]
    ]
    assert len(added) == 1, added
    given_back = dict(zip(schema["balance_lines"], added[0], strict=True))
    assert given_back["kind"] == "charge_reversal"
    assert float(given_back["amount"]) == 100.0
    assert balances_add_up(db)
    # charges per closing: the released charges are the first closing, the refund
    # points at the charge it refunded, the charged tickets were closed once
    assert sql(
        db,
        "SELECT c.kind, c.closing, o.kind FROM hotrush_charge c"
        " LEFT JOIN hotrush_charge o ON o.id = c.origin_id"
        " AND o.ticket_id = c.ticket_id ORDER BY c.id",
    ) == [
        ["charge", "1", ""],
        ["charge", "1", ""],
        ["surcharge_refund", "1", "charge"],
        ["charge", "1", ""],
    ]
    assert sql(
        db,
        "SELECT substring(name::text from ': (\\w+)'), hotrush_closing_count"
        f" FROM helpdesk_ticket WHERE id IN ({tickets}) ORDER BY id",
    ) == [
        ["answered", ""],
        ["withdrawn", ""],
        ["running", ""],
        ["charged", "1"],
        ["refunded", "1"],
        ["invoiced", "1"],
    ]
    # the upgraded data behaves
    stdout, _log = run(
        [*odoo_cmd("shell", "--no-http"), "-d", db, "--log-level=warn"],
        input=CHECK_BEHAVIOUR,
    )
    printed = dict(line.split(" ", 1) for line in stdout.splitlines() if " " in line)
    assert printed["CHARGES"] == "0", stdout
    assert printed["CLOSINGS"] == "2 2", stdout
    assert printed["ADDED"] == "charge 1.0", stdout
    assert printed["RUNNING"] == "True running", stdout


@pytest.mark.parametrize("released_db", [PREVIOUS_COMMIT], indirect=True)
def test_upgrade_from_the_previous_version(odoo_cmd, released_db):
    """19.0.1.1.0 to the current version: every request, event, charge, balance
    movement, activity and setting is kept as it was; each request keeps the
    promise it was planned on (its team's calendar and target)."""
    db, released = released_db
    printed, ticket_ids, schema, before = fill(db, released, "19.0.1.1.0")
    assert printed["REVERSED"] == "100.0", "19.0.1.1.0 gives the deduction back"
    tickets = ",".join(ticket_ids)
    assert len(before["tickets"]) == 6
    assert before["charges"] and before["balance_lines"] and before["activities"]
    assert balances_add_up(db)

    upgrade(odoo_cmd, db)
    after = snapshot(db, ticket_ids, printed["COMPANY"], schema, upgraded=True)
    for name, rows in before.items():
        assert after[name] == rows, f"{name} changed by the upgrade"
    assert balances_add_up(db)
    assert requests_made(db, tickets)
    # every request is planned on the team it was requested on
    assert sql(
        db,
        "SELECT count(*), count(*) FILTER (WHERE r.team_id = t.team_id)"
        " FROM helpdesk_ticket t JOIN hotrush_request r ON r.ticket_id = t.id"
        f" WHERE t.id IN ({tickets})",
    ) == [["6", "6"]]
    # the upgraded data behaves
    stdout, _log = run(
        [*odoo_cmd("shell", "--no-http"), "-d", db, "--log-level=warn"],
        input=CHECK_BEHAVIOUR,
    )
    printed = dict(line.split(" ", 1) for line in stdout.splitlines() if " " in line)
    assert printed["CHARGES"] == "0", stdout
    assert printed["ADDED"] == "charge 1.0", stdout
    assert printed["RUNNING"] == "True running", stdout
