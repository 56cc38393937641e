"""The audit console: server-rendered pages under ``/ui/`` for Customs officers, brokers and auditors.

The pages call the same :class:`gpid_node.services.node.Node` services as the REST facade, with the principal
of the API key the officer signed in with, so a page never shows what the API would hide. Modules:

* :mod:`~gpid_node.api.ui.routes`: the router (thin: parse, call the node, render);
* :mod:`~gpid_node.api.ui.sessions`: server-side sessions, the session cookie and CSRF tokens;
* :mod:`~gpid_node.api.ui.views`: pure helpers that shape the node's answers for the templates
  (field labels, version diffs, reuse of a GPID, declared-versus-registered lines);
* ``templates/`` (Jinja2, autoescaped) and ``static/ui.css`` (no script, no build step).
"""
