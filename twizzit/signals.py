"""Receivers that keep integration state in step with model changes.

A connection's automatic-sync schedule follows the connection (`twizzit.connection.schedules`):
saved → created or changed, disabled or set to manual → removed, deleted → removed.
After every `migrate`, every schedule is checked and the janitor's schedule ensured, which
also repairs schedules removed by hand or connections that predate them.
"""

from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django_q.models import Schedule

from twizzit.connection import schedules
from twizzit.models import TwizzitConfig


@receiver(post_save, sender=TwizzitConfig, dispatch_uid="twizzit-schedule-on-save")
def keep_schedule_on_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: the fixture may not hold django-q2's tables yet
        return
    if update_fields is not None and not schedules.SCHEDULE_FIELDS & set(update_fields):
        return
    schedules.sync_schedule(instance)


@receiver(post_delete, sender=TwizzitConfig, dispatch_uid="twizzit-schedule-on-delete")
def remove_schedule_on_delete(sender, instance, **kwargs):
    schedules.remove_schedule(instance.pk)


@receiver(post_migrate, dispatch_uid="twizzit-schedules-after-migrate")
def ensure_schedules_after_migrate(sender, using="default", plan=None, **kwargs):
    # post_migrate fires once per app; the twizzit app's turn comes after every migration
    # (django-q2's tables included) has been applied.
    if sender.name != "twizzit" or using != "default":
        return
    # `flush` sends post_migrate too, without a plan: an emptied database (tests) gets no
    # rows from us, so a test that resets sequences cannot collide with them.
    if plan is None:
        return
    # Not after migrating backwards past the tables the schedules live in.
    tables = set(connections[using].introspection.table_names())
    if {Schedule._meta.db_table, TwizzitConfig._meta.db_table} <= tables:
        schedules.ensure_schedules()
