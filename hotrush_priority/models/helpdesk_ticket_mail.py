# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The e-mail channel (HR-83): a new ticket by e-mail to a helpdesk alias whose subject
carries a HotRush marker is a HotRush request under the same rules as the portal's.

The marker (the company's ``hotrush_mail_markers``, case-insensitive) is taken out of
the ticket's title. The ticket is created as every e-mailed ticket is
(``helpdesk_mgmt``'s ``message_new``), then HotRush is requested on it through
``action_hotrush_request``, so the constraints of the core and of billing decide as for
any other request, and the SLA action tells the customer "accepted" or "queued".

HotRush costs money and a ``From`` header is easy to forge: the e-mail counts as the
customer's request only when the receiving server says that it authenticated the sender
(``_hotrush_mail_authenticated``): DMARC pass for the ``From`` domain, or a DKIM pass
of that domain or one of its parents (aligned).

When HotRush is not possible (unknown sender, team or category without HotRush, no
active support balance, the sender not authenticated) the ticket stays a normal one, the
reason is kept on it, and its customer is told why (the "HotRush not possible by e-mail"
notice, with a link to request it on the portal after login) when the transaction
commits, after the gateway posted the customer's own message.

Replies (``message_update``) never change urgency: they are not read here.
"""

import re
from urllib.parse import quote

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from .mail_thread import AUTH_RESULTS_KEY

REFUSAL_TEMPLATE = "hotrush_priority.mail_template_hotrush_mail_refused"
# where a transaction keeps the tickets whose customers are told: a set of ids
PRECOMMIT_KEY = "hotrush_priority.mail_refusals_due"

MAIL_REFUSALS = [
    ("unknown", "Unknown sender"),
    ("team", "Team without HotRush"),
    ("category", "Category not eligible"),
    ("balance", "No active support balance"),
    ("unauthenticated", "Sender not authenticated"),
    ("unavailable", "HotRush not available"),
]

_COMMENT = re.compile(r"\([^()]*\)")
# a result ("method=result" or "ptype.property=value"), values quoted or not
_PAIR = re.compile(r'([\w.\-/]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)')
# the statements of a header: split on ";" outside quoted strings
_STATEMENT = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^;"])+')


def parse_authentication_results(values, servers=None):
    """The results of ``Authentication-Results`` header values (RFC 8601).

    Comments (in parentheses) are dropped, names and values lower-cased; the first
    statement of each header, the server's name (authserv-id, with an optional
    version), says who wrote it.

    :param values: the headers' values, as the message carries them
    :param servers: when given, the names of the servers whose headers are read
        (lower case); the others are ignored
    :return: a list of ``(method, result, {property: value})``, e.g.
        ``("dmarc", "pass", {"header.from": "example.com"})``
    """
    results = []
    for value in values:
        text = " ".join(str(value).split())
        previous = None
        while previous != text:  # nested comments: innermost first
            previous, text = text, _COMMENT.sub(" ", text)
        statements = _STATEMENT.findall(text)
        if text.lstrip().startswith(";"):
            statements.insert(0, "")  # no server named
        server = (statements[0].split() or [""])[0].lower() if statements else ""
        if servers is not None and server not in servers:
            continue
        for statement in statements[1:]:
            pairs = _PAIR.findall(statement)
            if not pairs:
                continue
            method, result = pairs[0]
            props = {
                name.lower(): prop.strip('"').strip().lower()
                for name, prop in pairs[1:]
            }
            results.append(
                (method.split("/")[0].lower(), result.strip('"').lower(), props)
            )
    return results


def aligned(domain, from_domain):
    """Whether a signing ``domain`` is the ``From`` domain or one of its parents
    (DMARC's relaxed alignment)."""
    domain = (domain or "").rpartition("@")[2].strip(".")
    if "." not in domain:
        return False
    return from_domain == domain or from_domain.endswith("." + domain)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    hotrush_mail_refusal = fields.Selection(
        selection=MAIL_REFUSALS,
        string="HotRush Refused by E-mail",
        copy=False,
        readonly=True,
        help="The ticket came by e-mail with a HotRush marker in its subject, and "
        "HotRush was not possible for this reason; the customer was told why.",
    )

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A new ticket by e-mail: a marker in its subject requests HotRush on it,
        under the rules of every request, and leaves its title."""
        company = self._hotrush_mail_company(custom_values)
        title, marker = self._hotrush_mail_marker(msg_dict.get("subject"), company)
        if not marker:
            return super().message_new(msg_dict, custom_values=custom_values)
        # the message itself is posted later with its own subject: only the
        # ticket's title loses the marker
        ticket = super().message_new(
            dict(msg_dict, subject=title), custom_values=custom_values
        )
        ticket._hotrush_mail_request(msg_dict)
        return ticket

    # ------------------------------------------------------------------
    # The request by e-mail
    # ------------------------------------------------------------------

    @api.model
    def _hotrush_mail_company(self, custom_values):
        """The company whose markers apply: the alias's team's, else the current."""
        values = custom_values or {}
        company = self.env["res.company"].browse(values.get("company_id"))
        team = self.env["helpdesk.ticket.team"].browse(values.get("team_id"))
        return company or team.company_id or self.env.company

    @api.model
    def _hotrush_mail_markers(self, company):
        """The company's subject markers, e.g. ``["[hotrush]", "[urgent]"]``."""
        return [
            marker.strip().lower()
            for marker in (company.hotrush_mail_markers or "").split(",")
            if marker.strip()
        ]

    @api.model
    def _hotrush_mail_marker(self, subject, company=None):
        """The ticket's title from an e-mail's ``subject``, and the first HotRush
        marker it carried (matched case-insensitively), or ``False``.

        :return: ``(title, marker)``: the title without any marker
        """
        subject = subject or ""
        markers = self._hotrush_mail_markers(company or self.env.company)
        if not markers:
            return subject, False
        pattern = re.compile(
            "|".join(re.escape(marker) for marker in markers), re.IGNORECASE
        )
        found = pattern.search(subject)
        if not found:
            return subject, False
        title = " ".join(pattern.sub(" ", subject).split())
        return title, found.group(0)

    def _hotrush_mail_request(self, msg_dict):
        """Request HotRush on this e-mailed ticket, or keep it normal and tell its
        customer why (see ``_hotrush_mail_refusal``)."""
        self.ensure_one()
        refusal = self._hotrush_mail_refusal(msg_dict)
        if not refusal:
            try:
                with self.env.cr.savepoint():
                    self.action_hotrush_request()
            except ValidationError:
                # a rule the checks above do not know said no (a support calendar
                # without working hours): the ticket stays normal, and says so
                refusal = "unavailable"
        if refusal:
            # sudo: the reason is a system field, written by these rules only
            self.sudo().hotrush_mail_refusal = refusal
            self._hotrush_mail_refusal_due()
        return not refusal

    def _hotrush_mail_refusal(self, msg_dict):
        """Why this ticket, e-mailed with a HotRush marker, cannot be a HotRush
        request, or ``False``: the portal's rules (the team, the category, the
        customer's balance) for a known sender whom the receiving server
        authenticated. Checked in the order a customer can act on them: nothing
        helps before the team and category admit HotRush, and the balance before
        the portal link of an unauthenticated e-mail does.

        :return: a key of ``MAIL_REFUSALS``, or ``False``
        """
        self.ensure_one()
        if not self.partner_id:
            return "unknown"
        reason = self._hotrush_auto_removal_reason(self.team_id, self.category_id)
        if reason:
            return "team" if reason == "transfer" else "category"
        if self._hotrush_balance_refusal():
            return "balance"
        if not self._hotrush_mail_authenticated(msg_dict):
            return "unauthenticated"
        return False

    @api.model
    def _hotrush_mail_authenticated(self, msg_dict):
        """Whether the receiving server authenticated the sender of this e-mail:
        an ``Authentication-Results`` header says ``dmarc=pass`` for its ``From``
        domain (``header.from``), or ``dkim=pass`` for a signature of that domain or
        one of its parents (``header.d``, else ``header.i``), and none says any
        other DMARC result for that domain.

        The headers are read as the receiving server wrote them (handed over by
        ``mail.thread._message_route_process``): Odoo cannot check signatures
        once the message has passed the server that received it. The server in
        front of Odoo must check DKIM and DMARC and, as RFC 8601 asks, remove the
        ``Authentication-Results`` headers a sender wrote with its name. A sender's
        forged ``dmarc=pass`` still fails here whenever the server writes its own
        verdict for the domain (``fail``, ``none``): any verdict but a pass refuses.
        """
        from_domain = (
            email_normalize(msg_dict.get("email_from") or "") or ""
        ).rpartition("@")[2]
        if not from_domain:
            return False
        results = parse_authentication_results(
            self.env.context.get(AUTH_RESULTS_KEY) or (),
            self._hotrush_mail_servers(),
        )
        dmarc = [
            result
            for method, result, props in results
            if method == "dmarc" and props.get("header.from") == from_domain
        ]
        if any(result != "pass" for result in dmarc):
            return False
        if dmarc:
            return True
        return any(
            method == "dkim"
            and result == "pass"
            and aligned(props.get("header.d") or props.get("header.i"), from_domain)
            for method, result, props in results
        )

    def _hotrush_mail_servers(self):
        """The receiving servers whose verdicts count: the company's trusted mail
        servers, lower case. None named, none counts: an e-mail's own
        ``Authentication-Results`` header, its sender's, could pass for the
        server's (secure by default: the customer is told to use the portal)."""
        company = (self[:1].company_id if self else False) or self.env.company
        return {
            name.strip().lower()
            for name in (company.hotrush_mail_servers or "").split(",")
            if name.strip()
        }

    # ------------------------------------------------------------------
    # The customer's notice
    # ------------------------------------------------------------------

    def _hotrush_mail_refusal_due(self):
        """Tell these tickets' customers why HotRush was not possible when this
        transaction commits: after the gateway posted their e-mail on the ticket,
        which the notice then answers."""
        if not self:
            return
        precommit = self.env.cr.precommit
        due = precommit.data.setdefault(PRECOMMIT_KEY, set())
        if not due:
            precommit.add(self.browse()._hotrush_tell_mail_refusals)
        due.update(self.ids)

    def _hotrush_tell_mail_refusals(self):
        """Post the "HotRush not possible by e-mail" notice on the tickets this
        transaction refused and that are still normal tickets with a reason, when
        their company wants that notice and their customer has an e-mail address;
        to the customer only, as every customer notice."""
        ids = self.env.cr.precommit.data.pop(PRECOMMIT_KEY, set())
        # sudo: the notice states what the rules did, on these tickets only
        tickets = self.sudo().browse(ids).exists()
        to_tell = tickets.filtered(
            lambda t: (
                t.hotrush_mail_refusal
                and not t.hotrush
                and (t.company_id or self.env.company).hotrush_notice_mail_refused
                and t.partner_id.email_normalized
            )
        )
        template = self.env.ref(REFUSAL_TEMPLATE, raise_if_not_found=False)
        if not to_tell or not template:
            return self.env["mail.message"]
        # sudo: the company's template, rendered for each ticket's own customer
        # only (the notice's sole recipient)
        return to_tell._hotrush_post_customer_notices(template.sudo())

    def _hotrush_mail_portal_url(self):
        """The ticket's portal page behind the login, where its customer requests
        HotRush in one click: the login page comes first for a customer not signed
        in (the ticket's page sends anonymous visitors away), and goes straight
        through for one who is."""
        self.ensure_one()
        return f"{self.get_base_url()}/web/login?redirect={quote(self.access_url)}"

    # ------------------------------------------------------------------
    # Hooks of the core and of the notices
    # ------------------------------------------------------------------

    def _hotrush_system_fields(self):
        return super()._hotrush_system_fields() | {"hotrush_mail_refusal"}

    @api.model
    def _hotrush_notice_template_ids(self):
        ids = super()._hotrush_notice_template_ids()
        template_id = self.env["ir.model.data"]._xmlid_to_res_id(
            REFUSAL_TEMPLATE, raise_if_not_found=False
        )
        return ids + [template_id] if template_id else ids
