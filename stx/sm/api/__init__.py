"""The sm REST API (``stx-sm-api``, port 7777; ``/sm/`` in stx-aio).

StarlingX's sm-api resources, served from what stx-sm answers over RPC:
nothing is stored here.
"""
