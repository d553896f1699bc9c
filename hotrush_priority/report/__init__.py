from . import hotrush_sla_report
