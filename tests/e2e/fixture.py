"""Fixture of the end-to-end suite, built through the ORM before the server starts.

Run by ``e2e.py`` in the Odoo interpreter of the venv, on a database where
hotrush_priority is installed with its demo data::

    python tests/e2e/fixture.py -c odoo.conf -d DB --out fixture.json [--customers 24]

It adds what the demo lacks for a load test: 20+ portal customers with their own
support balance (a posted prepaid invoice, or a manager's adjustment for the
low-credit ones), two more agents, tickets staged for the two races, and a large
batch of breached HotRush tickets that the SLA action has already escalated (the
fault phase re-opens that batch to interrupt the action in the middle of it). The
scheduled action is made due every minute. Everything the driver needs (ids,
logins, a valid chat slot) is written to ``--out`` as JSON.
"""

import argparse
import json
import re
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PASSWORD = "e2e-Pa55word"
CUSTOMER_TZ = "Europe/Berlin"
# the customers' e-mail domain, and the one of the helpdesk's aliases when the
# database has none
CUSTOMER_DOMAIN = "e2e.example.com"
MAIL_DOMAIN = "support.e2e.example.net"
CONTACT_CANDIDATES = ("e2e.customer{n}@example.com", "U0E2E{n:05d}", "+4930{n:07d}")


# response target of the exact-time tickets (72 s): their breach comes during the load
EXACT_TARGET = timedelta(seconds=72)


def now_utc():
    """Naive UTC now, to the second, as Odoo stores datetimes."""
    return datetime.now(ZoneInfo("UTC")).replace(tzinfo=None, microsecond=0)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--customers", type=int, default=24)
    parser.add_argument("--low-credit", type=int, default=4)
    parser.add_argument("--batch", type=int, default=400)
    parser.add_argument("--races", type=int, default=4)
    return parser.parse_args(argv)


def open_env(config_path, database):
    from odoo.tools import config

    config.parse_config(["-c", config_path, "-d", database, "--log-level=warn"])
    from odoo import api
    from odoo.api import SUPERUSER_ID
    from odoo.orm.registry import Registry

    registry = Registry(database)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def make_user(env, login, name, groups, partner_vals=None, tz=CUSTOMER_TZ):
    partner = env["res.partner"].create(
        {"name": name, "email": f"{login}@{CUSTOMER_DOMAIN}", "tz": tz}
        | (partner_vals or {})
    )
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "login": login,
                "password": PASSWORD,
                "partner_id": partner.id,
                "tz": tz,
                "group_ids": [(6, 0, [env.ref(g).id for g in groups])],
            }
        )
    )


def chat_slot(env, team):
    """A preferred chat time that every HotRush request of the run may book: in
    working hours and no later than the deadline of a request made now (HR-84; later
    requests have later deadlines), five minutes before it, well after the load ends.

    Returned as the portal form sends it: ``YYYY-MM-DDTHH:MM`` local time.
    """
    calendar = team._get_hotrush_calendar()
    now = now_utc().replace(microsecond=0)
    [(_opening, deadline)] = calendar._hotrush_plan(
        [(now, team._get_hotrush_response_hours())]
    )
    if not deadline:
        raise RuntimeError("the support calendar has no working hour in reach")
    slot = (deadline - timedelta(minutes=5)).replace(second=0)
    [(opening, _deadline)] = calendar._hotrush_plan([(slot, 0)])
    if opening is not False or slot - now < timedelta(minutes=15):
        raise RuntimeError(f"no chat slot before the deadline {deadline} of now")
    local = slot.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(CUSTOMER_TZ))
    return local.strftime("%Y-%m-%dT%H:%M")


