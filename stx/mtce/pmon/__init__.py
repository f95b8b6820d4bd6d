"""The process monitor (StarlingX's pmond), run inside stx-agent.

``config`` reads the process files of ``[pmon] conf_dir``; ``monitor``
watches each process by its pid, restarts it when it dies and reports the
processes whose restarts do not keep them up (source ``process`` of the
agent's condition reports, stx.sysinv.agent.conditions).
"""
