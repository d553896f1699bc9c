# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"


@tagged("post_install", "-at_install")
class TestSlaReport(HotrushCase):
    """Report figures against tickets with known working-time response times.

    Support calendar: Mon-Fri 09:00-24:00, Sat-Sun 10:00-18:00 (Moscow), target 1 h.

    ======  ======  ==========================  =====================  =====  ========
    ticket  agent   requested (local)           first response         min    status
    ======  ======  ==========================  =====================  =====  ========
    a       agent   Thu 2026-11-26 11:00        11:20                  20     met
    b       agent   Thu 2026-11-26 11:00        11:40                  40     met
    c       agent   Thu 2026-11-26 06:00 queued 09:30 (opens 09:00)    30     met
    d       leader  Fri 2026-11-27 23:30        Sat 10:45 (closed      75     breached
                                                00:00-10:00)
    e       leader  Tue 2026-12-01 11:00        13:00                  120    breached
    f       agent   Thu 2026-11-26 12:00        none, unchecked        -      cancelled
    g       agent   Thu 2026-11-26 12:00        none yet               -      running
    ======  ======  ==========================  =====================  =====  ========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["hotrush.sla.report"]
        cls.tickets = {}
        cls._ticket("a", cls.agent, (2026, 11, 26, 11, 0), (2026, 11, 26, 11, 20))
        cls._ticket("b", cls.agent, (2026, 11, 26, 11, 0), (2026, 11, 26, 11, 40))
        cls._ticket("c", cls.agent, (2026, 11, 26, 6, 0), (2026, 11, 26, 9, 30))
        cls._ticket("d", cls.leader, (2026, 11, 27, 23, 30), (2026, 11, 28, 10, 45))
        cls._ticket("e", cls.leader, (2026, 12, 1, 11, 0), (2026, 12, 1, 13, 0))
        cls._ticket("f", False, (2026, 11, 26, 12, 0), None)
        cls._ticket("g", cls.agent, (2026, 11, 26, 12, 0), None)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 12, 10)):
            cls.tickets["f"].action_hotrush_uncheck()
        cls.env["helpdesk.ticket"].create(cls._ticket_vals(name="Not urgent"))
        cls.env.flush_all()

    @classmethod
    def _ticket(cls, key, user, requested, answered):
        with freeze_time(local_to_utc(MSK, *requested)):
            ticket = cls._create_ticket(
                name=f"Ticket {key}", hotrush=True, user_id=user and user.id
            )
        if answered:
            with freeze_time(local_to_utc(MSK, *answered)):
                ticket.with_user(user).message_post(
                    body="We are on it.",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        cls.tickets[key] = ticket

    def _figures(self, groupby=(), domain=()):
        measures = [
            "__count",
            "ticket_count:sum",
            "met_count:sum",
            "breached_count:sum",
            "met_rate:avg",
            "breached_rate:avg",
            "response_minutes:avg",
            "response_median_minutes:avg",
            "response_p90_minutes:avg",
        ]
        return self.Report.formatted_read_group(list(domain), list(groupby), measures)

    def test_response_time_in_working_minutes(self):
        minutes = {
            key: ticket.hotrush_response_working_minutes
            for key, ticket in self.tickets.items()
        }
        self.assertEqual(
            minutes, {"a": 20, "b": 40, "c": 30, "d": 75, "e": 120, "f": 0, "g": 0}
        )
        self.assertEqual(
            [self.tickets[k].hotrush_sla_status for k in "abcdefg"],
            ["met", "met", "met", "breached", "breached", "cancelled", "running"],
        )

    def test_totals(self):
        [total] = self._figures()
        self.assertEqual(total["__count"], 7, "HotRush tickets only")
        self.assertEqual(total["ticket_count:sum"], 7)
        self.assertEqual(total["met_count:sum"], 3)
        self.assertEqual(total["breached_count:sum"], 2)
        # rates among the decided tickets (met or breached)
        self.assertAlmostEqual(total["met_rate:avg"], 60.0)
        self.assertAlmostEqual(total["breached_rate:avg"], 40.0)
        # responses 20, 30, 40, 75, 120
        self.assertAlmostEqual(total["response_minutes:avg"], 57.0)
        self.assertAlmostEqual(total["response_median_minutes:avg"], 40.0)
        # percentile_cont: 75 + 0.6 * (120 - 75)
        self.assertAlmostEqual(total["response_p90_minutes:avg"], 102.0)

    def test_by_agent(self):
        groups = {
            g["user_id"][0]: g for g in self._figures(["user_id"]) if g["user_id"]
        }
        agent, leader = groups[self.agent.id], groups[self.leader.id]
        self.assertEqual(agent["__count"], 4)
        self.assertEqual(agent["met_count:sum"], 3)
        self.assertAlmostEqual(agent["met_rate:avg"], 100.0)
        self.assertAlmostEqual(agent["response_median_minutes:avg"], 30.0)
        self.assertAlmostEqual(agent["response_p90_minutes:avg"], 38.0)
        self.assertEqual(leader["breached_count:sum"], 2)
        self.assertAlmostEqual(leader["breached_rate:avg"], 100.0)
        self.assertAlmostEqual(leader["response_median_minutes:avg"], 97.5)

    def test_by_team_and_month(self):
        second_team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Second Line",
                "hotrush_offered": True,
                "user_ids": [Command.set([self.leader.id])],
            }
        )
        # a request made to the second line, answered in 30 min
        with freeze_time(local_to_utc(MSK, 2026, 12, 1, 11, 0)):
            second = self._create_ticket(
                name="Ticket h",
                hotrush=True,
                team_id=second_team.id,
                user_id=self.leader.id,
            )
        with freeze_time(local_to_utc(MSK, 2026, 12, 1, 11, 30)):
            second.with_user(self.leader).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        # "e", answered late by Technical Support, escalated to the second line
        # afterwards: its verdict stays the team's it was made to
        self.tickets["e"].team_id = second_team
        groups = self._figures(["request_team_id", "requested_at:month"])
        figures = {
            (g["request_team_id"][1], g["requested_at:month"][1]): (
                g["__count"],
                g["met_rate:avg"],
                g["response_median_minutes:avg"],
            )
            for g in groups
        }
        self.assertEqual(
            figures,
            {
                ("Technical Support", "November 2026"): (6, 75.0, 35.0),
                ("Technical Support", "December 2026"): (1, 0.0, 120.0),
                ("Second Line", "December 2026"): (1, 100.0, 30.0),
            },
        )
        # who may read a row follows the ticket, as helpdesk_mgmt's rules do:
        # the second line's members see "e" now, its former team's do not
        moved = self.tickets["e"]
        row = self.Report.search([("ticket_id", "=", moved.id)])
        self.assertEqual(row.team_id, second_team)
        self.assertEqual(row.request_team_id, self.team)
        former, receiving = (
            new_test_user(
                self.env,
                login=f"hr_report_{name}",
                groups="helpdesk_mgmt.group_helpdesk_user_team",
            )
            for name in ("former", "receiving")
        )
        self.team.user_ids = [Command.link(former.id)]
        second_team.user_ids = [Command.link(receiving.id)]
        self.assertFalse(
            self.Report.with_user(former).search([("ticket_id", "=", moved.id)])
        )
        self.assertTrue(
            self.Report.with_user(receiving).search([("ticket_id", "=", moved.id)])
        )

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Support Co"})
        other.hotrush_calendar_id = self.calendar.copy({"company_id": other.id})
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Other Support", "hotrush_offered": True, "company_id": other.id}
        )
        self._give_balance(self.customer_company, 100.0, company=other)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 0)):
            self.env["helpdesk.ticket"].with_company(other).create(
                self._ticket_vals(
                    hotrush=True,
                    team_id=team.id,
                    company_id=other.id,
                    category_id=False,
                )
            )
        manager = new_test_user(
            self.env,
            login="hr_report_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertEqual(self.Report.search_count([]), 8)
        [total] = self.Report.with_user(manager).formatted_read_group(
            [], [], ["__count"]
        )
        self.assertEqual(total["__count"], 7, "the other company's ticket is hidden")

    def test_personal_agent_sees_own_tickets(self):
        self.team.user_ids = [Command.link(self.own_agent.id)]
        self.tickets["a"].user_id = self.own_agent
        rows = self.Report.with_user(self.own_agent).search([])
        # assigned to them, or unassigned in their team (f), like helpdesk_mgmt's rule
        self.assertEqual(rows.ticket_id, self.tickets["a"] | self.tickets["f"])
