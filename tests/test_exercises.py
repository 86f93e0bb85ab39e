"""Checkers: right answers pass; wrong ones fail with a hint that does not
give the solution away."""

from __future__ import annotations

import pytest

from helpers import exercises as ex
from helpers import smtp


def test_smtp_endpoint_checker(lab):
    right = lab.net.smtp_endpoint("mx2.example.com")
    assert "mx2.example.com" in str(ex.check_smtp_endpoint(right, lab))
    with pytest.raises(ex.ExerciseFailed, match="port of mx1.example.com"):
        ex.check_smtp_endpoint(lab.net.smtp_endpoint("mx1.example.com"), lab)
    with pytest.raises(ex.ExerciseFailed, match="pair"):
        ex.check_smtp_endpoint(right[1], lab)
    with pytest.raises(ex.ExerciseFailed, match="loopback"):
        ex.check_smtp_endpoint(("10.0.0.1", right[1]), lab)


def test_signed_domains_checker(lab):
    signed = [s.domain for s in lab.scenarios.values() if s.signed]
    ex.check_signed_domains(signed, lab)
    ex.check_signed_domains({d.upper() + "." for d in signed}, lab)
    with pytest.raises(ex.ExerciseFailed, match="missing") as e:
        ex.check_signed_domains(signed[1:], lab)
    assert signed[0] not in str(e.value)  # the hint does not name the answer
    with pytest.raises(ex.ExerciseFailed, match="not signed"):
        ex.check_signed_domains(signed + ["opportunistic.example"], lab)
    with pytest.raises(ex.ExerciseFailed, match="not a lab domain"):
        ex.check_signed_domains(["gmail.com"], lab)


def _keep_prefix(reply):
    return {line[:8]: [] for line in reply.decode().splitlines()[1:]}


def _with_first_line(reply):
    return {line[4:].split()[0].upper(): line[4:].split()[1:] for line in reply.decode().splitlines()}


def _no_upper(reply):
    return {line[4:].split()[0]: line[4:].split()[1:] for line in reply.decode().splitlines()[1:]}


def _drop_last(reply):
    return {line[4:].split()[0].upper(): line[4:].split()[1:]
            for line in reply.decode().splitlines()[1:] if line[3] == "-"}


def _no_params(reply):
    return {line[4:].split()[0].upper(): [] for line in reply.decode().splitlines()[1:]}


@pytest.mark.parametrize("wrong,hint", [
    (_keep_prefix, "reply code"),
    (_with_first_line, "first line names the server"),
    (_no_upper, "case-insensitive"),
    (_drop_last, "last line"),
    (_no_params, "parameters"),
    (lambda reply: list(smtp.parse_ehlo(reply)), "Return a dict"),
    (lambda reply: 1 / 0, "ZeroDivisionError"),
    ("not a function", "Define a function"),
])
def test_parse_ehlo_checker_gives_the_specific_hint(wrong, hint):
    with pytest.raises(ex.ExerciseFailed, match=hint):
        ex.check_parse_ehlo(wrong)


def test_parse_ehlo_checker_passes_a_right_answer_and_explains_todo():
    def mine(reply):
        return smtp.parse_ehlo(reply)

    assert "handles" in str(ex.check_parse_ehlo(mine))
    with pytest.raises(ex.ExerciseFailed, match="course's own"):
        ex.check_parse_ehlo(smtp.parse_ehlo)

    def todo(reply):
        raise NotImplementedError("your code here")

    with pytest.raises(ex.ExerciseFailed, match="still raises NotImplementedError"):
        ex.check_parse_ehlo(todo)
    with pytest.raises(ex.ExerciseFailed, match="no capabilities"):
        ex.check_parse_ehlo(lambda reply: {})


@pytest.mark.parametrize("checker,args,name", [
    (ex.check_signed_domains, ("LAB",), "signed"),
    (ex.check_policy_for_mx, (), "my_policy"),
    (ex.check_mx_prediction, (), "prediction"),
])
def test_unanswered_exercises_say_so(lab, checker, args, name):
    args = tuple(lab if a == "LAB" else a for a in args)
    with pytest.raises(ex.ExerciseFailed, match=f"`{name}` is still None"):
        checker(None, *args)


def test_last_readable_checker(lab):
    t = smtp.deliver("mx1.example.com", lab.net, "Subject: x\r\n\r\ny\r\n",
                     sender="a@sender.example", recipients=["b@example.com"]).transcript
    last = t.readable()[-1]
    ex.check_last_readable(last, t)
    ex.check_last_readable(last.data, t)
    with pytest.raises(ex.ExerciseFailed, match="the server sent another") as e:
        ex.check_last_readable(b"STARTTLS\r\n", t)
    assert "220" not in str(e.value)  # no giving away
    with pytest.raises(ex.ExerciseFailed, match="inside TLS"):
        ex.check_last_readable(t.lines[-1], t)
    with pytest.raises(ex.ExerciseFailed, match="not in the transcript"):
        ex.check_last_readable(b"HELLO\r\n", t)


# -- notebooks 02 to 04 ------------------------------------------------------------

