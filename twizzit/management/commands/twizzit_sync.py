"""Run a sync of one connection from the command line.

    twizzit_sync --org ORG [--type full|players|teams|rosters] [--dry-run] [--json] [--async]
    twizzit_sync --org ORG --contact-ids 1,2,3 [--group-ids 4,5] [...]

With --contact-ids and/or --group-ids only those Twizzit records are synced again (a
"selected" run: the rosters of those teams too, no deletions judged).

Without --json it shows progress per entity as it goes and a summary table at the end;
with --json it prints the finished SyncLog as one JSON object. With --async the sync is
handed to the qcluster workers and the command prints the pending run's id.
Exit code 0 for success or partial, 1 for failed, 2 for bad input or a sync in progress.
"""

import json
import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from twizzit.management.commands.twizzit_config import get_config
from twizzit.models import SyncStatus, SyncTrigger, SyncType
from twizzit.sync import SyncInProgress, run_sync
from twizzit.sync.engine import one_line
from twizzit.sync.report import COUNTERS, ENTITIES, log_summary
from twizzit.sync.selected import SelectionError

SHOWN_COUNTERS = [name for name in COUNTERS if name != "policy_decided"]


class Command(BaseCommand):
    help = "Sync one Twizzit connection now (or enqueue it with --async)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Twizzit organisation id.")
        parser.add_argument("--type", default=SyncType.FULL, choices=SyncType.values)
        parser.add_argument("--dry-run", action="store_true", help="Compute, write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the SyncLog as JSON.")
        parser.add_argument("--async", action="store_true", dest="run_async")
        parser.add_argument(
            "--contact-ids", help="Comma-separated Twizzit contact ids: sync only these."
        )
        parser.add_argument(
            "--group-ids", help="Comma-separated Twizzit group ids: sync only these teams."
        )

    def handle(self, *args, **options):
        config = get_config(options["org"])
        options["selection"] = self.selection(options)
        if options["selection"] is not None:
            options["type"] = SyncType.SELECTED
        if options["run_async"]:
            return self.enqueue(config, options)
        try:
            log = run_sync(
                config,
                options["type"],
                dry_run=options["dry_run"],
                trigger=SyncTrigger.CLI,
                on_progress=None if options["json"] else self.show_progress,
                selection=options["selection"],
            )
        except SyncInProgress as exc:
            raise CommandError(str(exc), returncode=2) from None
        except DatabaseError as exc:
            # Before the run could start (or record its end): one line, not a traceback.
            raise CommandError(
                f"The sync could not run: the database failed ({type(exc).__name__}: "
                f"{one_line(exc)})",
                returncode=1,
            ) from None
        except SelectionError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(log_summary(log), indent=2, default=str))
        else:
            self.show_summary(log)
        if log.status == SyncStatus.FAILED:
            raise CommandError(f"Sync #{log.pk} failed: {log.message}", returncode=1)

    def enqueue(self, config, options):
        from twizzit.services.jobs import QuotaExhausted, SyncDisabled, enqueue_sync

        # django-q2 logs "Enqueued [shotspot] 1" at INFO; the sentence below tells a
        # person the same, and --json output must be the only thing printed.
        logging.getLogger("django-q").setLevel(logging.WARNING)

        try:
            log = enqueue_sync(
                config,
                options["type"],
                dry_run=options["dry_run"],
                trigger=SyncTrigger.CLI,
                selection=options["selection"],
            )
        except (SyncInProgress, SyncDisabled, QuotaExhausted) as exc:
            raise CommandError(str(exc), returncode=2) from None
        except SelectionError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps({"id": log.pk, "status": log.status}))
        else:
            self.stdout.write(
                f"Enqueued sync #{log.pk} ({log.sync_type}); a qcluster worker runs it."
            )

    def selection(self, options) -> dict | None:
        """{"contact_ids": [...], "group_ids": [...]} from the options, or None for a full run."""
        selection = {}
        for option, key in (("contact_ids", "contact_ids"), ("group_ids", "group_ids")):
            raw = options.get(option)
            if raw is None:
                continue
            parts = [part.strip() for part in raw.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise CommandError(
                    f"--{option.replace('_', '-')} takes whole numbers separated by commas, "
                    f"e.g. 2100001,2100002 (got {raw!r}).",
                    returncode=2,
                )
            selection[key] = [int(part) for part in parts]
        if not selection:
            return None
        if options["type"] not in (SyncType.FULL, SyncType.SELECTED):
            # --type players --contact-ids … reads naturally; anything else contradicts.
            wanted = {"players": "contact_ids", "teams": "group_ids"}.get(options["type"])
            if wanted is None or set(selection) != {wanted}:
                raise CommandError(
                    f"--type {options['type']} does not go with the ids given; leave --type "
                    "out to sync the selected records.",
                    returncode=2,
                )
        return selection

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
        kind = "Preview" if log.dry_run else "Sync"
        dry = " (dry run: nothing written)" if log.dry_run else ""
        self.stdout.write(style(f"{kind} #{log.pk} {log.status}{dry}"))
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
