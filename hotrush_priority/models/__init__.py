from . import resource_calendar
from . import res_company
from . import res_config_settings
from . import helpdesk_ticket_team
from . import helpdesk_ticket_category
from . import hotrush_event
from . import helpdesk_ticket
