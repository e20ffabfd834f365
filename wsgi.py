"""WSGI entry point: `gunicorn wsgi:app`. The only place a global app exists."""

from config import config_from_env
from core import create_app

app = create_app(config_from_env())
