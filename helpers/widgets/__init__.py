"""ipywidgets front ends for the course, one module per widget.

Each builder returns an object holding its root widget (``.root``, shown by
displaying the object) and handles to its parts, so tests can set values,
click and read results without a browser. Each also has a static fallback
(``_repr_html_`` / text) so a stored notebook still reads well where widgets
do not render (GitHub, nbviewer). Everything that came from DNS, HTTP or SMTP
is escaped before it becomes HTML.
"""
