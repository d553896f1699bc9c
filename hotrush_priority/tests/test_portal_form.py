# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The promise of the portal's new-ticket form follows the chosen team (HR-62): its
calendar, target and closures, the price in money, the chat fields' labels and hours;
teams of another company or not on the portal are never shown."""

import html
import re

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo.tests import HttpCase, tagged
from odoo.tools import format_amount, format_date

from ..portal import Presenter
from .common import local_to_utc, make_calendar
from .test_portal import MSK, PortalMixin

# Thursday 2026-11-26 20:00 Moscow: the support desk is open until midnight, the
# hosting desk closed since 18:00 and closed all Friday for maintenance
THURSDAY_EVENING = local_to_utc(MSK, 2026, 11, 26, 20, 0)
FRIDAY_NOON = local_to_utc(MSK, 2026, 11, 27, 12, 0)


def text(fragment):
    """The text of an HTML fragment, spaces collapsed: inline elements add no
    space, the others separate words."""
    inline = re.sub(r"</?(?:span|strong)\b[^>]*>", "", fragment)
    # not str.split(): amounts keep their no-break space
    return re.sub(
        r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inline))
    ).strip()


@tagged("post_install", "-at_install")
class TestPortalForm(PortalMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        Product = cls.env["product.product"]
        cls.team.hotrush_support_product_id = Product.create(
            {"name": "Support hour", "type": "service", "list_price": 80.0}
        )
        cls.hosting_calendar = make_calendar(
            cls.env,
            "Hosting hours",
            MSK,
            [(day, 9.0, 18.0) for day in range(5)],
        )
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Data-center maintenance",
                "calendar_id": cls.hosting_calendar.id,
                "date_from": local_to_utc(MSK, 2026, 11, 27, 0, 0),
                "date_to": local_to_utc(MSK, 2026, 11, 28, 0, 0),
                "time_type": "leave",
            }
        )
        cls.hosting = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Hosting Support",
                "hotrush_offered": True,
                "hotrush_calendar_id": cls.hosting_calendar.id,
                "hotrush_response_hours": 2.0,
                "hotrush_support_product_id": Product.create(
                    {"name": "Hosting hour", "type": "service", "list_price": 95.5}
                ).id,
            }
        )
        # offering HotRush, yet not for this customer's form
        cls.hidden_team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Back-office Desk",
                "hotrush_offered": True,
                "show_in_portal": False,
            }
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Hosting Co"})
        cls.foreign_team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Foreign Rush Desk",
                "hotrush_offered": True,
                "company_id": cls.other_company.id,
            }
        )

    def setUp(self):
        super().setUp()
        self.authenticate("hr_portal", "hr_portal_pw")

    def _page(self, at=THURSDAY_EVENING, url="/new/ticket"):
        with freeze_time(at):
            return self.url_open(url).text

    def _promise(self, page, team=None):
        """The text of the promise shown for ``team`` (None: no team chosen)."""
        key = str(team.id) if team else ""
        blocks = re.findall(
            rf'<div class="o_hotrush_promise" data-hotrush-team="{key}"[^>]*>(.*?)</div>',
            page,
            re.DOTALL,
        )
        self.assertEqual(len(blocks), 1, f"one promise for team {key!r}")
        return text(blocks[0])

    def _chat_hint(self, page, team):
        hints = lxml_html.fromstring(page).xpath(
            "//*[@id='chat_time_hint']/span[contains(@class, 'o_hotrush_promise')]"
            f"[@data-hotrush-team='{team.id}']"
        )
        self.assertEqual(len(hints), 1)
        # each range and time on one line, however narrow the screen
        self.assertTrue(hints[0].xpath("span[@class='text-nowrap']"))
        return re.sub(r"[ \t\r\n]+", " ", hints[0].text_content()).strip()

    def _time(self, value):
        with freeze_time(THURSDAY_EVENING):
            return Presenter(self.env, MSK).time(value)

    def _money(self, amount, cents=False):
        """As the customer reads it: no ".00" on whole amounts, cents otherwise."""
        return format_amount(
            self.env, amount, self.env.company.currency_id, trailing_zeroes=cents
        )

    def test_promise_follows_each_team(self):
        page = self._page()
        support = self._promise(page, self.team)
        self.assertIn("within 1 hour of support working time", support)
        self.assertIn("Mon-Fri 09:00-24:00; Sat-Sun 10:00-18:00", support)
        self.assertIn(
            "Support is open now: sent now, your request is answered by "
            + self._time(local_to_utc(MSK, 2026, 11, 26, 21, 0)),
            support,
        )
        self.assertNotIn("Closed:", support)

        hosting = self._promise(page, self.hosting)
        self.assertIn("within 2 hours of support working time", hosting)
        self.assertIn("09:00-18:00", hosting)
        self.assertNotIn("09:00-24:00", hosting)
        # Friday's maintenance: the request waits until Monday's opening
        self.assertIn(
            "Support is closed now (outside its working hours): a request sent now "
            "waits until it opens at "
            + self._time(local_to_utc(MSK, 2026, 11, 30, 9, 0))
            + " and is answered by "
            + self._time(local_to_utc(MSK, 2026, 11, 30, 11, 0)),
            hosting,
        )
        self.assertIn(
            "Closed: Data-center maintenance on "
            + format_date(self.env, local_to_utc(MSK, 2026, 11, 27, 12, 0).date())
            + ".",
            hosting,
        )
        self.assertIn("Working hours: Mon-Thu 09:00-18:00.", hosting)
        # the customer's zone, named once on the page
        self.assertEqual(text(page).count("Europe/Moscow"), 1)
        self.assertIn("Times in your time zone, Europe/Moscow.", text(page))

        # no team chosen: the default team answers urgent requests
        self.assertEqual(self._promise(page), support)

    def test_queued_request_says_why(self):
        hosting = self._promise(self._page(at=FRIDAY_NOON), self.hosting)
        self.assertIn("closed for Data-center maintenance", hosting)
        support = self._promise(self._page(at=FRIDAY_NOON), self.team)
        self.assertIn("Support is open now", support)

    def test_team_without_hotrush_says_why_and_names_offering_teams(self):
        page = self._page()
        development = self._promise(page, self.dev_team)
        self.assertIn("not offered by Development", development)
        self.assertIn("Technical Support", development)
        self.assertIn("Hosting Support", development)
        self.assertNotIn("Back-office Desk", development)
        self.assertNotIn("answered by", development)
        self.assertIn(f'value="{self.dev_team.id}" data-hotrush-offered="0"', page)
        # a category excluded from HotRush carries its reason on its option
        self.assertRegex(
            page,
            rf'value="{self.category_sales.id}"[^>]*data-hotrush-reason="HotRush is '
            r"not available for Sales and licensing questions",
        )

    def test_price_in_money(self):
        page = self._page()
        self.assertEqual(self.company.hotrush_rate_multiplier, 2.0)
        self.assertIn(
            f"HotRush costs {self._money(160)}/h instead of {self._money(80)}/h: e.g. "
            f"2 hours of work cost {self._money(320)} instead of {self._money(160)}.",
            self._promise(page, self.team),
        )
        self.assertIn(
            f"HotRush costs {self._money(191)}/h instead of "
            f"{self._money(95.5, cents=True)}/h",
            self._promise(page, self.hosting),
        )
        self.assertIn("$", self._money(80))
        self.assertNotIn("80.00", self._money(80))
        self.assertIn("95.50", self._money(95.5, cents=True))
        # a team without a support product: the rate without a price, no "2.0"
        self.team.hotrush_support_product_id = False
        support = self._promise(self._page(), self.team)
        self.assertIn("billed at 2 times the normal rate", support)
        self.assertNotIn("2.0", support)

    def test_chat_fields_are_labelled_with_zone_and_hours(self):
        page = self._page()
        for field in ("chat_tool", "chat_contact", "chat_time"):
            self.assertRegex(page, rf'<label[^>]*for="{field}"')
        self.assertIn("Preferred start (your time zone)", text(page))
        self.assertEqual(
            self._chat_hint(page, self.team),
            "Choose a time in the working hours (Mon-Fri 09:00-24:00; Sat-Sun "
            "10:00-18:00) and no later than the answer deadline, "
            + self._time(local_to_utc(MSK, 2026, 11, 26, 21, 0))
            + ".",
        )
        self.assertIn(
            self._time(local_to_utc(MSK, 2026, 11, 30, 11, 0)),
            self._chat_hint(page, self.hosting),
        )
        # each tool carries what it calls the customer's ID
        self.assertRegex(
            page,
            rf'value="{self.zoom.id}" data-id-label="E-mail address" '
            r'data-id-example="name@example.com"',
        )

    def test_form_again_after_an_error_keeps_the_tool_hint(self):
        with freeze_time(THURSDAY_EVENING):
            csrf = re.search(
                r'name="csrf_token"\s+value="([^"]+)"',
                self.url_open("/new/ticket").text,
            ).group(1)
            page = self.url_open(
                "/submitted/ticket",
                data=self._form(
                    team=str(self.hosting.id),
                    chat_tool=str(self.zoom.id),
                    chat_contact="not-an-email",
                    chat_time="2026-11-26T20:30",
                    csrf_token=csrf,
                ),
            ).text
        self.assertIn("valid E-mail address for Zoom", page)
        # the team and category chosen stay chosen, with that team's promise
        tree = lxml_html.fromstring(page)
        self.assertEqual(
            tree.xpath("//select[@name='team']/option[@selected]/@value"),
            [str(self.hosting.id)],
        )
        self.assertEqual(
            tree.xpath("//select[@name='category']/option[@selected]/@value"),
            [str(self.category.id)],
        )
        shown = tree.xpath(
            "//div[contains(@class, 'o_hotrush_promise')][not(@style)]"
            "/@data-hotrush-team"
        )
        self.assertEqual(shown, [str(self.hosting.id)])
        label = re.search(
            r'<label[^>]*id="chat_contact_label"[^>]*>(.*?)</label>', page, re.DOTALL
        )
        self.assertEqual(text(label.group(1)), "E-mail address")
        self.assertIn("e.g. name@example.com", text(page))

    def test_other_company_and_hidden_teams_are_not_shown(self):
        page = self._page(url=f"/new/ticket?team={self.foreign_team.id}")
        for team in (self.foreign_team, self.hidden_team):
            self.assertNotIn(team.name, page)
            self.assertNotIn(f'data-hotrush-team="{team.id}"', page)
            self.assertNotRegex(page, rf'value="{team.id}"\s+data-hotrush-offered')
        # nor chosen by sending its id: refused, nothing created
        count = self.env["helpdesk.ticket"].search_count([])
        with freeze_time(THURSDAY_EVENING):
            csrf = re.search(
                r'name="csrf_token"\s+value="([^"]+)"',
                self.url_open("/new/ticket").text,
            ).group(1)
            for team in (self.foreign_team, self.hidden_team):
                response = self.url_open(
                    "/submitted/ticket",
                    data=self._form(team=str(team.id), csrf_token=csrf),
                )
                self.assertIn("Please choose one of the offered teams", response.text)
                self.assertNotIn(team.name, response.text)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_another_customer_reads_the_same_promise(self):
        page = self._page()
        self.authenticate("hr_portal_other", "hr_other_pw")
        other = self._page()
        self.assertEqual(
            self._promise(other, self.hosting), self._promise(page, self.hosting)
        )
        self.assertNotIn(self.portal.name, other)
