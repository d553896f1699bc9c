from . import test_install
from . import test_deadline
from . import test_deadline_property
from . import test_request
from . import test_first_response