def mail_gateway(env, team):
    """The team's e-mail alias, as the mail gateway delivers to it (HR-83): the
    address customers write to, and what the receiving server says of senders it
    authenticated (DMARC pass for their domain)."""
    domain = env["mail.alias.domain"].search([], limit=1) or env[
        "mail.alias.domain"
    ].create({"name": MAIL_DOMAIN})
    env.company.alias_domain_id = domain
    if "hotrush_mail_servers" in env.company:
        # the receiving server whose verdicts count
        env.company.hotrush_mail_servers = f"mx.{domain.name}"
    team.alias_id.write({"alias_name": "e2e-support", "alias_domain_id": domain.id})
    return {
        "to": f"e2e-support@{domain.name}",
        "authentication_results": (
            f"mx.{domain.name}; dkim=pass header.d={CUSTOMER_DOMAIN}; "
            f"dmarc=pass (p=reject) header.from={CUSTOMER_DOMAIN}"
        ),
        "customer_domain": CUSTOMER_DOMAIN,
    }


def chat_tools(env):
    """Active tools with a contact that matches each one's pattern."""
    if "hotrush.chat.tool" not in env:
        return []
    tools = []
    for tool in env["hotrush.chat.tool"].search([]):
        for n, template in enumerate(CONTACT_CANDIDATES, start=1):
            contact = template.format(n=n * 137)
            if re.fullmatch(tool.id_pattern, contact):
                tools.append({"id": tool.id, "name": tool.name, "contact": contact})
                break
    return tools


def prepaid_invoice(env, partner, product, amount):
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": now_utc().date(),
            "invoice_line_ids": [
                (0, 0, {"product_id": product.id, "quantity": 1, "price_unit": amount})
            ],
        }
    )
    move.action_post()
    return move


def exact_time_tickets(env, partner, ticket_vals, count=6):
    """HotRush tickets whose due moments fall while the load runs (HR-85).

    - a team whose support opens at the first whole minute 30 s from now (UTC, open
      all day on the other days): tickets requested now are queued until then, and
      breach ``EXACT_TARGET`` later;
    - a team open round the clock: tickets requested a while ago, whose deadlines pass
      one after the other, every 10 s from 40 s after now.

    The suite measures how long after each due moment its notice came.
    """
    # Odoo is importable once the environment is open
    from odoo.addons.hotrush_priority.tests.common import make_calendar

    now = now_utc().replace(microsecond=0)
    # the first whole minute at least 30 s from now
    opening = (now + timedelta(seconds=30)).replace(second=0) + timedelta(minutes=1)
    closed = {now.weekday(), opening.weekday()}
    opening_hours = [(day, 0.0, 24.0) for day in range(7) if day not in closed]
    opening_hours.append((opening.weekday(), opening.hour + opening.minute / 60, 24.0))
    teams = {}
    for key, hours in (
        ("opening", opening_hours),
        ("breach", [(day, 0.0, 24.0) for day in range(7)]),
    ):
        calendar = make_calendar(env, f"E2E exact time: {key}", "UTC", hours)
        teams[key] = env["helpdesk.ticket.team"].create(
            {
                "name": f"E2E exact time: {key}",
                "hotrush_offered": True,
                "hotrush_calendar_id": calendar.id,
                "hotrush_response_hours": 0.02,  # EXACT_TARGET
                "user_id": env.ref("hotrush_priority.user_demo_manager").id,
            }
        )
    # queued until the opening; then deadlines passing every 10 s from now + 40 s
    requests = [("opening", now)] * count + [
        ("breach", now + timedelta(seconds=40 + 10 * i) - EXACT_TARGET)
        for i in range(count)
    ]
    tickets = env["helpdesk.ticket"].create(
        [
            ticket_vals(
                partner,
                f"E2E exact {key} #{n}",
                team_id=teams[key].id,
                hotrush=True,
                hotrush_requested_at=requested,
            )
            for n, (key, requested) in enumerate(requests, start=1)
        ]
    )
    queued, running = tickets[:count], tickets[count:]
    if set(queued.mapped("hotrush_sla_status")) != {"queued"}:
        raise RuntimeError("the exact-time tickets of the opening should be queued")
    if running.filtered(lambda t: t.hotrush_sla_status != "running"):
        raise RuntimeError("the exact-time tickets of the breaches should be running")
    return {"ticket_ids": tickets.ids, "opening": str(opening)}


