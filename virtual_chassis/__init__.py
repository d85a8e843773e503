"""A virtual NETGEAR 8800 chassis (XCM8806/XCM8810, software XCM8800 12.4) for offline runs.

Run one and reach it the way you would reach a real chassis::

    python -m virtual_chassis --speed 10        # prints one JSON line with every endpoint
    ssh -p PORT admin@127.0.0.1                 # management SSH (empty password), always the master
    nc 127.0.0.1 P   /  screen /dev/pts/N       # MSM-A / MSM-B serial consoles (login admin, Enter)
    python -m virtual_chassis --telnet ...      # console ports that suit an interactive telnet

Layout: ``model/`` (the state, no I/O: chassis, MSMs, election, boots and power, replication,
faults, images and partitions, configuration, clock), ``cli/`` (grammar, line editing, login,
command handlers, outputs), ``endpoints/`` (consoles, management SSH, control server, TFTP
client, one chassis with all of them), ``protocol`` (the control channel's wire format and
client, standard library only), ``api`` (the one module the harness imports: the control
client, the image builder, how to start an emulator) and ``__main__`` (the command line).
"""
