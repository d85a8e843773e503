"""The emulator's state, no I/O: the chassis and its two MSMs (nodes, election, boots and
power, replication), faults, image partitions and files, configuration, and the clock."""
