# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The e-mail channel (HR-83), through Odoo's mail gateway on raw messages: a new
ticket whose subject carries a HotRush marker is a HotRush request under the portal's
rules when the receiving server authenticated its sender; otherwise a normal ticket
whose customer is told why. Replies never change urgency."""

import uuid
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from ..const import HIGHEST_PRIORITY
from ..models.helpdesk_ticket_mail import aligned, parse_authentication_results
from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"
DOMAIN = "rushmore-retail.com"
RITA = f"rita@{DOMAIN}"
# what the receiving server writes for an e-mail it authenticated, and for a forgery
DMARC_PASS = (
    "mx.hotrush.example.com; dkim=pass (2048-bit key; unprotected) "
    f"header.d={DOMAIN} header.i=@{DOMAIN} header.s=mail; "
    f"spf=pass smtp.mailfrom={DOMAIN}; "
    f"dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from={DOMAIN}"
)
DMARC_FAIL = (
    "mx.hotrush.example.com; dkim=none (no signature); "
    "spf=fail smtp.mailfrom=forger.example; "
    f"dmarc=fail (p=NONE dis=NONE) header.from={DOMAIN}"
)
SUBJECT_ACCEPTED = "HotRush accepted:"
SUBJECT_REFUSED = "HotRush not possible by e-mail:"


def thursday(hour, minute=0):
    """Thu 2026-11-26, Moscow time: support is open from 09:00."""
    return local_to_utc(MSK, 2026, 11, 26, hour, minute)


@tagged("post_install", "-at_install")
class TestMailChannel(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {"name": "hotrush.example.com"}
        )
        cls.company.alias_domain_id = cls.alias_domain
        for team, name in ((cls.team, "support"), (cls.dev_team, "development")):
            team.alias_id.write(
                {"alias_name": name, "alias_domain_id": cls.alias_domain.id}
            )
        # the receiving server whose verdicts count
        cls.company.hotrush_mail_servers = "mx.hotrush.example.com"
        cls.customer = cls.portal.partner_id  # Rita, of Rushmore Retail (balance)
        cls.customer.email = RITA
        cls.poor = cls.env["res.partner"].create(
            {"name": "Paula Poor", "email": "paula@poor-shop.com"}
        )
        cls.colleague = cls.env["res.partner"].create(
            {"name": "Carl Colleague", "email": f"carl@{DOMAIN}"}
        )

    # helpers

    def _raw(
        self,
        subject,
        sender=f"Rita Rushmore <{RITA}>",
        to="support@hotrush.example.com",
        auth=(DMARC_PASS,),
        cc="",
        in_reply_to="",
    ):
        headers = [f"Authentication-Results: {value}" for value in auth]
        headers += [
            f"From: {sender}",
            f"To: {to}",
            f"Subject: {subject}",
            f"Message-ID: <{uuid.uuid4().hex}@{DOMAIN}>",
            "Date: Thu, 26 Nov 2026 08:00:00 +0000",
            "MIME-Version: 1.0",
            'Content-Type: text/plain; charset="utf-8"',
        ]
        if cc:
            headers.append(f"Cc: {cc}")
        if in_reply_to:
            headers.append(f"In-Reply-To: {in_reply_to}")
        return "\r\n".join(headers) + "\r\n\r\nThe checkout is down.\r\n"

    def _receive(self, subject, at=None, **kwargs):
        """An e-mail through the gateway at ``at`` (Thu 11:00 in Moscow), the
        transaction's end (its notices), then the SLA action's run a minute later."""
        at = at or thursday(11)
        with freeze_time(at):
            ticket_id = self.env["mail.thread"].message_process(
                "helpdesk.ticket", self._raw(subject, **kwargs)
            )
        self.flush_tracking()
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self._run_cron(at + timedelta(minutes=1))
        return ticket

    def _notices(self, ticket, subject):
        self.env.invalidate_all()
        return ticket.message_ids.filtered(
            lambda m: (m.subject or "").startswith(subject)
        )

    def assertHotrush(self, ticket):
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertTrue(ticket.hotrush_deadline)
        self.assertFalse(ticket.hotrush_mail_refusal)
        accepted = self._notices(ticket, SUBJECT_ACCEPTED)
        self.assertEqual(len(accepted), 1)
        self.assertEqual(accepted.notification_ids.res_partner_id, ticket.partner_id)
        self.assertFalse(self._notices(ticket, SUBJECT_REFUSED))

    def assertNormal(self, ticket, reason):
        """A normal ticket that charges nobody extra, with its reason kept."""
        self.assertTrue(ticket)
        self.assertFalse(ticket.hotrush)
        self.assertFalse(ticket.hotrush_requested_at)
        self.assertFalse(ticket.hotrush_deadline)
        self.assertFalse(ticket.hotrush_sla_status)
        self.assertNotEqual(ticket.priority, HIGHEST_PRIORITY)
        self.assertEqual(ticket.hotrush_mail_refusal, reason)
        self.assertFalse(self._notices(ticket, SUBJECT_ACCEPTED))

    def assertRefusalTold(self, ticket, *phrases):
        """One refusal notice, public, to the ticket's customer only, after the
        customer's own e-mail, saying ``phrases``."""
        notice = self._notices(ticket, SUBJECT_REFUSED)
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.message_type, "auto_comment")
        self.assertFalse(notice.is_internal)
        self.assertEqual(notice.author_id, self.company.partner_id)
        self.assertEqual(notice.partner_ids, ticket.partner_id)
        self.assertEqual(notice.notification_ids.res_partner_id, ticket.partner_id)
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(notice.parent_id, incoming)
        body = " ".join(str(notice.body).split())
        for phrase in phrases:
            self.assertIn(phrase, body)
        return body

    # marker, sender, balance, team

    def test_marker_with_balance_is_hotrush_and_title_stripped(self):
        ticket = self._receive("[HotRush] Checkout is down")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.name, "Checkout is down")
        self.assertHotrush(ticket)
        self.assertEqual(ticket.hotrush_requested_at, thursday(11))
        # the customer's own e-mail keeps its subject
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(incoming.subject, "[HotRush] Checkout is down")

    def test_marker_in_another_case_and_place(self):
        for subject, title in (
            ("[hotrush] Checkout is down", "Checkout is down"),
            ("Checkout is down [URGENT]", "Checkout is down"),
            ("Fwd: [Urgent] Checkout  is down", "Fwd: Checkout is down"),
        ):
            with self.subTest(subject=subject):
                ticket = self._receive(subject)
                self.assertEqual(ticket.name, title)
                self.assertHotrush(ticket)

    def test_marker_alone_leaves_a_title(self):
        ticket = self._receive("[HotRush]")
        self.assertTrue(ticket.name)
        self.assertNotIn("[HotRush]", ticket.name)
        self.assertHotrush(ticket)

    def test_configured_markers(self):
        self.company.hotrush_mail_markers = " [P1] ,, [Now]"
        ticket = self._receive("[HotRush] Checkout is down")
        self.assertEqual(ticket.name, "[HotRush] Checkout is down")
        self.assertFalse(ticket.hotrush)
        self.assertFalse(ticket.hotrush_mail_refusal)
        ticket = self._receive("[now] Checkout is down")
        self.assertEqual(ticket.name, "Checkout is down")
        self.assertHotrush(ticket)
        # no markers: HotRush is not requested by e-mail at all
        self.company.hotrush_mail_markers = False
        ticket = self._receive("[P1] Checkout is down")
        self.assertEqual(ticket.name, "[P1] Checkout is down")
        self.assertFalse(ticket.hotrush)

    def test_no_marker_is_a_normal_ticket_without_notice(self):
        ticket = self._receive("Checkout is down")
        self.assertEqual(ticket.name, "Checkout is down")
        self.assertNormal(ticket, False)
        self.assertFalse(self._notices(ticket, SUBJECT_REFUSED))

    def test_marker_without_balance(self):
        ticket = self._receive(
            "[HotRush] Our shop is down",
            sender="Paula Poor <paula@poor-shop.com>",
            auth=(DMARC_PASS.replace(DOMAIN, "poor-shop.com"),),
        )
        self.assertEqual(ticket.partner_id, self.poor)
        self.assertEqual(ticket.name, "Our shop is down")
        self.assertNormal(ticket, "balance")
        body = self.assertRefusalTold(ticket, "support balance is active")
        self.assertNotIn("/web/login", body)

    def test_marker_expired_balance(self):
        self._give_balance(self.poor, 100.0, expiry="2026-01-31")
        ticket = self._receive(
            "[HotRush] Our shop is down",
            sender="Paula Poor <paula@poor-shop.com>",
            auth=(DMARC_PASS.replace(DOMAIN, "poor-shop.com"),),
        )
        self.assertNormal(ticket, "balance")
        self.assertRefusalTold(ticket, "Top up your prepaid support")

    def test_marker_to_a_team_without_hotrush(self):
        ticket = self._receive(
            "[HotRush] Build us a module", to="development@hotrush.example.com"
        )
        self.assertEqual(ticket.team_id, self.dev_team)
        self.assertEqual(ticket.name, "Build us a module")
        self.assertNormal(ticket, "team")
        self.assertRefusalTold(ticket, "does not offer HotRush")

    def test_marker_in_a_category_not_eligible(self):
        self.team.alias_id.alias_defaults = repr(
            {"team_id": self.team.id, "category_id": self.category_sales.id}
        )
        ticket = self._receive("[HotRush] How much is a licence?")
        self.assertEqual(ticket.category_id, self.category_sales)
        self.assertNormal(ticket, "category")
        self.assertRefusalTold(ticket, "Sales and licensing")

    def test_marker_from_an_unknown_sender(self):
        ticket = self._receive(
            "[HotRush] Checkout is down",
            sender="Stranger <someone@unknown-shop.com>",
            auth=(DMARC_PASS.replace(DOMAIN, "unknown-shop.com"),),
        )
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.name, "Checkout is down")
        self.assertNormal(ticket, "unknown")
        # nobody to tell: no partner, no notice to anybody
        self.assertFalse(self._notices(ticket, SUBJECT_REFUSED))

    # authentication

    def test_forged_from_of_a_customer_with_balance(self):
        """The same message without a DMARC/DKIM pass: a normal ticket, nobody
        charged, the real customer told with the portal's link."""
        balance = self.balances.filtered(
            lambda b: b.partner_id == self.customer_company
        )
        amount = balance.amount
        for auth in ((DMARC_FAIL,), ()):
            with self.subTest(auth=auth):
                ticket = self._receive("[HotRush] Checkout is down", auth=auth)
                self.assertEqual(ticket.partner_id, self.customer)
                self.assertEqual(ticket.name, "Checkout is down")
                self.assertNormal(ticket, "unauthenticated")
                body = self.assertRefusalTold(ticket, "could not confirm")
                url = f"/web/login?redirect=/my/ticket/{ticket.id}"
                self.assertIn(url, body)
                self.assertIn(ticket.get_base_url(), body)
                # closing it bills the normal rate: no HotRush surcharge for anyone
                self.assertFalse(ticket.hotrush_charge_ids)
                self.env.invalidate_all()
                self.assertEqual(balance.amount, amount)

    def test_portal_link_requests_hotrush_after_login(self):
        ticket = self._receive("[HotRush] Checkout is down", auth=(DMARC_FAIL,))
        self.assertNormal(ticket, "unauthenticated")
        # the customer, signed in, requests it on the ticket's page
        with freeze_time(thursday(11, 5)):
            ticket.with_user(self.portal).action_hotrush_request()
        self.assertTrue(ticket.hotrush)

    def test_forged_pass_with_server_verdict_refused(self):
        """A sender's own ``dmarc=pass`` header does not outweigh the receiving
        server's ``fail`` for the same domain."""
        ticket = self._receive(
            "[HotRush] Checkout is down",
            auth=(DMARC_FAIL, f"forger.example; dmarc=pass header.from={DOMAIN}"),
        )
        self.assertNormal(ticket, "unauthenticated")

    def test_no_trusted_server_named_no_hotrush_by_mail(self):
        """Secure by default: until the company names its receiving server, any
        Authentication-Results header could be the sender's own; none counts."""
        self.company.hotrush_mail_servers = False
        ticket = self._receive("[HotRush] Checkout is down")
        self.assertNormal(ticket, "unauthenticated")
        self.assertFalse(ticket.hotrush_event_ids)
        self.company.hotrush_mail_servers = "mx.hotrush.example.com"
        self.assertHotrush(self._receive("[HotRush] Payments fail"))

    def test_only_the_trusted_servers_verdicts_count(self):
        """A sender writes its own 'dmarc=pass' under another server's name: with the
        company's trusted servers set, only their headers authenticate (RFC 8601)."""
        self.company.hotrush_mail_servers = " MX.hotrush.example.com , mx2.example.org"
        forged = DMARC_PASS.replace("mx.hotrush.example.com", "mx.attacker.example")
        ticket = self._receive("[HotRush] Checkout is down", auth=(forged,))
        self.assertNormal(ticket, "unauthenticated")
        self.assertFalse(ticket.hotrush_event_ids)
        # the trusted server's own verdict, next to the forged one
        ticket = self._receive("[HotRush] Payments fail", auth=(forged, DMARC_PASS))
        self.assertHotrush(ticket)
        # the trusted server says fail: the sender's pass under another name is
        # ignored, the fail refuses
        ticket = self._receive(
            "[HotRush] Still down",
            auth=(
                DMARC_PASS.replace("mx.hotrush.example.com", "mx.attacker.example"),
                DMARC_FAIL,
            ),
        )
        self.assertNormal(ticket, "unauthenticated")

    def test_dkim_aligned_pass_accepted(self):
        for auth in (
            (f"mx.hotrush.example.com; dkim=pass header.d={DOMAIN}",),
            # several headers and results, comments, any case, the agent's address
            (
                "mx.hotrush.example.com (Postfix); spf=none",
                (
                    "MX.HOTRUSH.EXAMPLE.COM; dkim=fail header.d=old-signer.example; "
                    "DKIM=Pass (good (nested) signature) "
                    "Header.I=rita@Rushmore-Retail.com header.s=k1"
                ),
            ),
        ):
            with self.subTest(auth=auth):
                ticket = self._receive("[HotRush] Checkout is down", auth=auth)
                self.assertHotrush(ticket)
        # the signature of the parent domain is aligned with a sub-domain's From
        shop = self.env["res.partner"].create(
            {
                "name": "Rushmore Shop",
                "email": f"shop@eu.{DOMAIN}",
                "parent_id": self.customer_company.id,
            }
        )
        ticket = self._receive(
            "[HotRush] Mail from the shop",
            sender=f"Rushmore Shop <shop@eu.{DOMAIN}>",
            auth=(f"mx.hotrush.example.com; dkim=pass header.d={DOMAIN}",),
        )
        self.assertEqual(ticket.partner_id, shop)
        self.assertHotrush(ticket)

    def test_pass_for_another_domain_refused(self):
        for auth in (
            "mx.hotrush.example.com; dmarc=pass header.from=forger.example",
            "mx.hotrush.example.com; dkim=pass header.d=forger.example",
            f"mx.hotrush.example.com; dkim=pass header.d=mail.{DOMAIN}",
            f"mx.hotrush.example.com; dkim=fail header.d={DOMAIN}",
            f"mx.hotrush.example.com; spf=pass smtp.mailfrom={DOMAIN}",
        ):
            with self.subTest(auth=auth):
                ticket = self._receive("[HotRush] Checkout is down", auth=(auth,))
                self.assertNormal(ticket, "unauthenticated")

    # replies, notices turned off, other partners

    def test_marker_in_a_reply_changes_nothing(self):
        ticket = self._receive("Checkout is down")
        first = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        replied = self._receive(
            "Re: [HotRush] Checkout is down", in_reply_to=first.message_id
        )
        self.assertEqual(replied, ticket)
        emails = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(emails), 2)
        self.assertEqual(ticket.name, "Checkout is down")
        self.assertNormal(ticket, False)
        self.assertFalse(self._notices(ticket, SUBJECT_REFUSED))

    def test_reply_without_marker_keeps_hotrush(self):
        ticket = self._receive("[HotRush] Checkout is down")
        first = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self._receive(
            "Re: Checkout is down", in_reply_to=first.message_id, at=thursday(11, 10)
        )
        self.assertHotrush(ticket)
        self.assertEqual(ticket.name, "Checkout is down")

    def test_notice_turned_off_sends_nothing(self):
        self.company.hotrush_notice_mail_refused = False
        ticket = self._receive("[HotRush] Checkout is down", auth=(DMARC_FAIL,))
        self.assertNormal(ticket, "unauthenticated")
        self.assertFalse(self._notices(ticket, SUBJECT_REFUSED))

    def test_notice_never_goes_to_another_partner(self):
        """A colleague in copy follows the ticket; the refusal is the customer's."""
        ticket = self._receive(
            "[HotRush] Checkout is down",
            auth=(DMARC_FAIL,),
            cc=f"Carl Colleague <carl@{DOMAIN}>",
        )
        self.assertIn(self.colleague, ticket.message_partner_ids)
        self.assertRefusalTold(ticket)
        mails = self.env["mail.mail"].search([("res_id", "=", ticket.id)])
        told = mails.filtered(lambda m: (m.subject or "").startswith(SUBJECT_REFUSED))
        self.assertEqual(told.recipient_ids, self.customer)

    def test_customer_cannot_write_the_reason(self):
        ticket = self._receive("[HotRush] Checkout is down", auth=(DMARC_FAIL,))
        with self.refused(AccessError, "cannot be written directly"):
            ticket.with_user(self.agent).write({"hotrush_mail_refusal": False})


