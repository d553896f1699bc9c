# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo data shows HotRush at work: the replication grace, a ticket support
removed with a reason, a breached one with its notices, and the tickets waiting for an
agent in the agents' queue.

The suite runs in a database without demo data (Odoo 19 installs it on request only),
so the test loads the addon's demo files itself, as an installation with demo data
does, and checks what a demo database shows. In a database installed with demo data
it checks that data as it is.
"""

import re
from datetime import datetime, timedelta
from unittest import SkipTest

from freezegun import freeze_time
from lxml import etree
from lxml import html as lxml_html

from odoo import fields
from odoo.fields import Domain
from odoo.modules.module import Manifest
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import convert_file, format_amount
from odoo.tools.safe_eval import safe_eval

from ..portal import Presenter
from .common import portal_conversation

MODULE = "hotrush_priority"
QUEUE_ACTION = "hotrush_priority.helpdesk_ticket_action_my_hotrush_queue"
# the queue's default filter
AWAITING_FILTER = "hotrush_awaiting_response"
# the demo customer's zone
BERLIN = "Europe/Berlin"


def text(message):
    """The body of ``message`` with its whitespace collapsed, as a reader sees it."""
    return " ".join(str(message.body).split())


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        module = cls.env["ir.module.module"].search([("name", "=", MODULE)])
        if module.demo:
            if cls.freeze_time:
                raise SkipTest("the demo data was loaded at its installation")
            cls.loaded_at = cls.env.ref(f"{MODULE}.ticket_breached").create_date
        else:
            cls.loaded_at = fields.Datetime.now()
            cls._load_demo()

    @classmethod
    def _load_demo(cls):
        """The demo files of the manifest, loaded as an installation loads them (as
        superuser, new records only), then what happens when it commits (the
        notices told at the end of the transaction)."""
        idref = {}
        for filename in Manifest.for_addon(MODULE)["demo"]:
            convert_file(
                cls.env(su=True), MODULE, filename, idref, mode="init", noupdate=True
            )
        cls.env.flush_all()
        cls.env.cr.precommit.run()
        cls.env.invalidate_all()

    def ref(self, xmlid):
        return self.env.ref(f"{MODULE}.{xmlid}")

    def _notices(self, ticket, subject):
        """The customer notices of ``ticket`` whose subject starts with ``subject``."""
        return ticket.message_ids.filtered(
            lambda m: (m.subject or "").startswith(subject)
        )

    def assertCustomerNotice(self, ticket, subject):
        """One public, automated notice to the ticket's customer only, shown in the
        portal's conversation of the ticket to that customer."""
        notice = self._notices(ticket, subject)
        self.assertEqual(len(notice), 1, f"one notice {subject}")
        self.assertEqual(notice.message_type, "auto_comment")
        self.assertFalse(notice.is_internal)
        self.assertEqual(notice.partner_ids, ticket.partner_id)
        customer = self.ref("user_demo_customer")
        self.assertEqual(ticket.partner_id, customer.partner_id)
        self.assertIn(notice, portal_conversation(ticket, customer))
        other = self.ref("user_demo_customer_nobalance")
        self.assertNotIn(notice, portal_conversation(ticket, other))
        return notice

    def _queue(self, user):
        """The tickets of ``user``'s "My HotRush Queue" as it opens: the action's
        domain (with ``uid``) and its default filter, searched as that user."""
        action = self.env.ref(QUEUE_ACTION)
        self.assertFalse(action.search_view_id)
        self.assertEqual(
            safe_eval(action.context), {f"search_default_{AWAITING_FILTER}": 1}
        )
        Ticket = self.env["helpdesk.ticket"].with_user(user)
        arch = Ticket.get_views([(False, "search")])["views"]["search"]["arch"]
        filters = [
            node
            for node in etree.fromstring(arch).iter("filter")
            if node.get("name") == AWAITING_FILTER
        ]
        self.assertEqual(len(filters), 1)
        domain = Domain(safe_eval(action.domain, {"uid": user.id}))
        return Ticket.search(domain & Domain(safe_eval(filters[0].get("domain"))))

    # the company

    def test_grace_is_the_replication_time(self):
        self.assertEqual(self.env.ref("base.main_company").hotrush_grace_minutes, 30)

    # removed by support with a reason

    def test_removed_with_reason_and_notice(self):
        ticket = self.ref("ticket_removed")
        agent = self.ref("user_demo_agent")
        self.assertFalse(ticket.hotrush)
        self.assertEqual(ticket.hotrush_end_action, "remove")
        self.assertEqual(ticket.hotrush_end_reason, "customization")
        self.assertEqual(
            ticket.hotrush_end_note, "A new feature is a customization project."
        )
        self.assertEqual(ticket.hotrush_sla_status, "cancelled")
        self.assertEqual(ticket.team_id, self.ref("team_development"))
        # the history says the agent removed it, with the reason and the note
        removal = ticket.hotrush_event_ids.filtered(lambda e: e.action == "remove")
        self.assertEqual(len(removal), 1)
        self.assertEqual(removal.user_id, agent)
        self.assertEqual(removal.reason, "customization")
        notice = self.assertCustomerNotice(ticket, "HotRush removed:")
        body = text(notice)
        self.assertIn("customization project", body)
        self.assertIn("Development", body)
        self.assertIn("A new feature is a customization project.", body)

    # breached, escalated, the customer told

    def test_breached_with_its_notice(self):
        ticket = self.ref("ticket_breached")
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertFalse(ticket.hotrush_first_response_at)
        # requested last week: its deadline and the grace are over at installation
        self.assertLess(ticket.hotrush_requested_at, self.loaded_at)
        self.assertLess(ticket.hotrush_request_id._breach_time(), self.loaded_at)
        self.assertEqual(
            ticket.hotrush_request_id._breach_time() - ticket.hotrush_deadline,
            timedelta(minutes=30),
        )
        # the SLA action's breach step: escalated to the leader, the customer told
        self.assertTrue(ticket.hotrush_escalated_at)
        self.assertTrue(ticket.hotrush_told_breach_at)
        leader = self.ref("user_demo_manager")
        self.assertEqual(ticket.team_id.user_id, leader)
        self.assertIn(leader, ticket.activity_ids.user_id)
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: (
                    "HotRush SLA breached" in str(m.body)
                    and m.subtype_id == self.env.ref("mail.mt_note")
                )
            )
        )
        notice = self.assertCustomerNotice(ticket, "HotRush deadline missed:")
        self.assertIn("was not answered by its deadline", text(notice))
        # the next run of the SLA action has nothing left to tell about it
        Request = self.env["hotrush.request"]
        now = fields.Datetime.now()
        due = Request.search(Request._hotrush_cron_domain_breach(now))
        self.assertNotIn(ticket, due.ticket_id)

    # tickets waiting for an agent are unassigned and in the agents' queue

    def test_unassigned_tickets_in_the_queue(self):
        queued = self.ref("ticket_queued")
        breached = self.ref("ticket_breached")
        running = self.ref("ticket_running")
        normal = self.ref("ticket_normal")
        for ticket in (queued, breached, normal):
            self.assertFalse(ticket.user_id, f"{ticket.name} waits for an agent")
        self.assertEqual(running.user_id, self.ref("user_demo_agent"))
        # the queued one: the hosting desk is closed for maintenance today and tomorrow
        self.assertEqual(queued.hotrush_sla_status, "queued")
        self.assertGreater(queued.hotrush_queued_until, self.loaded_at)
        agent = self.ref("user_demo_agent")
        manager = self.ref("user_demo_manager")
        # the agent: their own ticket and the unassigned ones of their teams
        self.assertEqual(self._queue(agent), running | queued | breached)
        # the leader: the unassigned ones (the running one is the agent's)
        self.assertEqual(self._queue(manager), queued | breached)
        # answered, withdrawn, removed and normal tickets wait for nobody
        for xmlid in ("ticket_met", "ticket_withdrawn", "ticket_removed"):
            self.assertNotIn(self.ref(xmlid), self._queue(agent) | self._queue(manager))
        self.assertFalse(normal.hotrush)


