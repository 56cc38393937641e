"""The node's use cases, shared by the REST facade and the CLI.

Each module holds one use case over the adapters (:mod:`.context`): :mod:`.registration`,
:mod:`.amendments`, :mod:`.declarations`, :mod:`.reads`, :mod:`.verification`, with
:mod:`.submission` for the writes they record; :mod:`.node` joins them. The engines that move data
between the node and the chain (:mod:`.engines`, :mod:`.engine_process`), the operator's
:mod:`.onboarding`, :mod:`.devmode`, the API keys (:mod:`.credentials`) and the import file readers
(:mod:`.importing`) live here too. Importing this package imports none of them.
"""
