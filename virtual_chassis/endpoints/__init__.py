"""The emulator's servers: MSM consoles (pty, TCP, pacing), management SSH, the control channel,
the TFTP client of ``download image``, and one chassis with all of them (``VirtualChassis``)."""