@tagged("post_install", "-at_install")
class TestDemoEarlyMonday(TestDemo):
    """Installed at night at the start of a week (Monday 03:20 in Moscow, support
    closed): the past requests are still in the past, the breach still over."""

    freeze_time = freeze_time("2026-11-30 00:20:00")
    allow_inherited_tests_method = True


def collapse(value):
    """``value`` with its spaces, tabs and line ends collapsed to one space."""
    return re.sub(r"[ \t\r\n]+", " ", value).strip()


@tagged("post_install", "-at_install")
class TestDemoPortalForm(HttpCase):
    """The new-ticket form of the demo customer (Berlin) on Thursday 18:00 (20:00 in
    Moscow, the support's zone): the promise of each team the form offers, on the
    rendered page (HR-62)."""

    freeze_time = freeze_time("2026-11-26 17:00:00")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        module = cls.env["ir.module.module"].search([("name", "=", MODULE)])
        if module.demo:
            raise SkipTest("the demo data was loaded at its installation")
        TestDemo._load_demo.__func__(cls)

    def ref(self, xmlid):
        return self.env.ref(f"{MODULE}.{xmlid}")

    def _time(self, value):
        return Presenter(self.env, BERLIN).time(value)

    def _money(self, amount):
        # as the customer reads it: no ".00" on whole amounts
        return format_amount(
            self.env, amount, self.env.company.currency_id, trailing_zeroes=False
        )

    def _promises(self):
        """The form's team choices and the text of each team's promise."""
        self.authenticate("customer", "customer")
        response = self.url_open("/new/ticket")
        self.assertEqual(response.status_code, 200)
        tree = lxml_html.fromstring(response.text)
        choices = {
            option.text_content().strip(): option.get("value")
            for option in tree.xpath("//select[@name='team']/option[@value != '']")
        }
        # not str.split(): amounts keep their no-break space
        promises = {
            block.get("data-hotrush-team"): collapse(block.text_content())
            for block in tree.xpath("//div[contains(@class, 'o_hotrush_promise')]")
        }
        page_text = collapse(tree.xpath("string(//main)"))
        return choices, promises, page_text

    def test_promise_of_each_team(self):
        choices, promises, page_text = self._promises()
        teams = {
            "Technical Support": self.ref("team_technical_support"),
            "Hosting Support": self.ref("team_hosting_support"),
            "Development": self.ref("team_development"),
        }
        for name, team in teams.items():
            self.assertEqual(choices.get(name), str(team.id), f"{name} is offered")
        # every team the form lists has its promise, and no other team
        self.assertEqual(set(promises) - {""}, set(choices.values()))
        hour, hotrush_hour = self._money(80), self._money(160)

        support = promises[choices["Technical Support"]]
        # Moscow's 09:00-24:00 and 10:00-18:00, told in Berlin
        self.assertIn(
            "Working hours: Mon-Fri 07:00-22:00; Sat-Sun 08:00-16:00.", support
        )
        self.assertIn(
            "Support is open now: sent now, your request is answered by "
            + self._time(datetime(2026, 11, 26, 18, 0)),
            support,
        )
        self.assertIn(f"HotRush costs {hotrush_hour}/h instead of {hour}/h", support)
        self.assertNotIn("Closed:", support)
        # no team chosen: the default team's
        self.assertEqual(promises[""], support)

        hosting = promises[choices["Hosting Support"]]
        # its own calendar: Mon-Fri 09:00-18:00 in Moscow; Thursday and Friday
        # closed for the data center's maintenance
        self.assertIn("Working hours: Mon-Wed 07:00-16:00.", hosting)
        self.assertIn("Closed: Data-center maintenance", hosting)
        self.assertIn(
            "Support is closed now (closed for Data-center maintenance): a request "
            "sent now waits until it opens at "
            + self._time(datetime(2026, 11, 30, 6, 0))
            + " and is answered by "
            + self._time(datetime(2026, 11, 30, 7, 0)),
            hosting,
        )
        self.assertIn(f"HotRush costs {hotrush_hour}/h instead of {hour}/h", hosting)

        development = promises[choices["Development"]]
        self.assertIn(
            "HotRush (urgent support) is not offered by Development", development
        )
        self.assertIn("It is offered by", development)
        self.assertIn("Technical Support", development)
        self.assertIn("Hosting Support", development)
        self.assertNotIn("Working hours", development)

        # the customer's zone, named once
        self.assertEqual(page_text.count(BERLIN), 1)
        self.assertIn(f"Times in your time zone, {BERLIN}.", page_text)
