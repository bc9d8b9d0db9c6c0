"""The three-way merge that decides, field by field, what a sync may change.

For each field there are three values:

- *base*: what ShotSpot and Twizzit agreed on at the last sync (kept on the mapping);
- *local*: what ShotSpot holds now;
- *remote*: what Twizzit says now.

Only Twizzit changed → apply it. Only ShotSpot changed → keep it. Both changed to the same
value → they agree. Both changed to different values → a conflict, which the connection's
policy settles (Twizzit wins / ShotSpot wins) or a person decides (manual).

A field missing from the base (a record linked for the first time) has no history: equal
values agree, a local value that was never filled in (empty, or still the field's default)
takes Twizzit's, and two different filled-in values are a conflict, because the local one
may be an edit made in ShotSpot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MISSING = object()
EMPTY_VALUES = (None, "")


@dataclass
class MergeResult:
    """What to write locally, what the new base is, and which fields conflict."""

    apply: dict = field(default_factory=dict)
    base: dict = field(default_factory=dict)
    conflicts: dict = field(default_factory=dict)  # field -> {"base", "shotspot", "twizzit"}
    policy_decided: list = field(default_factory=list)

    @property
    def has_conflicts(self) -> bool:
        return bool(self.conflicts)


def merge(
    base: dict, local: dict, remote: dict, *, policy: str = "manual", defaults: dict | None = None
) -> MergeResult:
    """Merge `remote` into `local` against `base`; `policy` settles conflicting fields.

    `defaults`: the local fields' default values, which on a first link count as empty.
    """
    defaults = defaults or {}
    result = MergeResult(base=dict(base))
    for name, theirs in remote.items():
        ours = local.get(name)
        agreed = base.get(name, MISSING)
        unfilled = ours in EMPTY_VALUES or (name in defaults and ours == defaults[name])
        if ours == theirs:
            result.base[name] = theirs
        elif agreed is not MISSING and theirs == agreed:
            continue  # only ShotSpot changed: keep the local edit, the base stays
        elif (agreed is not MISSING and ours == agreed) or (agreed is MISSING and unfilled):
            result.apply[name] = theirs
            result.base[name] = theirs
        elif policy == "twizzit_wins":
            result.apply[name] = theirs
            result.base[name] = theirs
            result.policy_decided.append(name)
        elif policy == "shotspot_wins":
            result.base[name] = theirs  # Twizzit's value was seen and overruled
            result.policy_decided.append(name)
        else:
            result.conflicts[name] = {
                "base": None if agreed is MISSING else agreed,
                "shotspot": ours,
                "twizzit": theirs,
            }
    return result
