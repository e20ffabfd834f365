"""The app as `wsgi.py` builds it, plus `/bench/floor` for `bench/pages.py` only: one SELECT, no template.

The floor is what the framework costs per request in this very app (session, sign-in, security
headers, one database round trip); the app itself never has this route.
"""

from bench._harness import add_floor
from config import config_from_env
from core import create_app

app = add_floor(create_app(config_from_env()))
