# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from unittest.mock import patch

import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.fields import Domain
from odoo.service.model import retrying
from odoo.tests import new_test_user

from odoo.addons.base.tests.common import BaseCommon

from ..const import CRON_BATCH_SIZE

# The demo support calendar of the specification: Mon-Fri 09:00-24:00, Sat-Sun 10:00-18:00
SUPPORT_HOURS = [(day, 9.0, 24.0) for day in range(5)] + [
    (day, 10.0, 18.0) for day in (5, 6)
]


def portal_conversation(ticket, user):
    """What the portal's conversation of ``ticket`` shows ``user``: the messages of
    /mail/chatter_fetch's domain, searched as that user."""
    Ticket = ticket.env["helpdesk.ticket"]
    domain = (
        Domain(Ticket._fields["website_message_ids"].get_comodel_domain(Ticket))
        & Domain("res_id", "=", ticket.id)
        & Domain("subtype_id", "=", ticket.env.ref("mail.mt_comment").id)
    )
    return ticket.env["mail.message"].with_user(user).search(domain)


def make_calendar(env, name, tz, hours, **extra):
    """A calendar with one attendance per (weekday, from, to)."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"{name} {day}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "morning" if hour_from < 12 else "afternoon",
                    }
                )
                for day, hour_from, hour_to in hours
            ],
            **extra,
        }
    )


def local_to_utc(tz, *args):
    """Naive UTC datetime of a wall-clock time in ``tz``."""
    local = pytz.timezone(tz).localize(datetime(*args), is_dst=None)
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class HotrushFixture:
    """Teams, categories, users and a support calendar, built by the test."""

    @classmethod
    def _setup_hotrush(cls):
        cls.calendar = make_calendar(
            cls.env, "Support hours", "Europe/Moscow", SUPPORT_HOURS
        )
        cls.company = cls.env.company
        cls.company.write(
            {
                "hotrush_calendar_id": cls.calendar.id,
                "hotrush_response_hours": 1.0,
                "hotrush_grace_minutes": 0,
            }
        )
        cls.agent = new_test_user(
            cls.env,
            login="hr_agent",
            name="Alex Agent",
            email="alex.agent@hotrush.example.com",
            groups="helpdesk_mgmt.group_helpdesk_user",
            tz="Europe/Moscow",
        )
        cls.leader = new_test_user(
            cls.env,
            login="hr_leader",
            name="Lee Leader",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            tz="Europe/Moscow",
        )
        cls.own_agent = new_test_user(
            cls.env,
            login="hr_own_agent",
            name="Owen Own",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.customer_company = cls.env["res.partner"].create(
            {"name": "Rushmore Retail", "is_company": True}
        )
        cls.portal = new_test_user(
            cls.env,
            login="hr_portal",
            name="Rita Rushmore",
            groups="base.group_portal",
            tz="Europe/Berlin",
        )
        cls.portal.partner_id.parent_id = cls.customer_company
        cls.other_portal = new_test_user(
            cls.env,
            login="hr_portal_other",
            name="Otto Other",
            groups="base.group_portal",
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Technical Support",
                "hotrush_offered": True,
                "user_id": cls.leader.id,
                "user_ids": [Command.set([cls.agent.id, cls.leader.id])],
            }
        )
        cls.dev_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Development", "hotrush_offered": False}
        )
        cls.category = cls.env["helpdesk.ticket.category"].create(
            {"name": "Store errors"}
        )
        cls.category_sales = cls.env["helpdesk.ticket.category"].create(
            {"name": "Sales and licensing", "hotrush_not_eligible": True}
        )
        # HotRush needs an active support balance (HR-4): both customers have one
        cls.balances = cls.env["hotrush.support.balance"]
        for partner in (cls.customer_company, cls.other_portal.partner_id):
            cls.balances |= cls._give_balance(partner, 1000.0)

    @classmethod
    def _give_balance(cls, partner, amount, expiry="2099-12-31", company=None):
        """A manager's adjustment: credit for ``partner``."""
        balance = cls.env["hotrush.support.balance"]._get_for(
            partner, company or cls.env.company
        )
        balance.line_ids.create(
            {
                "balance_id": balance.id,
                "kind": "adjustment",
                "amount": amount,
                "expiry_date": expiry,
                "note": "Test credit",
            }
        )
        return balance

    @contextmanager
    def refused(self, exception, pattern=""):
        """Expect ``exception``; roll its changes back so the test can go on."""
        with self.assertRaisesRegex(exception, pattern), self.env.cr.savepoint():
            yield
        self.env.invalidate_all()

    def flush_tracking(self):
        """Tracking messages are written when the transaction is about to commit."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()

    @contextmanager
    def _commits_flushed(self):
        """The action commits its batches; a test may not commit, so here a commit
        flushes and clears the caches like a real one, without ending the test's
        transaction."""
        cr = self.env.cr

        def commit():
            cr.flush()
            cr.clear()

        with patch.object(cr, "commit", commit):
            yield

    def _request_notified(self, at, **vals):
        """A HotRush request at ``at``, and the request step of the SLA action's run
        it triggers (the team's notice, the wake-ups at its due moments)."""
        with freeze_time(at):
            ticket = self._create_ticket(hotrush=True, **vals)
        with freeze_time(at), self._commits_flushed():
            Requests = self.env["hotrush.request"].sudo()
            Requests._hotrush_cron_run_step(
                Requests._hotrush_cron_domain_request(at),
                "_hotrush_notify_request",
                at,
                CRON_BATCH_SIZE,
            )
        self.flush_tracking()
        return ticket

    def _run_cron(self, at, **kwargs):
        with freeze_time(at), self._commits_flushed():
            self.env["hotrush.request"]._cron_hotrush_sla(**kwargs)
        self.flush_tracking()

    @classmethod
    def _ticket_vals(cls, **vals):
        return {
            "name": "Checkout is down",
            "description": "<p>Customers cannot pay.</p>",
            "team_id": cls.team.id,
            "category_id": cls.category.id,
            "partner_id": cls.portal.partner_id.id,
            "user_id": False,
            **vals,
        }

    @classmethod
    def _create_ticket(cls, **vals):
        return cls.env["helpdesk.ticket"].create(cls._ticket_vals(**vals))


class HotrushCase(HotrushFixture, BaseCommon):
    @classmethod
    def default_env_context(cls):
        # chatter tracking and messages are part of what these tests check
        return {"no_reset_password": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_hotrush()


class RaceMixin:
    """Real transactions at once, for the tests that commit their own data with
    separate cursors (a transaction-bound test cannot show concurrency); the class
    gives ``_env(cr)``."""

    def _race(self, acts, snapshot, collided="the transactions really collided"):
        """Run each of ``acts`` (a function of an environment) in a transaction of
        its own, at once: each first takes its snapshot (``snapshot(env)``), then
        waits for the others, so that none sees what another does. The losers'
        serialization failures are logged, then retried as Odoo retries a request
        (``retrying``); none may fail for good, and one must have collided."""
        barrier = threading.Barrier(len(acts), timeout=30)
        errors = []

        def run(env, act, first_try):
            snapshot(env)
            if first_try:
                first_try.pop()
                barrier.wait()
            act(env)

        def worker(act):
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    retrying(partial(run, env, act, [True]), env)
                    # committing separate cursors is the point: real concurrency
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as exc:  # noqa: BLE001 (reported by the main thread)
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(act,)) for act in acts]
        with self.assertLogs("odoo", "INFO") as logs:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertEqual(errors, [])
        self.assertTrue(
            any("serializ" in line.lower() for line in logs.output), collided
        )
