"""The operator's form, driven without a browser: set answers, read the result."""

from __future__ import annotations

from helpers import policy
from helpers.widgets.operator import QUESTIONS, operator_form


def test_changing_an_answer_updates_the_recommendation_live():
    form = operator_form()
    assert form.recommendation.mechanisms == ("TLS-RPT",)
    assert "nothing stops a downgrade" in form.output.value
    form.controls["https"].value = True
    assert form.recommendation.mechanisms == ("MTA-STS", "TLS-RPT")
    assert "Publish MTA-STS (starting in testing)" in form.output.value
    form.controls["dnssec"].value = True
    assert form.recommendation.mechanisms == ("DANE", "MTA-STS", "TLS-RPT")
    assert form.output.value == policy.recommend(dnssec=True, https=True)._repr_html_()


def test_every_question_of_the_profile_is_a_control():
    form = operator_form(dnssec=True, own_mx=False, provider_dane=True)
    assert set(form.controls) == set(QUESTIONS)
    assert form.profile == policy.Profile(dnssec=True, own_mx=False, provider_dane=True)
    assert all(c in form.root.children for c in form.controls.values())


def test_static_fallback_shows_the_answers_and_the_recommendation():
    form = operator_form(https=True)
    bundle = form._repr_mimebundle_()
    assert "&#9745; Can you serve https://mta-sts.&lt;your domain&gt;/" in bundle["text/html"]
    assert "Publish MTA-STS" in bundle["text/html"]
    assert "[x] Can you serve https://mta-sts.<your domain>/" in bundle["text/plain"]
