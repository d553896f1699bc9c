# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    hotrush_calendar_id = fields.Many2one(
        comodel_name="resource.calendar",
        string="HotRush Support Calendar",
        domain="[('company_id', 'in', [False, id])]",
        help="Working hours of the support department. HotRush deadlines count only "
        "working time of this calendar, public holidays excluded. Empty: the "
        "company's working hours.",
    )
    hotrush_response_hours = fields.Float(
        string="HotRush Response Target (hours)",
        default=1.0,
        help="Working hours an agent has to answer a HotRush ticket publicly.",
    )
    hotrush_grace_minutes = fields.Integer(
        string="HotRush Grace (minutes)",
        default=0,
        help="Added to the deadline before a ticket counts as breached, e.g. for "
        "replication delays between mail servers.",
    )
    hotrush_warning_minutes = fields.Integer(
        string="HotRush Warning Lead (minutes)",
        default=15,
        help="The assignee, or the team leader when nobody is assigned, is warned "
        "this long before a HotRush response deadline. 0: no warning.",
    )

    hotrush_development_team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team",
        string="HotRush Customization Team",
        domain="[('company_id', 'in', [False, id])]",
        help="When support removes HotRush because the request is a customization "
        "project, the ticket moves to this team (the Development department).",
    )

    hotrush_rate_multiplier = fields.Float(
        string="HotRush Rate Multiplier",
        default=2.0,
        help="HotRush tickets are billed at the support price times this factor; "
        "unchecked, withdrawn and removed ones at the normal rate.",
    )
    hotrush_waive_breached = fields.Boolean(
        string="Waive HotRush Surcharge When Breached",
        help="Bill a HotRush ticket at the normal rate when its response deadline "
        "was breached.",
    )
    hotrush_prepaid_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Prepaid Support Product",
        domain="[('hotrush_prepaid_support', '=', True), "
        "('company_id', 'in', [False, id])]",
        help="Product of the negative invoice lines that pay support charges from "
        "the customer's prepaid balance (like a down payment deduction).",
    )

    # The customer's notices (HR-81), each turned on or off
    hotrush_notice_accepted = fields.Boolean(
        string="Tell Customers: HotRush Accepted",
        default=True,
        help="E-mail the customer when HotRush is accepted during working hours: "
        "the deadline, the rate, the working hours and the grace.",
    )
    hotrush_notice_queued = fields.Boolean(
        string="Tell Customers: HotRush Queued",
        default=True,
        help="E-mail the customer when HotRush is requested outside working hours: "
        "when the clock starts, the deadline, the rate and the working hours.",
    )
    hotrush_notice_opened = fields.Boolean(
        string="Tell Customers: Support Opened",
        default=True,
        help="E-mail the customer of a queued HotRush ticket when support opens: "
        "the deadline.",
    )
    hotrush_notice_answered = fields.Boolean(
        string="Tell Customers: Answered in Time",
        default=True,
        help="E-mail the customer when a HotRush ticket got its first answer within "
        "the deadline.",
    )
    hotrush_notice_breached = fields.Boolean(
        string="Tell Customers: Deadline Breached",
        default=True,
        help="E-mail the customer when a HotRush deadline passed without an answer, "
        "and what it means for the bill.",
    )
    hotrush_notice_ended = fields.Boolean(
        string="Tell Customers: Unchecked or Withdrawn",
        default=True,
        help="Confirm to the customer that HotRush was unchecked or withdrawn, and "
        "the rate that applies now.",
    )
    hotrush_notice_removed = fields.Boolean(
        string="Tell Customers: Removed by Support",
        default=True,
        help="E-mail the customer when support removes HotRush (or a move to a team "
        "or category without HotRush does): the reason and the rate that applies "
        "now.",
    )
    hotrush_notice_mail_refused = fields.Boolean(
        string="Tell Customers: HotRush Not Possible by E-mail",
        default=True,
        help="E-mail the customer when a ticket e-mailed with a HotRush marker "
        "became a normal ticket: why, and where to request HotRush on the portal.",
    )

    # The e-mail channel (HR-83)
    hotrush_mail_markers = fields.Char(
        string="HotRush E-mail Markers",
        default="[HotRush], [Urgent]",
        help="Comma-separated markers that request HotRush in the subject of a new "
        "ticket sent by e-mail to a helpdesk alias (any case); they are removed "
        "from the ticket's title. Empty: HotRush cannot be requested by e-mail.",
    )
    hotrush_mail_servers = fields.Char(
        string="Trusted Mail Servers",
        help="Comma-separated names (authserv-id) your receiving mail server writes "
        "at the start of its Authentication-Results headers, e.g. mx.example.com. "
        "Only their verdicts authenticate a sender (RFC 8601): a header written "
        "under another name, a sender's own, is ignored. Empty: no e-mail is "
        "authenticated, so an e-mail marker does not grant HotRush (the ticket is "
        "created normally and the customer is told to use the portal).",
    )
    hotrush_notice_moved = fields.Boolean(
        string="Tell Customers: Deadline Moved",
        default=True,
        help="E-mail the customer when a change of the support calendar (working "
        "hours, time zone, public holidays) or of the team's target moves the "
        "deadline of an open HotRush ticket: the old and the new deadline, and why.",
    )

    def write(self, vals):
        res = super().write(vals)
        planning = {
            "hotrush_calendar_id",
            "hotrush_response_hours",
            "resource_calendar_id",
        }
        if planning.intersection(vals):
            # open HotRush deadlines planned on the company's settings follow (HR-86)
            self.env["hotrush.request"]._replan_where(
                self.env._("the support working hours or response target changed"),
                companies=self,
            )
        return res

    @api.constrains("hotrush_rate_multiplier")
    def _check_hotrush_rate_multiplier(self):
        if any(company.hotrush_rate_multiplier < 1 for company in self):
            raise ValidationError(
                self.env._("The HotRush rate multiplier cannot be less than 1.")
            )

    @api.constrains("hotrush_response_hours", "hotrush_grace_minutes")
    def _check_hotrush_targets(self):
        for company in self:
            if company.hotrush_response_hours <= 0:
                raise ValidationError(
                    self.env._("The HotRush response target must be more than 0 hours.")
                )
            if company.hotrush_grace_minutes < 0:
                raise ValidationError(
                    self.env._("The HotRush grace cannot be negative.")
                )

    @api.constrains("hotrush_warning_minutes")
    def _check_hotrush_warning_minutes(self):
        if any(company.hotrush_warning_minutes < 0 for company in self):
            raise ValidationError(
                self.env._("The HotRush warning lead cannot be negative.")
            )

    @api.constrains("hotrush_calendar_id")
    def _check_hotrush_calendar(self):
        self.hotrush_calendar_id._hotrush_check_usable()

    @api.constrains(
        "hotrush_calendar_id",
        "hotrush_prepaid_product_id",
        "hotrush_development_team_id",
    )
    def _check_hotrush_company(self):
        """The company's HotRush calendar, prepaid product and customization team
        are its own or shared."""
        for company in self:
            company._hotrush_check_own_records(
                company,
                [
                    company.hotrush_calendar_id,
                    company.hotrush_prepaid_product_id,
                    company.hotrush_development_team_id,
                ],
            )

    def _hotrush_check_own_records(self, owner, records):
        """Refuse ``records`` (a list of records of several models, each one or
        none) of another company than this one
        on ``owner``'s HotRush configuration; records of no company are shared. No
        company (a team of every company): shared records only."""
        for record in filter(None, records):
            # sudo: the company of a configured record, whoever configures it
            company = record.sudo().company_id
            if company and company != self:
                raise ValidationError(
                    self.env._(
                        "%(record)s belongs to %(company)s: %(owner)s can only use "
                        "records of its own company (%(own)s) or shared ones.",
                        record=record.sudo().display_name,
                        company=company.name,
                        owner=owner.display_name,
                        own=self.name or self.env._("none"),
                    )
                )

    def _get_hotrush_prepaid_product(self):
        self.ensure_one()
        return self.hotrush_prepaid_product_id or self.env["product.product"].search(
            [
                ("hotrush_prepaid_support", "=", True),
                ("company_id", "in", [False, self.id]),
            ],
            limit=1,
        )

    def _get_hotrush_calendar(self):
        self.ensure_one()
        return self.hotrush_calendar_id or self.resource_calendar_id
