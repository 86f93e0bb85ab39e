"""The sender's MTA-STS policy cache, RFC 8461 §3.3 and §5.1 (pure logic, time injected).

What a sender does each time it has mail for a domain:

1. look up the ``_mta-sts`` TXT record;
2. a cached, unexpired policy whose id equals the record's id is used as is;
3. a new id (or no cached policy) means: fetch the policy; success replaces
   the cache entry (expiring ``max_age`` seconds later); failure keeps using the
   cached policy while it is unexpired (§3.3; §10.2 on "first contact");
4. a missing or invalid TXT record does not evict a cached policy;
5. a cached policy older than ``refresh_after`` (a day by default) is fetched
   again before it expires, even with an unchanged id: §3.3 says senders SHOULD
   proactively refresh cached policies, about once a day, so that an attacker
   who blocks the policy host cannot wait for the cache to run out (§10.2). A
   failed refresh keeps the cached policy, as any failed fetch does.

The cache never does I/O itself: ``PolicyCache.update`` is given what DNS said
and a function that fetches, so notebooks and tests can fast-forward time
with a :class:`ManualClock` and script every case.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .parse import Policy


class ManualClock:
    """A clock for simulations: starts at ``start`` seconds, moves on ``advance``."""

    def __init__(self, start: float = 1_780_000_000.0):
        self.now = start

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Entry:
    policy: Policy
    id: str
    fetched_at: float

    @property
    def expires_at(self) -> float:
        return self.fetched_at + self.policy.max_age


@dataclass(frozen=True)
class Decision:
    """What the cache did for one message, and which policy (if any) applies."""

    domain: str
    at: float
    action: str  # fetched | refreshed | cached | kept-after-failure | kept-without-record | none
    policy: Policy | None
    id: str | None
    reason: str

    def __str__(self) -> str:
        applies = (f"policy id {self.id} (mode {self.policy.mode}) applies"
                   if self.policy else "no policy applies")
        return f"{self.domain}: {self.action}: {self.reason}; {applies}"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(str(self))}</p>"


#: §3.3: "a suggested refresh frequency is once per day".
REFRESH_AFTER = 86400


@dataclass
class PolicyCache:
    """Cached policies per domain; ``clock`` returns the time in seconds.
    ``refresh_after``: age (seconds) after which a cached policy is fetched
    again before it expires (§3.3); ``None`` never refreshes (only new ids and
    expiry make the cache fetch, as in the §5.1 flow alone)."""

    clock: Callable[[], float] = time.time
    refresh_after: float | None = REFRESH_AFTER
    entries: dict[str, Entry] = field(default_factory=dict)
    history: list[Decision] = field(default_factory=list)

    def get(self, domain: str) -> Entry | None:
        """The unexpired cache entry for ``domain`` (expired ones are dropped)."""
        key = domain.rstrip(".").lower()
        entry = self.entries.get(key)
        if entry is not None and self.clock() >= entry.expires_at:
            del self.entries[key]
            return None
        return entry

    def update(self, domain: str, record_id: str | None,
               fetch: Callable[[], Policy], record_problem: str = "") -> Decision:
        """Apply §5.1 for one message to ``domain``.

        ``record_id``: the id in the valid TXT record, or ``None`` when there is
        none (``record_problem`` says why). ``fetch()`` returns the policy or
        raises an exception whose message says why it failed.
        """
        key = domain.rstrip(".").lower()
        now = self.clock()
        entry = self.get(key)

        def decide(action, policy, pid, reason):
            d = Decision(key, now, action, policy, pid, reason)
            self.history.append(d)
            return d

        if record_id is None:
            if entry is not None:
                return decide("kept-without-record", entry.policy, entry.id,
                              f"no valid TXT record ({record_problem or 'absent'}), but a "
                              "cached policy is not removed for that (§3.3, §5.1)")
            return decide("none", None, None,
                          f"no valid TXT record ({record_problem or 'absent'}) and nothing "
                          "cached: no MTA-STS")
        if entry is not None and entry.id == record_id:
            age = now - entry.fetched_at
            if self.refresh_after is None or age < self.refresh_after:
                return decide("cached", entry.policy, entry.id,
                              f"the TXT id is unchanged; cached until "
                              f"{_ago(entry.expires_at - now)} from now")
            try:
                policy = fetch()
            except Exception as e:  # a failed refresh changes nothing (§3.3)
                return decide("kept-after-failure", entry.policy, entry.id,
                              f"the cached copy is {_ago(age)} old, but refreshing it failed "
                              f"({e}); it still applies, for {_ago(entry.expires_at - now)}")
            self.entries[key] = Entry(policy, record_id, now)
            changed = ("; the file changed although the id did not"
                       if policy != entry.policy else "")
            return decide("refreshed", policy, record_id,
                          f"the cached copy was {_ago(age)} old: fetched again before it "
                          f"expires (§3.3), cached for {_ago(policy.max_age)}{changed}")
        why = "a new id in DNS" if entry is not None else "nothing cached"
        try:
            policy = fetch()
        except Exception as e:  # whatever failed, §3.3 says what to do next
            if entry is not None:
                return decide("kept-after-failure", entry.policy, entry.id,
                              f"{why}, but the fetch failed ({e}); the cached policy "
                              "still applies")
            return decide("none", None, None, f"{why}, and the fetch failed ({e})")
        self.entries[key] = Entry(policy, record_id, now)
        return decide("fetched", policy, record_id,
                      f"{why}: fetched, cached for {_ago(policy.max_age)}")


def _ago(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 86400 and seconds % 3600 == 0:
        days = seconds / 86400
        return f"{days:g} days" if days != 1 else "1 day"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds} s"
