"""A member's personal data under the GDPR: erase on request, export on request, retention.

- `erasure.py`: what erasing a player removes (`plan_erasure`, shown before anything
  goes) and the erasure itself (`erase_player`), leaving only an `ErasedContact` so the
  next sync does not bring the person back; `lift_suppression` undoes that trace.
- `export.py`: everything ShotSpot holds about a player, as one JSON-safe document with
  the source of each piece.
- `retention.py`: how long copies of personal data are kept (settings from the
  environment) and `prune`, which the janitor runs daily and `manage.py privacy prune`
  by hand, in small batches that never hold up a running sync.

The admin, the REST API, `manage.py privacy` and the janitor all call these functions.
"""
