"""Benchmark a sync against the sandbox.

`twizzit_bench [--contacts N] [--groups N] [--latency-ms N] [--json]`
`twizzit_bench --federation [--connections N] [--json]`: the federation view instead.

It runs in a throw-away test database, never touching this project's data.
"""

import json

from django.core.management.base import BaseCommand

from twizzit.bench import federation_bench
from twizzit.bench.sync_bench import run_benchmark

COLUMNS = [
    ("name", "run", 20),
    ("status", "status", 8),
    ("wall_s", "wall s", 7),
    ("records_per_s", "rec/s", 7),
    ("api_calls", "calls", 6),
    ("api_calls_minimum", "min", 5),
    ("queries", "queries", 8),
    ("queries_per_page", "q/page", 7),
    ("data_rows_written", "rows written", 13),
    ("peak_rss_mb", "peak RSS MB", 12),
    ("rss_growth_mb", "growth MB", 10),
]
LATENCY_COLUMNS = [
    ("latency_ms", "latency ms", 11),
    ("network_floor_s", "floor s", 8),
    ("zero_latency_s", "0-lat s", 8),
    ("overlap_ratio", "ratio", 6),
]


class Command(BaseCommand):
    help = "Measure a full sync, a no-change re-sync and a 1%-changed re-sync against the sandbox."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=10_000)
        parser.add_argument("--groups", type=int, default=400)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--latency-ms",
            type=int,
            default=0,
            help="The sandbox answers each call this much later; the runs are measured at "
            "zero latency first, then at this one (network floor, ratio).",
        )
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--federation",
            action="store_true",
            help="Time the admin's federation view instead (target: under 300 ms).",
        )
        parser.add_argument("--connections", type=int, default=100)

    def handle(self, *args, **options):
        as_json = options["json"]
        if options["federation"]:
            result = federation_bench.run_benchmark(options["connections"])
            if as_json:
                self.stdout.write(json.dumps(result, indent=2))
            else:
                self.stdout.write(
                    f"Federation view, {result['connections']} connections "
                    f"({result['rows_shown']} rows shown): median {result['median_ms']} ms, "
                    f"slowest {result['max_ms']} ms, {result['queries']} queries per request "
                    f"(target under {result['target_ms']} ms: "
                    f"{'met' if result['within_target'] else 'NOT met'})."
                )
            return
        if not as_json:
            self.stdout.write(
                f"Sandbox with {options['contacts']} contacts and {options['groups']} teams."
            )
            self.columns = COLUMNS + (LATENCY_COLUMNS if options["latency_ms"] else [])
            self.stdout.write(" ".join(f"{title:>{width}}" for _, title, width in self.columns))
        result = run_benchmark(
            contacts=options["contacts"],
            groups=options["groups"],
            seed=options["seed"],
            latency_ms=options["latency_ms"],
            report=(lambda run: None) if as_json else self.show,
        )
        if as_json:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(
                f"database: {result['database']}, roster links in Twizzit: "
                f"{result['roster_links_total']}, CPUs: {result['cpu_count']}"
            )

    def show(self, run):
        values = vars(run)
        shown = [
            ("" if values[key] is None else str(values[key]), width)
            for key, _, width in self.columns
        ]
        self.stdout.write(" ".join(f"{value:>{width}}" for value, width in shown))
