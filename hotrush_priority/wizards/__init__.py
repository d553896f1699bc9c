from . import hotrush_remove_wizard
from . import hotrush_chat_held_wizard
