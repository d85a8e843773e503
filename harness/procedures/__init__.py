"""The manual's procedures, step by step with timed events: the sync check (``sync``),
synchronize and failover (``failover``), the master's power loss (``unplanned``) and firmware
upgrade and rollback (``upgrade``)."""
