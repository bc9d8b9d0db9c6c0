"""Does pruning old personal data slow a running sync? (twizzit.bench.prune_bench)

    privacy_bench [--old-entries 200000] [--entries-per-run 10] [--contacts 3000]
                  [--groups 100] [--rounds 3] [--json]

Runs in a throw-away test database against a sandbox in a child process; prints each
round, then the median sync time alone and with `privacy prune` running beside it.
"""

import json

from django.core.management.base import BaseCommand

from twizzit.bench.prune_bench import run_benchmark


class Command(BaseCommand):
    help = "Time a re-sync alone and with `privacy prune` of many old log entries beside it."

    def add_arguments(self, parser):
        parser.add_argument("--old-entries", type=int, default=200_000)
        parser.add_argument("--entries-per-run", type=int, default=10)
        parser.add_argument("--contacts", type=int, default=3000)
        parser.add_argument("--groups", type=int, default=100)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        quiet = options["json"]
        summary = run_benchmark(
            contacts=options["contacts"],
            groups=options["groups"],
            old_entries=options["old_entries"],
            entries_per_run=options["entries_per_run"],
            rounds=options["rounds"],
            report=(lambda line: None) if quiet else self.stdout.write,
        )
        if quiet:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(
            f"{summary['database']}: {summary['old_entries']} old entries on "
            f"{summary['old_runs']} runs, {summary['contacts']} contacts. Sync alone "
            f"{summary['sync_alone_s']} s (median {summary['median_alone_s']}), with prune "
            f"{summary['sync_with_prune_s']} s (median {summary['median_with_prune_s']}): "
            f"{summary['change_percent']:+.1f} %. Prune took {summary['prune_s']} s. "
            f"Load average {summary['load_average']} on {summary['cpu_count']} CPUs."
        )
