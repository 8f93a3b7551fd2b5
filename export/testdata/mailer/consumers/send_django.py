"""Send one message with Django, configured from a mailwiz env-django file.

usage: send_django.py FILE.env TO SUBJECT; the password comes from
MAILWIZ_TEST_PASSWORD, never from the file, whose EMAIL_HOST_PASSWORD line
must be empty. Each variable must be a Django setting; its type is the one
of Django's own default. Prints a JSON line: {"sent": N, "settings": {...}}.
"""
import json
import os
import sys

from dotenv import dotenv_values

import django
from django.conf import global_settings, settings

path, to, subject = sys.argv[1:4]
values = dotenv_values(path)
conf = {}
for key, value in values.items():
    if not hasattr(global_settings, key):
        sys.exit(f"{key} is not a Django setting")
    default = getattr(global_settings, key)
    if key == "EMAIL_HOST_PASSWORD":
        if value != "":
            sys.exit("EMAIL_HOST_PASSWORD is not empty in the file")
        value = os.environ["MAILWIZ_TEST_PASSWORD"]
    elif isinstance(default, bool):
        if value not in ("True", "False"):
            sys.exit(f"{key}={value!r} is not True or False")
        value = value == "True"
    elif isinstance(default, int) or key == "EMAIL_TIMEOUT":
        value = int(value)
    conf[key] = value
settings.configure(**conf)
django.setup()

from django.core.mail import send_mail  # noqa: E402 (needs the settings)

sent = send_mail(subject, "Sent by Django with mailwiz's env-django export.", None, [to])
shown = {k: v for k, v in conf.items() if k != "EMAIL_HOST_PASSWORD"}
print(json.dumps({"sent": sent, "django": django.get_version(), "settings": shown}))
