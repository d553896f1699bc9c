# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The lists and limits of HotRush, one place each.

Selections are (value, label) pairs: Odoo translates their labels where fields use them.
"""

# SLA status of a HotRush request, from the request to its verdict
SLA_STATUSES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("met", "Met"),
    ("breached", "Breached"),
    ("cancelled", "Cancelled"),
]
# the statuses that time still moves (queued -> running -> breached)
OPEN_STATUSES = ("queued", "running")

# How urgency ends: the ticket's last end and each audit event
END_ACTIONS = [
    ("uncheck", "Unchecked before assignment"),
    ("withdraw", "Withdrawn"),
    ("remove", "Removed by support"),
    ("auto_remove", "Removed automatically"),
]
EVENT_ACTIONS = [
    ("request", "Requested"),
    *END_ACTIONS,
    ("replan", "Re-planned"),
    ("transfer", "Transferred to another team"),
]
# the ends a user chooses; automatic removal comes with a team or category change
USER_END_ACTIONS = ("uncheck", "withdraw", "remove")
# how urgency ends, as a request records it: the end actions' arguments
END_ARGUMENTS = ("end_action", "end_reason", "end_note")

# Why urgency ended
REASONS = [
    ("customer", "Customer's decision"),
    ("customization", "Customization project"),
    ("bug", "Bug in the default software needing extra time"),
    ("general", "General, accounts, forums, sales or licensing question"),
    ("transfer", "Transferred to a team without HotRush"),
    ("not_eligible", "Category not eligible for HotRush"),
    ("archived", "Ticket archived or merged into another"),
    ("other", "Other"),
]
# the reason of the customer's own uncheck and withdrawal
CUSTOMER_REASON = "customer"
# the reasons support may give when removing HotRush (HR-22)
REMOVAL_REASONS = ("customization", "bug", "general", "other")
# the ticket page's actions that change what the customer pays: confirmed first
PRICED_ACTIONS = ("request", "uncheck", "withdraw")

# Order of the agents' ticket lists and kanban (the views' default_order, not the
# model's): HotRush tickets awaiting their first response first, the closest deadline
# first (NULLs sort last); then helpdesk_mgmt's order.
QUEUE_ORDER = "hotrush_queue_deadline, priority desc, sequence, number desc, id desc"
# helpdesk_mgmt's highest priority, given to HotRush tickets
HIGHEST_PRIORITY = "3"

# Records of the addon
RESPONSE_ACTIVITY = "hotrush_priority.mail_activity_type_hotrush_response"
# helpdesk_mgmt's lowest agent level ("own tickets"); the team and all-tickets levels
# and the managers imply it: support staff
SUPPORT_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"
CHAT_ACTIVITY = "hotrush_priority.mail_activity_type_hotrush_chat"
# a held live chat answers a HotRush request when it is the chat the customer booked:
# started within this many minutes of the booked time (and by the deadline plus grace)
CHAT_ON_TIME_MINUTES = 15
SLA_CRON = "hotrush_priority.ir_cron_hotrush_sla"

# Database constraints whose violation has a meaning of its own
# one charge per ticket and closing, one refund per surcharge
CHARGE_CONSTRAINT = "hotrush_charge_ticket_closing_uniq"
# one ticket per submission of the portal's new-ticket form
FORM_KEY_INDEX = "helpdesk_ticket_hotrush_form_key_uniq"

# Limits
# tickets the SLA scheduled action handles per transaction (HR-53)
CRON_BATCH_SIZE = 100
# a note of the customer or of support, in characters
NOTE_MAX_LENGTH = 2000
# billable hours of one ticket: finite, at least 0, at most this (HR-80)
MAX_BILLABLE_HOURS = 1000.0

# Minutes before each new try of an e-mail about a ticket whose outgoing mail server
# could not be reached (nothing was sent): about an hour in all, then it fails as
# Odoo's own e-mails do
MAIL_CONNECT_RETRY_MINUTES = (1, 2, 4, 8, 16, 32)
