"""WSGI entry point used by ``bankcrm serve`` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.config.settings")
application = get_wsgi_application()
