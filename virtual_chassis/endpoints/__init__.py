"""The emulator's servers: MSM consoles (pty, TCP, pacing), management SSH, the control channel,
and one chassis with all of them (``VirtualChassis``). They serve the CLI (``cli/``); the CLI
needs nothing of them."""
