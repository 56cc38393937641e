"""A typed client for the REST API of a GPID node (generated from its OpenAPI document).

    from gpid_node_client import AuthenticatedClient, unwrap
    from gpid_node_client.api.key_data_sets import register_key_data_set
    from gpid_node_client.models import KeyDataSet

    client = AuthenticatedClient(base_url="http://127.0.0.1:8000", token="gpid_<key id>.<secret>")
    written = unwrap(register_key_data_set.sync_detailed(client=client, body=KeyDataSet.from_dict(data)))

:func:`unwrap` returns the success model or raises the node's problem answer as a typed
:class:`ProblemError` (see :mod:`gpid_node_client.errors`). Rendered by ``scripts/generate-client``
from ``clients/python/templates/package_init.py.jinja``; never edit the generated files.
"""

from .client import AuthenticatedClient, Client
from .errors import ProblemError, UnexpectedStatus, unwrap

__all__ = (
    "AuthenticatedClient",
    "Client",
    "ProblemError",
    "UnexpectedStatus",
    "unwrap",
)
