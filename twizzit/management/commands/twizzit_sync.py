"""Run a sync of one connection from the command line.

    twizzit_sync --org ORG [--type full|players|teams|rosters] [--dry-run] [--json] [--async]

Without --json it shows progress per entity as it goes and a summary table at the end;
with --json it prints the finished SyncLog as one JSON object. With --async the sync is
handed to the qcluster workers and the command prints the pending run's id.
Exit code 0 for success or partial, 1 for failed, 2 for bad input or a sync in progress.
"""

import json
import logging

from django.core.management.base import BaseCommand, CommandError

from twizzit.management.commands.twizzit_config import get_config
from twizzit.models import SyncStatus, SyncTrigger, SyncType
from twizzit.sync import SyncInProgress, run_sync
from twizzit.sync.report import COUNTERS, ENTITIES, log_summary

SHOWN_COUNTERS = [name for name in COUNTERS if name != "policy_decided"]


class Command(BaseCommand):
    help = "Sync one Twizzit connection now (or enqueue it with --async)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Twizzit organisation id.")
        parser.add_argument("--type", default=SyncType.FULL, choices=SyncType.values)
        parser.add_argument("--dry-run", action="store_true", help="Compute, write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the SyncLog as JSON.")
        parser.add_argument("--async", action="store_true", dest="run_async")

    def handle(self, *args, **options):
        config = get_config(options["org"])
        if options["run_async"]:
            return self.enqueue(config, options)
        try:
            log = run_sync(
                config,
                options["type"],
                dry_run=options["dry_run"],
                trigger=SyncTrigger.CLI,
                on_progress=None if options["json"] else self.show_progress,
            )
        except SyncInProgress as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(log_summary(log), indent=2, default=str))
        else:
            self.show_summary(log)
        if log.status == SyncStatus.FAILED:
            raise CommandError(f"Sync #{log.pk} failed: {log.message}", returncode=1)

    def enqueue(self, config, options):
        from twizzit.jobs import enqueue_sync

        # django-q2 logs "Enqueued [shotspot] 1" at INFO; the sentence below tells a
        # person the same, and --json output must be the only thing printed.
        logging.getLogger("django-q").setLevel(logging.WARNING)

        try:
            log = enqueue_sync(
                config, options["type"], dry_run=options["dry_run"], trigger=SyncTrigger.CLI
            )
        except SyncInProgress as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps({"id": log.pk, "status": log.status}))
        else:
            self.stdout.write(
                f"Enqueued sync #{log.pk} ({log.sync_type}); a qcluster worker runs it."
            )

    def show_progress(self, phase, report):
        processed = report.processed()
        counts = ", ".join(
            f"{entity} {processed[entity]}" for entity in ENTITIES if processed[entity]
        )
        self.stdout.write(f"[{phase}] records so far: {counts or 'none yet'}")

    def show_summary(self, log):
        style = {
            SyncStatus.SUCCESS: self.style.SUCCESS,
            SyncStatus.PARTIAL: self.style.WARNING,
        }.get(log.status, self.style.ERROR)
        dry = " (dry run: nothing written)" if log.dry_run else ""
        self.stdout.write(style(f"Sync #{log.pk} {log.status}{dry}"))
        header = f"{'':10}" + "".join(f"{name:>10}" for name in SHOWN_COUNTERS)
        self.stdout.write(header)
        for entity in ENTITIES:
            counts = log.stats.get(entity, {})
            self.stdout.write(
                f"{entity:10}" + "".join(f"{counts.get(name, 0):>10}" for name in SHOWN_COUNTERS)
            )
        self.stdout.write(f"API calls: {log.api_calls}   duration: {log.duration_ms} ms")
        if log.message:
            self.stdout.write(log.message)
        problems = [e for e in log.errors if e.get("level") == "error"]
        for entry in problems[:20]:
            self.stdout.write(f"  {entry['entity']} {entry['twizzit_id']}: {entry['message']}")
        if len(problems) > 20:
            self.stdout.write(f"  … and {len(problems) - 20} more errors in sync log #{log.pk}")
