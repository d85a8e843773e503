"""A chassis in hand: its sessions and roles (``chassis``), how it is opened, preflighted and
brought to baseline (``access``), the pool of chassis for parallel runs (``pool``) and the
emulator child process of a virtual chassis (``virtual``)."""
