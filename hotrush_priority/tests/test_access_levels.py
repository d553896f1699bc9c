# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who reads a ticket's HotRush records: its requests, events (support's internal
removal notes among them) and charges follow helpdesk_mgmt's agent levels, as the
tickets do: "own tickets" sees its tickets' records, "team" its teams', "all" every
one; accounting reads the charges of its companies."""

from odoo.tests import new_test_user, tagged

from .common import HotrushCase
from .test_portal import PortalMixin


@tagged("post_install", "-at_install")
class TestAccessLevels(PortalMixin, HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_support_products()
        cls.own_agent.helpdesk_team_ids = cls.team
        cls.team_agent = new_test_user(
            cls.env,
            login="hr_team_agent",
            name="Tia Team",
            groups="helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="hr_accountant",
            name="Abe Accounts",
            groups="account.group_account_invoice",
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="hr_sales",
            name="Sam Sales",
            groups="base.group_user",
        )
        done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        # the own agent's ticket, and another agent's, both closed and charged
        cls.mine = cls._create_ticket(
            hotrush=True, user_id=cls.own_agent.id, hotrush_billable_hours=1.0
        )
        cls.theirs = cls._create_ticket(
            hotrush=True, user_id=cls.agent.id, hotrush_billable_hours=1.0
        )
        (cls.mine | cls.theirs).write({"stage_id": done.id})
        # support's internal note about the other customer's ticket
        cls.elsewhere = cls._create_ticket(hotrush=True, user_id=cls.agent.id)
        cls.elsewhere.action_hotrush_remove("other", note="Customer owes us money")
        cls.elsewhere.team_id = cls.dev_team

    def _visible(self, user, model):
        records = self.env[model].with_user(user).search([])
        return set(records.ticket_id.ids) & {
            self.mine.id,
            self.theirs.id,
            self.elsewhere.id,
        }

    def test_records_exist(self):
        for model in ("hotrush.request", "hotrush.event"):
            self.assertEqual(
                self._visible(self.env.user, model),
                {self.mine.id, self.theirs.id, self.elsewhere.id},
                model,
            )
        self.assertEqual(
            self._visible(self.env.user, "hotrush.charge"),
            {self.mine.id, self.theirs.id},
        )

    def test_own_tickets_agent_reads_their_tickets_records(self):
        for model in ("hotrush.request", "hotrush.event", "hotrush.charge"):
            self.assertEqual(
                self._visible(self.own_agent, model), {self.mine.id}, model
            )
        note = (
            self.env["hotrush.event"]
            .with_user(self.own_agent)
            .search([("note", "ilike", "owes")])
        )
        self.assertFalse(note, "another agent's ticket's internal note")

    def test_team_agent_reads_their_teams_records(self):
        self.team_agent.helpdesk_team_ids = self.team
        for model in ("hotrush.request", "hotrush.event", "hotrush.charge"):
            self.assertEqual(
                self._visible(self.team_agent, model),
                {self.mine.id, self.theirs.id},
                model,
            )

    def test_all_tickets_agent_reads_all(self):
        self.assertEqual(
            self._visible(self.agent, "hotrush.event"),
            {self.mine.id, self.theirs.id, self.elsewhere.id},
        )
        self.assertEqual(
            self._visible(self.agent, "hotrush.charge"), {self.mine.id, self.theirs.id}
        )

    def test_accountant_reads_charges_not_events(self):
        self.assertEqual(
            self._visible(self.accountant, "hotrush.charge"),
            {self.mine.id, self.theirs.id},
        )
        self.assertFalse(
            self.env["hotrush.event"].with_user(self.accountant).has_access("read")
        )

    def test_salesperson_reads_none(self):
        for model in ("hotrush.request", "hotrush.event", "hotrush.charge"):
            self.assertFalse(
                self.env[model].with_user(self.salesperson).has_access("read"), model
            )