def test_policy_for_mx_checker():
    good = ("version: STSv1\nmode: enforce\nmx: mx1.corp.example\nmx: mx2.corp.example\n"
            "mx: backup.mail.corp.example\nmax_age: 1209600\n")
    ex.check_policy_for_mx(good)
    with pytest.raises(ex.ExerciseFailed, match="also allows"):
        ex.check_policy_for_mx(good.replace("mx: mx1.corp.example\nmx: mx2.corp.example",
                                            "mx: *.corp.example"))
    with pytest.raises(ex.ExerciseFailed, match="exactly one label"):
        ex.check_policy_for_mx(good.replace("mx: backup.mail.corp.example\n", ""))
    with pytest.raises(ex.ExerciseFailed, match="testing"):
        ex.check_policy_for_mx(good.replace("enforce", "testing"))
    # RFC 8461 §3.2: an enforced policy's max_age is "typically ... weeks or greater".
    with pytest.raises(ex.ExerciseFailed, match="under two weeks"):
        ex.check_policy_for_mx(good.replace("1209600", "86400"))
    with pytest.raises(ex.ExerciseFailed, match="does not parse"):
        ex.check_policy_for_mx(good.replace("enforce", "Enforce"))


def test_mx_prediction_checker():
    truth = {h: any(ex.mx_matches(p, h) for p in ex.PREDICT_PATTERNS) for h in ex.PREDICT_HOSTS}
    ex.check_mx_prediction(truth)
    wrong = {**truth, "a.eu.mail.example.org": True}
    with pytest.raises(ex.ExerciseFailed, match="how many labels"):
        ex.check_mx_prediction(wrong)


NSEC_RIGHT = ["no such name", "no such type", "exists", "no such type", "no such name"]


def test_nsec_checker_answers_from_the_zone(lab):
    """Each expected answer is what the lab's signed zone proves, and the chain
    shown to the learner holds the proof (owner, next name, type list)."""
    chain = ex.nsec_chain(lab)
    assert chain[0].startswith("example.com. NSEC ") and len(chain) > 5
    assert any(line.startswith("mx1.example.com. NSEC ") and "TLSA" not in line for line in chain)
    ex.check_nsec_answers(NSEC_RIGHT, lab)
    ex.check_nsec_answers([a.upper() for a in NSEC_RIGHT], lab)


@pytest.mark.parametrize("index,wrong,hint", [
    (0, "no such type", "no NSEC has mail.example.com as its owner"),
    (1, "no such name", "An NSEC exists only at a name that exists"),
    (2, "no such type", "read the types it lists"),
    (4, "exists", "wraps around"),
    (0, "maybe", "say one of"),
])
def test_nsec_checker_hints(lab, index, wrong, hint):
    answer = list(NSEC_RIGHT)
    answer[index] = wrong
    with pytest.raises(ex.ExerciseFailed, match=hint) as e:
        ex.check_nsec_answers(answer, lab)
    if wrong in ex.NSEC_ANSWERS:
        assert NSEC_RIGHT[index] not in str(e.value)  # the hint never says the answer


def test_nsec_checker_follows_the_zone(lab):
    """The checker asks the zone, not a stored list: publish a TLSA record at
    mx1.example.com and question 2's answer changes."""
    lab.set_records("example.com", "mx1.example.com", "TLSA", ["3 1 1 " + "ab" * 32])
    with pytest.raises(ex.ExerciseFailed, match="Question 2"):
        ex.check_nsec_answers(NSEC_RIGHT, lab)


def test_dane_predictions_checker():
    ex.check_dane_predictions([True, False, False, False, True, False])
    with pytest.raises(ex.ExerciseFailed, match="Case 1 .* DANE-EE"):
        ex.check_dane_predictions([False, False, False, False, True, False])
    with pytest.raises(ex.ExerciseFailed, match="Case 4 .* usages"):
        ex.check_dane_predictions([True, False, False, True, True, False])
    with pytest.raises(ex.ExerciseFailed, match="list of 6"):
        ex.check_dane_predictions([True])


def test_matrix_and_found_secret_checkers(lab):
    from helpers.attacks import MESSAGE, SECRET, run_matrix, set_up
    from helpers.sender import Sender

    matrix = run_matrix(lab, attacks=ex.PREDICT_ATTACKS)
    truth = {(a, p): matrix.cell(a, p).attacker_read
             for a in ex.PREDICT_ATTACKS for p in matrix.policies}
    ex.check_matrix_prediction(truth, matrix)
    with pytest.raises(ex.ExerciseFailed, match="first contact"):
        ex.check_matrix_prediction({**truth, ("first contact", "mta-sts"): False}, matrix)
    set_up(lab, "strip")
    Sender(lab.net, "opportunistic").send(MESSAGE, "bob@example.com")
    attacker = lab.attackers["mx1.example.com"]
    entry = next(s for s in attacker.log if SECRET.encode() in s.data)
    assert "from the client" in str(ex.check_found_secret(entry, attacker, SECRET))
    with pytest.raises(ex.ExerciseFailed, match="does not hold"):
        ex.check_found_secret(attacker.log[0], attacker, SECRET)
    with pytest.raises(ex.ExerciseFailed, match="not an entry"):
        ex.check_found_secret(b"hello", attacker, SECRET)