def adjustment(env, partner, amount, note):
    balance = env["hotrush.support.balance"]._get_for(partner, env.company)
    env["hotrush.support.balance.line"].create(
        {
            "balance_id": balance.id,
            "kind": "adjustment",
            "amount": amount,
            "expiry_date": "2099-12-31",
            "note": note,
        }
    )
    return balance


def build(env, args):
    ref = env.ref
    company = env.company
    team = ref("hotrush_priority.team_technical_support")
    product = ref("hotrush_priority.product_prepaid_support")
    stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
    stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
    stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    # Customers choose the team on the portal; every HotRush ticket is warned about
    # at once (a week of lead), so the SLA action has work on every run.
    company.write(
        {
            "helpdesk_mgmt_portal_select_team": True,
            "hotrush_warning_minutes": 7 * 24 * 60,
            "hotrush_grace_minutes": 0,
        }
    )
    cron = ref("hotrush_priority.ir_cron_hotrush_sla")
    cron.write(
        {"interval_number": 1, "interval_type": "minutes", "nextcall": now_utc()}
    )
    ref("base.user_admin").password = "admin"

    agents = [
        ref("hotrush_priority.user_demo_agent"),
        ref("hotrush_priority.user_demo_manager"),
    ]
    for n in (2, 3):
        agents.append(
            make_user(
                env,
                f"e2e_agent{n}",
                f"E2E Agent {n}",
                ["base.group_user", "helpdesk_mgmt.group_helpdesk_user"],
                tz="Europe/Moscow",
            )
        )
    team.user_ids |= agents[2] | agents[3]
    passwords = {"agent": "agent", "manager": "manager"}

    customers = []
    for n in range(1, args.customers + 1):
        low = n <= args.low_credit
        company_partner = env["res.partner"].create(
            {"name": f"E2E Customer {n:02d} Ltd", "is_company": True}
        )
        user = make_user(
            env,
            f"e2e_customer{n:02d}",
            f"E2E Contact {n:02d}",
            ["base.group_portal"],
            {"parent_id": company_partner.id},
        )
        if low:  # a few hundred: these customers run out of credit under load
            adjustment(env, company_partner, 300.0, "E2E low credit")
        else:
            prepaid_invoice(env, company_partner, product, 4000.0)
        customers.append(
            {
                "login": user.login,
                "password": PASSWORD,
                "uid": user.id,
                "partner_id": company_partner.id,
                "email": user.partner_id.email,
                "name": user.partner_id.name,
                "low_credit": low,
            }
        )

    def ticket_vals(partner, name, **vals):
        return {
            "name": name,
            "description": f"<p>{name}</p>",
            "team_id": team.id,
            "category_id": ref("hotrush_priority.category_payment").id,
            "partner_id": partner.id,
            "stage_id": stage_progress.id,
            **vals,
        }

    Ticket = env["helpdesk.ticket"]
    # Race 1: the customer withdraws while an agent closes the same ticket.
    race_customer = make_user(
        env,
        "e2e_race_withdraw",
        "E2E Race Withdraw",
        ["base.group_portal"],
        {
            "parent_id": env["res.partner"]
            .create({"name": "E2E Race Withdraw Ltd", "is_company": True})
            .id
        },
    )
    prepaid_invoice(
        env, race_customer.partner_id.commercial_partner_id, product, 4000.0
    )
    withdraw_close = Ticket.create(
        [
            ticket_vals(
                race_customer.partner_id,
                f"E2E race: withdraw vs close #{i}",
                hotrush=True,
                user_id=agents[0].id,
                hotrush_billable_hours=1.5,
            )
            for i in range(1, args.races + 1)
        ]
    )
    # Race 2: two tickets of one customer take the last credit of its balance at once
    # (100 left, 80 per ticket at the normal rate).
    last_partner = env["res.partner"].create(
        {"name": "E2E Last Credit Ltd", "is_company": True}
    )
    last_balance = adjustment(env, last_partner, 100.0, "E2E last credit")
    last_credit = Ticket.create(
        [
            ticket_vals(
                last_partner,
                f"E2E race: last credit #{i}",
                user_id=agents[i].id,
                hotrush_billable_hours=1.0,
            )
            for i in (0, 1)
        ]
    )

    # Race 3: the first two charges of customers whose balance has no credit (none at
    # all, or used up), closed at once: each ticket is charged, on one draft invoice.
    first_charges = {}
    for key, credit in (("none", None), ("used_up", 100.0)):
        partner = env["res.partner"].create(
            {"name": f"E2E First Charges ({key}) Ltd", "is_company": True}
        )
        if credit:
            adjustment(env, partner, credit, "E2E credit")
            adjustment(env, partner, -credit, "E2E credit used elsewhere")
        tickets = Ticket.create(
            [
                ticket_vals(
                    partner,
                    f"E2E race: first charges ({key}) #{i}",
                    user_id=agents[i].id,
                    hotrush_billable_hours=1.0,
                )
                for i in (0, 1)
            ]
        )
        first_charges[key] = {"ticket_ids": tickets.ids, "partner_id": partner.id}

    # A large batch of breached, already escalated HotRush tickets (dormant until the
    # fault phase clears their escalation marker).
    batch_partner = env["res.partner"].create(
        {"name": "E2E Batch Customer Ltd", "is_company": True}
    )
    adjustment(env, batch_partner, 100000.0, "E2E batch credit")
    requested = (now_utc() - timedelta(days=14)).replace(microsecond=0)
    started = time.monotonic()
    batch = Ticket.with_context(mail_create_nolog=True, mail_notrack=True).create(
        [
            ticket_vals(
                batch_partner,
                f"E2E SLA batch #{i}",
                stage_id=stage_new.id,
                hotrush=True,
                hotrush_requested_at=requested,
            )
            for i in range(1, args.batch + 1)
        ]
    )
    batch.write({"hotrush_escalated_at": now_utc().replace(microsecond=0)})
    batch_seconds = time.monotonic() - started
    if set(batch.mapped("hotrush_sla_status")) != {"breached"}:
        raise RuntimeError("the SLA batch should be breached from the start")

    exact = exact_time_tickets(env, batch_partner, ticket_vals)

    mail = mail_gateway(env, team)
    categories = env["helpdesk.ticket.category"].search([("show_in_portal", "=", True)])
    return {
        "mail": mail,
        "company_id": company.id,
        "team_id": team.id,
        "team_product_price": team.hotrush_support_product_id.lst_price,
        "multiplier": company.hotrush_rate_multiplier,
        "stages": {
            "new": stage_new.id,
            "progress": stage_progress.id,
            "done": stage_done.id,
        },
        "categories": categories.filtered(lambda c: not c.hotrush_not_eligible).ids,
        "categories_not_eligible": categories.filtered("hotrush_not_eligible").ids,
        "cron_id": cron.id,
        "admin": {"login": "admin", "password": "admin"},
        "agents": [
            {
                "login": user.login,
                "password": passwords.get(user.login, PASSWORD),
                "uid": user.id,
            }
            for user in agents
        ],
        "customers": customers,
        "chat_tools": chat_tools(env),
        "chat_time": chat_slot(env, team),
        "race_withdraw_close": {
            "customer": {"login": race_customer.login, "password": PASSWORD},
            "ticket_ids": withdraw_close.ids,
            "hours": 1.5,
        },
        "race_last_credit": {
            "ticket_ids": last_credit.ids,
            "balance_id": last_balance.id,
            "credit": 100.0,
            "agents": [0, 1],
        },
        "race_first_charges": first_charges,
        "batch": {"ticket_ids": batch.ids, "seconds": round(batch_seconds, 1)},
        "exact": exact,
    }


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    env = open_env(args.config, args.database)
    try:
        data = build(env, args)
        env.cr.commit()
    finally:
        env.cr.close()
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1)


if __name__ == "__main__":
    main()
