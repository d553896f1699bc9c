from . import hotrush_remove_wizard
