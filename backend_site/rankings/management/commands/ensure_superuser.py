"""manage.py ensure_superuser: make sure someone can log in to the admin, and say how."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the admin login from DJANGO_SUPERUSER_USERNAME/PASSWORD, or, when there is "
        "no superuser at all, create 'admin' with a generated password printed once."
    )

    def handle(self, *args, **options):
        users = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if username and password:
            user, created = users.objects.get_or_create(
                username=username,
                defaults={"email": os.environ.get("DJANGO_SUPERUSER_EMAIL", "")},
            )
            if created or not user.check_password(password):
                user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.save()
            self.stdout.write(f"Admin login: {username} (password from DJANGO_SUPERUSER_PASSWORD)")
            return
        existing = users.objects.filter(is_superuser=True).order_by("pk").first()
        if existing:
            self.stdout.write(
                f"Admin login: {existing.username} (password set earlier; "
                f"`manage.py changepassword {existing.username}` to change it)"
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username="admin", email="", password=password)
        self.stdout.write(f"Admin login: admin / {password}  (shown once; save it now)")
