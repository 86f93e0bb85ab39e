"""Real MTAs against the lab (notebook 08).

- :mod:`helpers.mta.config`: the configuration around an MTA, as text: a
  validating unbound, a resolv.conf with ``trust-ad``, a private Postfix
  instance (no smtpd) with one transport per TLS set-up, postfix-mta-sts-resolver;
- :mod:`helpers.mta.maillog`: Postfix's log in the course's outcome words;
- :mod:`helpers.mta.postfix`: :class:`~helpers.mta.postfix.PostfixRig`, which
  runs them against ``Lab(standard_ports=True)`` (root);
- :mod:`helpers.mta.conformance`: the matrix of Postfix beside the course's
  ``Sender``, and ``EXPECTED``, the one table of explained divergences.
"""
