# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket page as its customer reads it, on the rendered HTML: the HotRush card
(status in words and colour, apology and bill rule, why HotRush ended), the
confirmation of a priced action with its amount in money, the HotRush history
without agent names or internal notes, and the actions a closed ticket offers
(HR-62, HR-82)."""

import re

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo.tests import HttpCase, tagged

from ..portal import Presenter
from .common import local_to_utc
from .test_portal import MSK, PortalMixin

# Thu 2026-11-26, Moscow: requested at 11:00, the deadline is 12:00
REQUESTED = local_to_utc(MSK, 2026, 11, 26, 11, 0)
SECONDS = re.compile(r"\d:\d\d:\d\d")
BUTTONS = ("hotrush_request", "hotrush_uncheck", "hotrush_withdraw", "hotrush_chat")


@tagged("post_install", "-at_install")
class TestPortalTicketPage(PortalMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls._setup_support_products()
        cls.company.hotrush_rate_multiplier = 2.0
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    def setUp(self):
        super().setUp()
        self.authenticate("hr_portal", "hr_portal_pw")

    # Helpers

    def _page(self, ticket):
        response = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def _text(self, element):
        return " ".join(element.text_content().split()) if element is not None else ""

    def _find(self, page, element_id):
        found = lxml_html.fromstring(page).xpath(f"//*[@id='{element_id}']")
        return found[0] if found else None

    def _card(self, page):
        """The HotRush card: its status text, its status classes, its whole text."""
        card = self._find(page, "hotrush_card")
        self.assertIsNotNone(card, "the HotRush card")
        # the card sits in the left column, with the ticket's number and contacts
        self.assertTrue(card.xpath("ancestor::*[contains(@class, 'col-lg-4')]"))
        status = card.xpath(".//*[@id='hotrush_status']")
        return (
            self._text(status[0]) if status else "",
            status[0].get("class").split() if status else [],
            self._text(card),
        )

    def _buttons(self, page):
        tree = lxml_html.fromstring(page)
        return {name for name in BUTTONS if tree.xpath(f"//button[@name='{name}']")}

    def _csrf(self):
        page = self.url_open("/my").text
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page).group(1)

    def _post(self, url, data, csrf=True):
        if csrf:
            data = dict(data, csrf_token=self._csrf())
        return self.url_open(url, data=data)

    def _balance(self):
        return self.balances.filtered(lambda b: b.partner_id == self.customer_company)

    # The card: status in words and colour

    def test_each_status_in_customer_words_and_colour(self):
        statuses = self._tickets_in_each_status()
        for name, (ticket, text, colour) in statuses.items():
            with self.subTest(status=name):
                page = self._page(ticket)
                status, classes, card = self._card(page)
                self.assertRegex(status, text)
                self.assertIn(f"text-bg-{colour}", classes)
                self.assertNotRegex(card, SECONDS)
                self.assertNotIn("Breached", card)
                self.assertIn("Times in Europe/Moscow", card)
        running, unchecked, withdrawn = (
            statuses[name][0] for name in ("running", "unchecked", "withdrawn")
        )
        _status, _classes, card = self._card(self._page(unchecked))
        self.assertIn("You unchecked HotRush: no surcharge applies.", card)
        _status, _classes, card = self._card(self._page(withdrawn))
        self.assertIn("You withdrew the HotRush request", card)
        # in the customer's own zone
        self.portal.tz = "Europe/Berlin"
        status, _classes, card = self._card(self._page(running))
        self.assertRegex(status, r"answer by .*10:00 AM$")
        self.assertIn("Times in Europe/Berlin", card)

    def test_zone_named_once_and_the_chat_form_says_when(self):
        """The chat form of the ticket page is the new-ticket form's: labelled, the
        tool's ID hint, the hours it allows (the working hours, no later than the
        deadline), each range on one line; the customer's zone is named once."""
        with freeze_time(REQUESTED):
            ticket = self._create_ticket(hotrush=True)
            page = self._page(ticket)
        form = self._find(page, "hotrush_chat_form")
        self.assertIsNotNone(form)
        for field in ("chat_tool", "chat_contact", "chat_time"):
            self.assertTrue(form.xpath(f".//label[@for='{field}']"), field)
        self.assertIn("Preferred start (your time zone)", self._text(form))
        self.assertTrue(form.xpath(".//option[@data-id-label='E-mail address']"))
        hint = form.xpath(".//*[@id='chat_time_hint']")[0]
        with freeze_time(REQUESTED):
            deadline = Presenter(self.env, MSK).time(ticket.hotrush_deadline)
        self.assertEqual(
            self._text(hint),
            "Choose a time in the working hours (Mon-Fri 09:00-24:00; Sat-Sun "
            f"10:00-18:00) and no later than the answer deadline, {deadline}.",
        )
        self.assertEqual(
            [self._text(span) for span in hint.xpath(".//span[@class='text-nowrap']")],
            ["Mon-Fri 09:00-24:00", "Sat-Sun 10:00-18:00", deadline],
        )
        main = self._text(lxml_html.fromstring(page).xpath("//main")[0])
        self.assertEqual(main.count("Europe/Moscow"), 1, "the zone, named once")
        # another customer gets no form (nor the page)
        self.authenticate("hr_portal_other", "hr_other_pw")
        self.assertNotIn(
            "hotrush_chat_form", self.url_open(f"/my/ticket/{ticket.id}").text
        )

    def test_queued_ticket_says_why_it_waits(self):
        # Thursday 06:00 in Moscow: before the day's opening at 09:00
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 6, 0)):
            early = self._create_ticket(hotrush=True)
            _status, _classes, card = self._card(self._page(early))
        self.assertIn("Support is outside its working hours now.", card)
        # Friday is a public holiday: a request sent then waits for its end
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Founders' Day",
                "calendar_id": self.calendar.id,
                "date_from": local_to_utc(MSK, 2026, 11, 27, 0, 0),
                "date_to": local_to_utc(MSK, 2026, 11, 28, 0, 0),
                "time_type": "leave",
            }
        )
        with freeze_time(local_to_utc(MSK, 2026, 11, 27, 12, 0)):
            holiday = self._create_ticket(hotrush=True)
            self.assertEqual(holiday.hotrush_sla_status, "queued")
            page = self._page(holiday)
        _status, _classes, card = self._card(page)
        self.assertIn("Support is closed for Founders' Day.", card)
        history = self._text(self._find(page, "hotrush_history"))
        self.assertIn(
            "HotRush requested while support was closed for Founders' Day: queued "
            "until it opens",
            history,
        )

    def test_late_apologises_and_states_the_bill_rule(self):
        with freeze_time(REQUESTED):
            late = self._create_ticket(hotrush=True)
        late._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 12, 30))
        for waive, rule in [
            (True, "billed at the normal rate: no HotRush surcharge"),
            (False, "the HotRush rate still applies to this ticket"),
        ]:
            with self.subTest(waive=waive):
                self.company.hotrush_waive_breached = waive
                status, classes, card = self._card(self._page(late))
                self.assertEqual(status, "Not answered in time")
                self.assertIn("text-bg-danger", classes)
                self.assertIn("We are sorry we did not answer in time.", card)
                self.assertIn(rule, card)
        # the deadline has passed: no live chat to plan before it, no form
        self.assertEqual(self._buttons(self._page(late)), {"hotrush_uncheck"})
        self.assertIsNone(self._find(self._page(late), "hotrush_chat_form"))

    def test_each_removal_reason_in_customer_words(self):
        cases = [
            (
                {"reason": "customization", "team_id": self.dev_team.id},
                [
                    (
                        "relates to a customization project: the ticket is directed "
                        "to our Development department."
                    )
                ],
            ),
            (
                {"reason": "bug", "note": "Fixed in the next release"},
                [
                    "a bug in the default software behavior",
                    "Note from support: Fixed in the next release",
                    "handled by our Technical Support department",
                ],
            ),
            ({"reason": "general"}, ["general question about our company"]),
            (
                {"reason": "other", "note": "Duplicate"},
                ["removed the HotRush", "Duplicate"],
            ),
        ]
        for kwargs, texts in cases:
            with self.subTest(reason=kwargs["reason"]):
                ticket = self._create_ticket(hotrush=True)
                ticket.with_user(self.leader).action_hotrush_remove(**kwargs)
                status, classes, card = self._card(self._page(ticket))
                self.assertEqual(status, "HotRush ended – normal priority")
                self.assertIn("text-bg-secondary", classes)
                for text in texts:
                    self.assertIn(text, card)
                self.assertIn("billed at the normal support rate", card)
        # removed automatically: a move to a team or a category without HotRush
        moved = self._create_ticket(hotrush=True)
        moved.with_user(self.agent).write({"team_id": self.dev_team.id})
        self.assertEqual(moved.hotrush_end_reason, "transfer")
        _status, _classes, card = self._card(self._page(moved))
        self.assertIn(
            "The ticket moved to our Development department, which does not offer "
            "HotRush.",
            card,
        )
        recategorised = self._create_ticket(hotrush=True)
        recategorised.with_user(self.agent).write(
            {"category_id": self.category_sales.id}
        )
        self.assertEqual(recategorised.hotrush_end_reason, "not_eligible")
        _status, _classes, card = self._card(self._page(recategorised))
        self.assertIn(
            "HotRush does not cover questions of the category Sales and licensing.",
            card,
        )

    # The confirmation of a priced action

    def test_request_confirmed_first_with_its_price(self):
        ticket = self._create_ticket()
        url = f"/my/ticket/{ticket.id}/hotrush/request"
        self.assertEqual(self._buttons(self._page(ticket)), {"hotrush_request"})
        # the first POST asks: the amounts in money, nothing changes
        page = self._post(url, {}).text
        confirm = self._text(self._find(page, "hotrush_confirm"))
        self.assertRegex(
            confirm,
            r"160/h instead of \S*\s?80/h, paid from your balance of "
            r"\S*\s?1,000\.",
        )
        self.assertIn('name="confirm" value="1"', page)
        self.assertIn("Cancel", confirm)
        self.assertFalse(ticket.hotrush)
        # a GET changes nothing
        for method_url in (url, f"{url}?confirm=1"):
            response = self.url_open(method_url)
            self.assertNotEqual(response.status_code, 200)
            self.assertFalse(ticket.hotrush)
        # no CSRF token: refused
        response = self._post(url, {"confirm": "1"}, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ticket.hotrush)
        # another customer's ticket: neither asked nor done, their balance unseen
        foreign = self._create_ticket(partner_id=self.other_portal.partner_id.id)
        for data in ({}, {"confirm": "1"}):
            response = self._post(f"/my/ticket/{foreign.id}/hotrush/request", data)
            self.assertTrue(response.url.endswith("/my"))
            self.assertNotIn("hotrush_confirm", response.text)
            self.assertFalse(foreign.hotrush)
        # a confirm field of another value is no confirmation
        self._post(url, {"confirm": "yes"})
        self.assertFalse(ticket.hotrush)
        # confirmed
        response = self._post(url, {"confirm": "1"})
        self.assertIn("HotRush requested", response.text)
        self.assertTrue(ticket.hotrush)

    def test_withdraw_confirmed_first_with_the_new_rate(self):
        ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        url = f"/my/ticket/{ticket.id}/hotrush/withdraw"
        self.assertEqual(
            self._buttons(self._page(ticket)), {"hotrush_withdraw", "hotrush_chat"}
        )
        page = self._post(url, {"note": "Solved it"}).text
        confirm = self._find(page, "hotrush_confirm")
        self.assertRegex(
            self._text(confirm),
            r"billed at \S*\s?80/h instead of \S*\s?160/h",
        )
        # the note travels with the confirmation
        self.assertEqual(
            confirm.xpath(".//input[@name='note']")[0].get("value"), "Solved it"
        )
        self.assertTrue(ticket.hotrush)
        response = self._post(url, {"note": "Solved it", "confirm": "1"})
        self.assertIn("HotRush withdrawn", response.text)
        self.assertEqual(ticket.hotrush_end_action, "withdraw")
        self.assertEqual(ticket.hotrush_event_ids[:1].note, "Solved it")

    # A closed ticket

    def test_closed_ticket_offers_only_withdrawal_with_the_amount_back(self):
        ticket = self._create_ticket(
            hotrush=True, user_id=self.agent.id, hotrush_billable_hours=2.0
        )
        ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
        balance = self._balance()
        self.assertEqual(balance.amount, 680.0, "2 h at 160.00 paid from 1,000.00")
        page = self._page(ticket)
        self.assertEqual(self._buttons(page), {"hotrush_withdraw"})
        self.assertNotIn("/ticket/close", page)
        page = self._post(f"/my/ticket/{ticket.id}/hotrush/withdraw", {}).text
        confirm = self._text(self._find(page, "hotrush_confirm"))
        self.assertRegex(confirm, r"surcharge of \S*\s?160 is refunded")
        self.assertRegex(
            confirm,
            r"160 returns to your balance: it goes from \S*\s?680 to \S*\s?840\.",
        )
        self.assertTrue(ticket.hotrush)
        self.assertEqual(balance.amount, 680.0)
        self._post(f"/my/ticket/{ticket.id}/hotrush/withdraw", {"confirm": "1"})
        self.assertFalse(ticket.hotrush)
        balance.invalidate_recordset()
        self.assertEqual(balance.amount, 840.0)
        # ended and closed: nothing left to do
        self.assertEqual(self._buttons(self._page(ticket)), set())

    def test_normal_ticket_tells_what_hotrush_gives_or_why_not(self):
        ticket = self._create_ticket()
        page = self._page(ticket)
        self.assertIn("hotrush_request", self._buttons(page))
        _status, _classes, card = self._card(page)
        self.assertIn("An engineer answers within 1 hour of support working time", card)
        self.assertRegex(card, r"HotRush costs \S*\s?160/h instead of \S*\s?80/h")
        # no active balance: the reason (and how to get one) instead of the button
        self._balance().line_ids.unlink()
        page = self._page(ticket)
        self.assertNotIn("hotrush_request", self._buttons(page))
        refusal = self._text(self._find(page, "hotrush_request_refusal"))
        self.assertIn("HotRush needs prepaid support", refusal)
        # and the action asked anyway is refused before any confirmation
        page = self._post(f"/my/ticket/{ticket.id}/hotrush/request", {}).text
        self.assertIsNone(self._find(page, "hotrush_confirm"))
        self.assertIn(
            "HotRush needs prepaid support",
            self._text(self._find(page, "hotrush_message")),
        )
        self.assertFalse(ticket.hotrush)

    def test_what_an_action_tells_shows_on_its_ticket_only(self):
        with freeze_time(REQUESTED):
            first = self._create_ticket(hotrush=True)
            second = self._create_ticket(hotrush=True)
            self._post(
                f"/my/ticket/{first.id}/hotrush/chat",
                {"chat_tool": str(self.zoom.id), "chat_contact": "typed-on-first"},
            )
            # another ticket's page: neither the refusal nor what was typed
            page = self._page(second)
            self.assertIsNone(self._find(page, "hotrush_message"))
            self.assertNotIn("typed-on-first", page)
            # told once: gone from the first ticket's page too
            page = self._page(first)
            self.assertIsNone(self._find(page, "hotrush_message"))
            self.assertNotIn("typed-on-first", page)
            # on its own ticket, right after the action
            response = self._post(
                f"/my/ticket/{first.id}/hotrush/chat",
                {"chat_tool": str(self.zoom.id), "chat_contact": "typed-on-first"},
            )
            self.assertTrue(response.url.endswith(f"/my/ticket/{first.id}"))
            self.assertIsNotNone(self._find(response.text, "hotrush_message"))
            self.assertIn('value="typed-on-first"', response.text)

    def test_a_file_in_place_of_a_text_field_is_refused_cleanly(self):
        ticket = self._create_ticket(
            hotrush=True, user_id=self.agent.id, hotrush_billable_hours=1.0
        )
        forged = {"note": ("note.txt", b"not a text field", "text/plain")}
        response = self.url_open(
            f"/my/ticket/{ticket.id}/hotrush/withdraw",
            data={"confirm": "1", "csrf_token": self._csrf()},
            files=forged,
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ticket.hotrush)
        self.assertFalse(ticket.hotrush_event_ids[:1].note, "no file kept as a note")
        count = self.env["helpdesk.ticket"].search_count([])
        response = self.url_open(
            "/submitted/ticket",
            data={
                "description": "Nothing loads",
                "category": str(self.category.id),
                "csrf_token": self._csrf(),
            },
            files={"subject": ("subject.txt", b"Shop down", "text/plain")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("The form was not sent as expected", response.text)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_uncheck_confirmed_first_with_the_normal_rate(self):
        ticket = self._create_ticket(hotrush=True)
        url = f"/my/ticket/{ticket.id}/hotrush/uncheck"
        confirm = self._text(self._find(self._post(url, {}).text, "hotrush_confirm"))
        self.assertRegex(
            confirm,
            r"The normal rate applies: \S*\s?80/h instead of \S*\s?160/h\. No "
            r"HotRush surcharge is billed\.",
        )
        self.assertNotIn("live chat", confirm)
        _local, utc = self._chat_slot()
        ticket.with_user(self.portal).action_hotrush_request_chat(
            self.zoom.id, "rita@example.com", utc
        )
        confirm = self._text(self._find(self._post(url, {}).text, "hotrush_confirm"))
        self.assertIn("Your planned live chat is cancelled too.", confirm)
        self.assertTrue(ticket.hotrush, "nothing changes before the confirmation")
        self._post(url, {"confirm": "1"})
        self.assertEqual(ticket.hotrush_end_action, "uncheck")

    def test_closing_that_bills_is_confirmed_first_with_the_amount(self):
        ticket = self._create_ticket(
            hotrush=True, user_id=self.agent.id, hotrush_billable_hours=2.0
        )
        stage = ticket._get_portal_closing_stages()[:1]
        balance = self._balance()
        data = {"ticket_id": str(ticket.id), "stage_id": str(stage.id)}
        page = self._post("/ticket/close", data).text
        confirm = self._find(page, "hotrush_confirm")
        self.assertRegex(
            self._text(confirm),
            r"Closing bills 2 h of support at \S*\s?160/h \(the HotRush rate\): "
            r"\S*\s?320\.\s*It is paid from your balance of \S*\s?1,000\.",
        )
        [form] = confirm.xpath(".//form")
        self.assertEqual(form.get("action"), "/ticket/close")
        hidden = {
            field.get("name"): field.get("value")
            for field in form.xpath(".//input[@type='hidden']")
        }
        self.assertEqual(
            {name: hidden.get(name) for name in ("ticket_id", "stage_id", "confirm")},
            {"ticket_id": str(ticket.id), "stage_id": str(stage.id), "confirm": "1"},
        )
        # nothing changes until the customer confirms
        self.assertFalse(ticket.closed)
        self.assertEqual(balance.amount, 1000.0)
        self._post("/ticket/close", dict(data, confirm="1"))
        self.assertTrue(ticket.closed)
        balance.invalidate_recordset()
        self.assertEqual(balance.amount, 680.0, "2 h at 160 paid from 1,000")
        # the amount confirmed is the amount charged
        self.assertEqual(ticket.sudo().hotrush_charge_ids.amount, 320.0)

        # nothing to bill: closed at once, as helpdesk_mgmt's route did
        plain = self._create_ticket()
        response = self.url_open(
            "/ticket/close",
            data={
                "ticket_id": str(plain.id),
                "stage_id": str(stage.id),
                "csrf_token": self._csrf(),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(plain.closed)

        # another customer's billable ticket: no amount shown, nothing closed
        foreign = self._create_ticket(
            partner_id=self.other_portal.partner_id.id, hotrush_billable_hours=1.0
        )
        page = self._post(
            "/ticket/close", {"ticket_id": str(foreign.id), "stage_id": str(stage.id)}
        ).text
        self.assertIsNone(self._find(page, "hotrush_confirm"))
        self.assertNotIn("Closing bills", page)
        self.assertFalse(foreign.closed)

    def test_closed_ticket_without_hotrush_offers_no_request(self):
        ticket = self._create_ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
        page = self._page(ticket)
        self.assertEqual(self._buttons(page), set())
        self.assertIsNone(self._find(page, "hotrush_card"))

    # The history

    def test_history_without_agent_names_or_internal_notes(self):
        def at(hour, minute=0):
            return local_to_utc(MSK, 2026, 11, 26, hour, minute)

        with freeze_time(at(6)):
            ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        with freeze_time(at(9, 30)):
            ticket.with_user(self.portal).action_hotrush_withdraw(note="Found it")
        with freeze_time(at(10)):
            ticket.with_user(self.agent).action_hotrush_request()
        self.env["hotrush.event"].create(
            {
                "ticket_id": ticket.id,
                "kind": "move",
                "action": "replan",
                "user_id": self.leader.id,
                "date": at(10, 5),
                "previous_deadline": at(11),
                "deadline": at(11, 30),
                "note": "Internal: calendar 'Night shift' edited by Lee",
            }
        )
        self._reply(ticket, at(10, 20))
        with freeze_time(at(10, 40)):
            ticket.with_user(self.leader).action_hotrush_remove(
                "bug", note="Known issue, fixed next week"
            )
        ticket.message_post(
            body="Internal: customer is difficult",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        history = self._find(self._page(ticket), "hotrush_history")
        self.assertIsNotNone(history)
        lines = [self._text(li) for li in history.xpath(".//li")]
        expected = [
            (
                r"HotRush requested outside working hours: queued until support "
                r"opens, answer by .*10:00"
            ),
            r"9:30.*You withdrew the HotRush request\.",
            r"10:00.*HotRush requested: answer by .*11:00",
            r"10:05.*Answer deadline moved from .*11:00 .*to .*11:30",
            r"10:20.*Answered by an engineer\.",
            (
                r"10:40.*HotRush removed: The issue turned out to be a bug.* Note "
                r"from support: Known issue, fixed next week"
            ),
        ]
        self.assertEqual(len(lines), len(expected), lines)
        for line, text in zip(lines, expected, strict=True):
            self.assertRegex(line, text)
            self.assertNotRegex(line, SECONDS)
            self.assertNotIn("Europe/Moscow", line)
        text = self._text(history)
        for hidden in (
            "Alex Agent",
            "Lee Leader",
            "Night shift",
            "difficult",
            "Found it",
        ):
            self.assertNotIn(hidden, text)
        # another customer sees neither the page nor its history
        self.authenticate("hr_portal_other", "hr_other_pw")
        response = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertTrue(response.url.endswith("/my"))
        self.assertNotIn("hotrush_history", response.text)

    def test_history_of_a_missed_deadline(self):
        with freeze_time(REQUESTED):
            ticket = self._create_ticket(hotrush=True)
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 12, 30))
        self._reply(ticket, local_to_utc(MSK, 2026, 11, 26, 12, 40))
        history = self._find(self._page(ticket), "hotrush_history")
        lines = [self._text(li) for li in history.xpath(".//li")]
        self.assertEqual(len(lines), 3, lines)
        self.assertRegex(lines[0], r"HotRush requested: answer by .*12:00")
        self.assertRegex(lines[1], r"12:00.*Not answered in time: we are sorry\.")
        self.assertRegex(lines[2], r"12:40.*Answered late by an engineer\.")
