from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "backend_site.audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from backend_site.audit import admin_log

        post_save.connect(admin_log.mirror, sender=LogEntry, dispatch_uid="audit-admin-log")
