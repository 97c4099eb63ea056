import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
application = get_wsgi_application()

if not settings.EMBEDDED:
    # Production shape: never serve with a field key the database was not written with.
    from gongzhi.core import keycheck

    keycheck.verify_at_start()