def test_checkers_want_true_or_false_and_exact_mx_names():
    truth = {h: any(ex.mx_matches(p, h) for p in ex.PREDICT_PATTERNS) for h in ex.PREDICT_HOSTS}
    with pytest.raises(ex.ExerciseFailed, match="True or False"):
        ex.check_mx_prediction({h: str(v) for h, v in truth.items()})
    with pytest.raises(ex.ExerciseFailed, match="True or False"):
        ex.check_dane_predictions(["True", False, False, False, True, False])
    base = "version: STSv1\nmode: enforce\nmx: mx1.corp.example\nmx: mx2.corp.example\n"
    with pytest.raises(ex.ExerciseFailed, match="wildcards"):
        ex.check_policy_for_mx(base + "mx: *.mail.corp.example\nmax_age: 604800\n")
    with pytest.raises(ex.ExerciseFailed, match="mx3.corp.example"):
        ex.check_policy_for_mx(base + "mx: backup.mail.corp.example\nmx: mx3.corp.example\n"
                               "max_age: 604800\n")


def test_dnssec_statuses_checker(lab):
    right = ["secure", "secure", "insecure", "secure", "bogus"]
    assert "5 statuses" in str(ex.check_dnssec_statuses(right, lab))
    with pytest.raises(ex.ExerciseFailed, match="Lookup 4 .*one answer, not to the whole zone"):
        ex.check_dnssec_statuses(right[:3] + ["bogus", "bogus"], lab)
    with pytest.raises(ex.ExerciseFailed, match="Lookup 2 .*not insecure"):
        ex.check_dnssec_statuses(["secure", "insecure", "insecure", "secure", "bogus"], lab)
    with pytest.raises(ex.ExerciseFailed, match="list of 5"):
        ex.check_dnssec_statuses(right[:4], lab)


def test_a_failed_check_shows_only_the_check_and_the_hint(lab):
    """What IPython shows instead of a traceback: no source line of helpers/."""
    with pytest.raises(ex.ExerciseFailed) as e:
        ex.check_smtp_endpoint(lab.net.smtp_endpoint("mx1.example.com"), lab)
    shown = "\n".join(e.value._render_traceback_())
    assert "check_smtp_endpoint: Not yet." in shown and "port of mx1.example.com" in shown
    assert "smtp_endpoint(host)" not in shown and "exercises.py" not in shown
    assert e.value.__cause__ is None and e.value.__suppress_context__


def test_tap_prediction_checker_verifies_in_the_lab(lab):
    message = "Subject: Lunch\r\n\r\nTell nobody.\r\n"
    right = {q: False for q in ex.TAP_QUESTIONS}
    right["the name the client gives in EHLO (sender.example)"] = True
    right["the server's offer, STARTTLS"] = True
    assert "read 2 of the 5" in str(ex.check_tap_prediction(right, lab, message))
    assert not lab.attackers, "the check takes its tap off the path again"
    wrong = dict(right, **{"the name of the CA that issued the server's certificate": True})
    with pytest.raises(ex.ExerciseFailed, match="TLS 1.3"):
        ex.check_tap_prediction(wrong, lab, message)


def test_same_seed_checker_starts_a_second_lab(lab):
    right = {q: q.startswith(("mx1", "the TLSA", "the DNSSEC")) for q in ex.SEED_QUESTIONS}
    assert "second lab" in str(ex.check_same_seed(right, lab))
    wrong = dict(right, **{"the port of mx1.example.com's SMTP server": True})
    with pytest.raises(ex.ExerciseFailed, match="operating system"):
        ex.check_same_seed(wrong, lab)


def test_a_checker_without_the_decorator_is_still_named():
    def check_something(answer):
        ex.core._answered(answer, "answer")

    with pytest.raises(ex.ExerciseFailed) as e:
        check_something(None)
    assert e.value._render_traceback_()[0].endswith("check_something: Not yet.\x1b[0m")


def test_receiver_prediction_checker_runs_the_attacks(lab):
    """02's prediction: tls-required.example refuses MAIL before STARTTLS; the
    checker runs strip and substitute against it and compares."""
    right = {"strip": (False, False), "substitute": (True, True)}
    assert "reads everything" in str(ex.check_receiver_prediction(right, lab))
    assert not lab.attackers  # the check leaves the lab as it found it
    with pytest.raises(ex.ExerciseFailed, match="'substitute' is not right") as e:
        ex.check_receiver_prediction({**right, "substitute": (False, False)}, lab)
    assert "True" not in str(e.value)
    with pytest.raises(ex.ExerciseFailed, match="'strip' is not right"):
        ex.check_receiver_prediction({**right, "strip": (True, True)}, lab)
    with pytest.raises(ex.ExerciseFailed, match="one entry per attack"):
        ex.check_receiver_prediction({"strip": (False, False)}, lab)
    with pytest.raises(ex.ExerciseFailed, match="still None"):
        ex.check_receiver_prediction(None, lab)
