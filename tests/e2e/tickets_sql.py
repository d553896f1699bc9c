"""The tickets as the checks read them: each with its current HotRush request's
columns under the ticket's field names (``hotrush_deadline``, ``hotrush_warned_at``,
...), so that a query reads a ticket's request as the ticket's forms do."""

# the ticket's field -> its current request's column
REQUEST_COLUMNS = {
    "hotrush_requested_at": "requested_at",
    "hotrush_queued_until": "opening_at",
    "hotrush_deadline": "deadline",
    "hotrush_queue_deadline": "queue_deadline",
    "hotrush_first_response_at": "first_response_at",
    "hotrush_end_action": "end_action",
    "hotrush_ended_at": "ended_at",
    "hotrush_team_notified_at": "team_notified_at",
    "hotrush_warned_at": "warned_at",
    "hotrush_escalated_at": "escalated_at",
    "hotrush_opening_notified_at": "opening_notified_at",
    "hotrush_told_request_at": "told_request_at",
    "hotrush_told_opening_at": "told_opening_at",
    "hotrush_told_answer_at": "told_answer_at",
    "hotrush_told_breach_at": "told_breach_at",
    "hotrush_told_end_at": "told_end_at",
}

# use as ``FROM {TICKETS} t``
TICKETS = (
    "(SELECT helpdesk_ticket.*, "
    + ", ".join(f"r.{column} AS {name}" for name, column in REQUEST_COLUMNS.items())
    + " FROM helpdesk_ticket"
    " LEFT JOIN hotrush_request r ON r.id = helpdesk_ticket.hotrush_request_id)"
)
