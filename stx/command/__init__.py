"""Console-script entry points: parse options, build the parts, run them.

Named ``command`` rather than ``cmd``, which would shadow the standard
library's module during test discovery.
"""

import os
import warnings

# oslo.messaging and oslo.db import eventlet (through oslo.service) although
# stx-flock runs threads only and never monkey-patches. Two consequences are
# undone here, before any of them is imported:
# - eventlet's green DNS would import dnspython: ~15 MB and ~0.3 s per
#   process for a resolver nothing uses;
# - eventlet warns on import that it is deprecated, which would bury the
#   operator's own warnings on the terminal.
os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