@tagged("post_install", "-at_install")
class TestAuthenticationResults(TransactionCase):
    """The header parser alone."""

    def test_parse(self):
        results = parse_authentication_results(
            [
                (
                    "mx.example.net (v=1); (a comment (nested)) DKIM=pass "
                    '(ok) header.d=Example.COM header.b="ab;cd"; '
                    'dmarc=fail reason="forged; really" header.from=example.com'
                ),
                "other.example; none",
            ]
        )
        self.assertEqual(
            results,
            [
                ("dkim", "pass", {"header.d": "example.com", "header.b": "ab;cd"}),
                (
                    "dmarc",
                    "fail",
                    {"reason": "forged; really", "header.from": "example.com"},
                ),
            ],
        )

    def test_parse_only_trusted_servers(self):
        values = [
            "MX.Example.NET 1; dmarc=pass header.from=example.com",
            "forger.example; dmarc=pass header.from=example.com",
            "; dmarc=pass header.from=example.com",
        ]
        self.assertEqual(
            parse_authentication_results(values, {"mx.example.net"}),
            [("dmarc", "pass", {"header.from": "example.com"})],
        )
        self.assertEqual(len(parse_authentication_results(values)), 3)
        self.assertEqual(parse_authentication_results(values, {"other.example"}), [])

    def test_aligned(self):
        self.assertTrue(aligned("example.com", "example.com"))
        self.assertTrue(aligned("example.com", "mail.example.com"))
        self.assertTrue(aligned("@example.com", "example.com"))
        self.assertTrue(aligned("user@example.com", "example.com"))
        self.assertFalse(aligned("mail.example.com", "example.com"))
        self.assertFalse(aligned("ample.com", "example.com"))
        self.assertFalse(aligned("com", "example.com"))
        self.assertFalse(aligned("", "example.com"))
