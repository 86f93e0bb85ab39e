"""The environment check (offline part) and the figures."""

from __future__ import annotations

from helpers import doctor, figures, smtp


def test_doctor_offline_reports_each_check_with_a_verdict():
    report = doctor.run(live=False)
    names = [c.name for c in report.checks]
    assert names == ["Python", "packages", "lab", "lab DNSSEC", "lab SMTP", "live DNS",
                     "outbound port 25"]
    assert report.ok
    assert {c.verdict for c in report.checks[:5]} == {doctor.OK}
    assert "not checked" in str(report) and "<table>" in report._repr_html_()


def test_doctor_command_line(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "helpers", "doctor", "--offline"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "lab SMTP: delivered over verified STARTTLS" in run.stdout


def test_sequence_diagram_has_title_labels_and_both_colours(lab):
    t = smtp.deliver("mx1.example.com", lab.net, "Subject: x\r\n\r\ny\r\n",
                     sender="a@sender.example", recipients=["b@example.com"]).transcript
    fig = figures.sequence_diagram(t)
    ax = fig.axes[0]
    assert ax.get_title() == "SMTP session with mx1.example.com"
    assert ax.get_xlabel() and ax.get_ylabel()
    colours = {text.get_color() for text in ax.texts}
    assert {figures.CLEAR_COLOUR, figures.TLS_COLOUR} <= colours
    assert any("TLS handshake" in text.get_text() for text in ax.texts)
