"""E-mail to the connection's admins when something needs a person, once per event.

What is sent (`NotificationKind`), never one mail per record:

- a run that ended *failed*, or *partial* with errors (`events.run_finished`);
- a run found stale, its heartbeat stopped, by a claim or the janitor (`events.run_stale`);
- the new pending conflicts of a run, as one digest (`events.run_finished`);
- the month's Twizzit calls at 90 % and spent, once each per month (`events.quota_*`);
- back to normal: the first successful run after a failed or partial one.

Each event becomes one `Notification` row, recorded where it happens, with a unique `key`
naming the event (`run-trouble:<run>`, `quota-spent:<connection>:<month>`, ...): the same
event is never recorded, so never mailed, twice. Recording is a few queries and never
raises into the sync. The mail itself goes out from a django-q2 task queued after the
commit (`delivery.deliver`), never inside a sync's transaction; a mail server that is
down leaves the row pending with the error, and the janitor retries it later with a
growing delay (`delivery.retry_due`), giving up after `MAX_ATTEMPTS`.

Who receives it: the connection's `notify_emails`, or, when empty, every active
superuser with an e-mail address (`recipients`). Each kind has a switch on the connection
(`notify_failed_runs`, ...); `settings.NOTIFICATIONS_ENABLED` switches all of them off.

Modules: `recipients` (addresses), `compose` (subject and bodies
from twizzit/templates/twizzit/email/), `events` (the hooks), `delivery` (sending and retrying).
The record itself is `twizzit.models.Notification`.
"""
