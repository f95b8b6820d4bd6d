"""Host maintenance (stx-mtce): power actions, power-state sync and
hardware sensor monitoring, carried out through the hosts' BMCs.

sysinv is its face: host actions arrive at the sysinv API and reach
``stx-mtce`` over RPC (``stx.mtce.rpcapi``); every state maintenance decides
is stored through the sysinv conductor.
"""
