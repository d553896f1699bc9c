# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's pages, read as rendered HTML: the tickets list's HotRush column,
statuses, filters and sort; the support balance on the portal home and its page;
the live chat an uncheck or withdrawal cancels; the new-ticket form's description
after a refusal (HR-30, HR-42, HR-62)."""

import re

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import html2plaintext

from .common import local_to_utc
from .test_portal import MSK, PortalMixin

# Thu 2026-11-26, Moscow: requested at 11:00, the deadline is 12:00
REQUESTED = local_to_utc(MSK, 2026, 11, 26, 11, 0)
SECONDS = re.compile(r"\d:\d\d:\d\d")


@tagged("post_install", "-at_install")
class TestPortalPages(PortalMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls.chat_type = cls.env.ref("hotrush_priority.mail_activity_type_hotrush_chat")

    def setUp(self):
        super().setUp()
        self.authenticate("hr_portal", "hr_portal_pw")

    # Helpers

    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response.text

    def _tables(self, page):
        """Each table of the list: its headings' names and its rows' cells."""
        tree = lxml_html.fromstring(page)
        tables = []
        for table in tree.xpath("//table"):
            for head in table.xpath("./thead"):
                headings = head.xpath("./tr/th")
                body = head.getnext()
                rows = body.xpath("./tr") if body is not None else []
                tables.append((headings, rows))
        return tables

    def _rows(self, page):
        """Ticket number -> (the row's HotRush cell, its badge or None), in order."""
        rows = {}
        for _headings, body_rows in self._tables(page):
            for row in body_rows:
                number = row.xpath("./td[2]")[0].text_content().strip()
                cell = row.xpath("./td[@name='td_hotrush']")[0]
                badge = cell.xpath(".//span[contains(@class, 'badge')]")
                rows[number] = (cell, badge[0] if badge else None)
        return rows

    def _status(self, page, ticket):
        _cell, badge = self._rows(page)[ticket.number]
        self.assertIsNotNone(badge, ticket.number)
        return " ".join(badge.text_content().split()), badge.get("class").split()

    def _csrf(self):
        page = self.url_open("/new/ticket").text
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page).group(1)

    def _post(self, url, data):
        return self.url_open(url, data=dict(data, csrf_token=self._csrf()))

    # The list's column

    def test_hotrush_cells_under_their_heading_in_every_row(self):
        with freeze_time(REQUESTED):
            self._create_ticket(hotrush=True)
            self._create_ticket(name="Plain question")
            self._create_ticket(hotrush=True, category_id=False)
        for query in ("", "?groupby=stage", "?groupby=category", "?filterby=hotrush"):
            with self.subTest(query=query):
                tables = self._tables(self._page(f"/my/tickets{query}"))
                self.assertTrue(tables)
                for headings, rows in tables:
                    names = [th.get("name") for th in headings]
                    self.assertIn("th_hotrush", names)
                    column = names.index("th_hotrush")
                    self.assertTrue(rows)
                    # a phone shows the same columns of the headings and the rows:
                    # the number, title, stage and HotRush; the others from md up
                    phone = [
                        name
                        for th, name in zip(headings, names, strict=True)
                        if "d-none" not in (th.get("class") or "").split()
                    ]
                    self.assertIn("th_hotrush", phone)
                    self.assertNotIn("th_create_date", phone)
                    self.assertNotIn("th_number", phone)
                    for row in rows:
                        cells = row.xpath("./td")
                        self.assertEqual(len(cells), len(headings))
                        self.assertEqual(cells[column].get("name"), "td_hotrush")
                        self.assertEqual(
                            [
                                "d-none" in (cell.get("class") or "").split()
                                for cell in cells
                            ],
                            [
                                "d-none" in (th.get("class") or "").split()
                                for th in headings
                            ],
                        )

    def test_each_status_in_customer_words_and_colour(self):
        statuses = self._tickets_in_each_status()
        plain = self._create_ticket()
        page = self._page("/my/tickets")
        self.assertIn("times in Europe/Moscow", page)
        for name, (ticket, text, colour) in statuses.items():
            with self.subTest(status=name):
                status, classes = self._status(page, ticket)
                self.assertRegex(status, text)
                self.assertNotRegex(status, SECONDS)
                self.assertIn(f"text-bg-{colour}", classes)
                self.assertNotIn("Breached", status)
        cell, badge = self._rows(page)[plain.number]
        self.assertIsNone(badge, "never HotRush: an empty cell")
        self.assertEqual(cell.text_content().strip(), "")

    def test_times_in_the_customers_zone(self):
        with freeze_time(REQUESTED):
            ticket = self._create_ticket(hotrush=True)
        self.portal.tz = "Europe/Berlin"  # 12:00 in Moscow is 10:00 in Berlin
        page = self._page("/my/tickets")
        self.assertIn("times in Europe/Berlin", page)
        status, _classes = self._status(page, ticket)
        self.assertRegex(status, r"answer by .*10:00")

    # The search bar: filters and sort

    def test_filters_and_sort_show_own_tickets_only(self):
        with freeze_time(REQUESTED):
            late_deadline = self._create_ticket(hotrush=True)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 10, 0)):
            early_deadline = self._create_ticket(hotrush=True)
        with freeze_time(REQUESTED):
            answered = self._create_ticket(hotrush=True)
            plain = self._create_ticket(name="Plain question")
            foreign = self._create_ticket(
                hotrush=True, partner_id=self.other_portal.partner_id.id
            )
        self._reply(answered, local_to_utc(MSK, 2026, 11, 26, 11, 30))
        page = self._page("/my/tickets")
        self.assertIn("HotRush, waiting for an answer", page)
        self.assertIn("HotRush deadline", page)
        cases = {
            "filterby=hotrush": {late_deadline, early_deadline, answered},
            "filterby=hotrush_waiting": {late_deadline, early_deadline},
            "filterby=all": {late_deadline, early_deadline, answered, plain},
            "filterby=unknown": {late_deadline, early_deadline, answered, plain},
            "sortby=hotrush": {late_deadline, early_deadline, answered, plain},
        }
        for query, tickets in cases.items():
            with self.subTest(query=query):
                rows = self._rows(self._page(f"/my/tickets?{query}"))
                self.assertEqual(set(rows), {t.number for t in tickets})
                self.assertNotIn(foreign.number, rows)
        # awaiting an answer first, the closest deadline first
        rows = list(self._rows(self._page("/my/tickets?sortby=hotrush")))
        self.assertEqual(
            rows[:3],
            [early_deadline.number, late_deadline.number, answered.number],
        )
        rows = list(
            self._rows(self._page("/my/tickets?sortby=hotrush&filterby=hotrush"))
        )
        self.assertEqual(rows[0], early_deadline.number)
        # the other customer sees theirs, never this one's
        self.authenticate("hr_portal_other", "hr_other_pw")
        rows = self._rows(self._page("/my/tickets?filterby=hotrush"))
        self.assertEqual(set(rows), {foreign.number})

    # The support balance

    def _prepaid_product(self):
        product = self.env["product.product"].create(
            {
                "name": "Prepaid Support 10 h",
                "list_price": 560.0,
                "hotrush_prepaid_support": True,
                "hotrush_validity_days": 365,
            }
        )
        self.company.write(
            {
                "hotrush_prepaid_product_id": product.id,
                "email": "support@hotrush.example.com",
                "phone": "+1 555 0100",
            }
        )
        return product

    def test_home_shows_the_balance_entry(self):
        home = self._page("/my")
        entry = lxml_html.fromstring(home).xpath("//a[@href='/my/support-balance']")
        self.assertEqual(len(entry), 1, "one portal entry")
        text = " ".join(entry[0].text_content().split())
        self.assertIn("Support balance", text)
        self.assertIn("1,000.00", text)
        self.assertIn("Valid until", text)
        self.assertIn("HotRush is available", text)
        self.assertNotIn(" ,", text)
        # a pictogram like the other entries' (64 px SVG), served by the addon
        [icon] = entry[0].xpath(".//div[contains(@class, 'o_portal_icon')]/img/@src")
        self.assertTrue(icon.endswith(".svg"), icon)
        self.assertEqual(self.url_open(icon).status_code, 200)

    def test_home_tells_a_customer_without_balance_how_to_get_one(self):
        self._prepaid_product()
        newcomer = new_test_user(
            self.env,
            login="hr_portal_new",
            password="hr_new_pw",
            name="Nina Newcomer",
            groups="base.group_portal",
        )
        self.authenticate(newcomer.login, "hr_new_pw")
        for url in ("/my", "/my/support-balance"):
            with self.subTest(url=url):
                page = self._page(url)
                text = " ".join(lxml_html.fromstring(page).text_content().split())
                self.assertIn("You have no prepaid support yet", text)
                self.assertIn("Prepaid Support 10 h costs", text)
                self.assertIn("560.00", text)
                self.assertIn("valid for 365 days", text)
                self.assertIn(
                    "contact us: support@hotrush.example.com, +1 555 0100", text
                )
                self.assertNotIn("no credit left", text)
                self.assertNotIn("1,000.00", text)

    def test_balance_page_needs_a_login(self):
        self.authenticate(None, None)
        response = self.url_open("/my/support-balance")
        self.assertIn("/web/login", response.url)
        self.assertNotIn("1,000.00", response.text)

    def test_read_only_pages_answer_get_only(self):
        for url in ("/my/tickets", "/my/support-balance"):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 200)
                response = self.url_open(url, data={"csrf_token": self._csrf()})
                self.assertEqual(response.status_code, 405)

    def test_balance_page_lists_own_movements_only(self):
        other = self.balances.filtered(
            lambda b: b.partner_id == self.other_portal.partner_id
        )
        self._give_balance(other.partner_id, 123.45)
        page = self._page("/my/support-balance")
        self.assertIn("Adjustment", page)
        self.assertIn("1,000.00", page)
        self.assertNotIn("123.45", page)
        self.assertNotIn("1,123.45", page)
        self.assertNotIn("Test credit", page, "no internal reasons")
        self.authenticate("hr_portal_other", "hr_other_pw")
        page = self._page("/my/support-balance")
        self.assertIn("123.45", page)
        self.assertIn("1,123.45", page)

    # Uncheck and withdraw cancel the live chat

    def _ticket_with_chat(self, **vals):
        ticket = self._create_ticket(hotrush=True, **vals)
        _local, utc = self._chat_slot()
        ticket.with_user(self.portal).action_hotrush_request_chat(
            self.zoom.id, "rita@example.com", utc
        )
        self.assertEqual(ticket.hotrush_chat_at, utc)
        self.assertTrue(self._chat_activity(ticket))
        return ticket

    def _chat_activity(self, ticket):
        return ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == self.chat_type
        )

    def _assert_chat_cancelled(self, ticket):
        self.assertFalse(ticket.hotrush_chat_at)
        self.assertFalse(ticket.hotrush_chat_tool_id)
        self.assertFalse(ticket.hotrush_chat_contact)
        self.assertFalse(self._chat_activity(ticket))

    def test_uncheck_cancels_the_chat_and_says_so(self):
        ticket = self._ticket_with_chat()
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/uncheck", {"confirm": "1"}
        )
        self.assertIn("HotRush unchecked", response.text)
        self.assertRegex(
            response.text, r"Your live chat via Zoom planned for .* is cancelled\."
        )
        self.assertFalse(ticket.hotrush)
        self._assert_chat_cancelled(ticket)

    def test_withdraw_cancels_the_chat_and_says_so(self):
        ticket = self._ticket_with_chat(user_id=self.agent.id)
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/withdraw",
            {"note": "Solved it", "confirm": "1"},
        )
        self.assertIn("HotRush withdrawn", response.text)
        self.assertIn("Your live chat via Zoom planned for", response.text)
        self.assertEqual(ticket.hotrush_end_action, "withdraw")
        self._assert_chat_cancelled(ticket)

    def test_without_chat_nothing_is_said_of_one(self):
        ticket = self._create_ticket(hotrush=True)
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/uncheck", {"confirm": "1"}
        )
        self.assertIn("HotRush unchecked", response.text)
        self.assertNotIn("live chat", response.text.split("hotrush_message")[-1][:300])

    def test_rpc_uncheck_cancels_the_chat_removal_keeps_it(self):
        """The rule is the model's: any route that unchecks cancels the chat; support
        removing HotRush keeps the chat the customer asked for."""
        ticket = self._ticket_with_chat()
        ticket.with_user(self.portal).action_hotrush_uncheck()
        self._assert_chat_cancelled(ticket)
        kept = self._ticket_with_chat()
        kept.with_user(self.leader).action_hotrush_remove("bug")
        self.assertTrue(kept.hotrush_chat_at)
        self.assertTrue(self._chat_activity(kept))

    # The new-ticket form after a refusal

    def test_description_round_trip_keeps_what_was_typed(self):
        description = "Nothing loads\nsince 10:00"
        count = self.env["helpdesk.ticket"].search_count([])
        response = self._post(
            "/submitted/ticket",
            self._form(description=description, chat_tool="999999"),
        )
        self.assertIn("hotrush_form_error", response.text)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
        [textarea] = lxml_html.fromstring(response.text).xpath(
            "//textarea[@name='description']"
        )
        shown = textarea.text or ""
        self.assertEqual(shown.lstrip("\n"), description)
        # sent again as the browser sends the shown text: stored without spaces
        response = self._post("/submitted/ticket", self._form(description=shown))
        ticket = self.env["helpdesk.ticket"].search([], order="id desc", limit=1)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count + 1)
        self.assertTrue(html2plaintext(ticket.description).startswith("Nothing loads"))
        self.assertNotRegex(str(ticket.description), r"<p>\s+Nothing")
