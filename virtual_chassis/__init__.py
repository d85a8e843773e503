"""A virtual NETGEAR 8800 chassis (XCM8806/XCM8810, software XCM8800 12.4) for offline runs.

Run one and reach it the way you would reach a real chassis::

    python -m virtual_chassis --speed 10        # prints one JSON line with every endpoint
    ssh -p PORT admin@127.0.0.1                 # management SSH (empty password), always the master
    nc 127.0.0.1 P   /  screen /dev/pts/N       # MSM-A / MSM-B serial consoles (login admin, Enter)
    python -m virtual_chassis --telnet ...      # console ports that suit an interactive telnet

Layout: ``clock`` (speed factor), ``msm`` + ``model`` (state: election, replication, failover,
synchronize, reboots, power), ``replication`` (checkpoint phases), ``config`` (running and
saved configuration), ``images`` + ``firmware`` + ``firmware_jobs`` + ``tftp`` (image files,
partitions, ``download image`` over TFTP, ``install image``, ``use image``), ``grammar`` +
``commands`` + ``cli`` + ``outputs`` (the CLI; ``firmware_syntax`` + ``firmware_commands`` for
the image commands), ``lineedit`` + ``login`` (input), ``console`` / ``ssh`` / ``control``
(endpoints), ``server`` (one chassis with its endpoints), ``__main__`` (the command line). The
harness imports only :class:`virtual_chassis.control.ControlClient`.
"""
