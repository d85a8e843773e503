"""xcm8800-hil: the harness above the drivers.

``testbed/`` what the lab has (the YAML file), ``lab/`` a chassis in hand (roles, pool, the
emulator process, preflight), ``procedures/`` the manual's steps (sync, failover, unplanned,
upgrade), ``firmware/`` images and TFTP, ``parsers/`` device output into records,
``reporting/`` timeline, HTML and JUnit; ``plugin/`` and ``cli/`` only wire these to pytest and
to the ``hil`` command.
"""
