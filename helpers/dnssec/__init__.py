"""DNSSEC validation (RFC 4033-4035, 5155, 6672, 6840, 8624, 9276), one
concept a module:

- :mod:`.validate`: :func:`resolve` proves one lookup from the network's trust
  anchor down (the chain of trust, positive answers, algorithms and digests);
- :mod:`.denial`: proofs that a name or type does not exist (NSEC, NSEC3,
  wildcards, Opt-Out, the iteration limit);
- :mod:`.chains`: CNAME and DNAME chains, each link proven in its own zone.
"""

from .denial import MAX_NSEC3_ITERATIONS, OVER_LIMIT, DenialProofs
from .validate import (BOGUS, ERROR, INSECURE, MAX_QUERIES, SECURE,  # noqa: F401
                       SUPPORTED_ALGORITHMS, SUPPORTED_DIGESTS, Lookup, _Validator, resolve)

__all__ = ["resolve", "Lookup", "SECURE", "INSECURE", "BOGUS", "ERROR", "MAX_QUERIES",
           "MAX_NSEC3_ITERATIONS", "OVER_LIMIT", "SUPPORTED_ALGORITHMS", "SUPPORTED_DIGESTS",
           "DenialProofs"]
