"""The emulator's XCM8800 CLI: grammar, line editing and login, the command handlers (image
commands and their jobs, with the TFTP client ``download image`` fetches through), command
outputs and the preloaded configuration."""
