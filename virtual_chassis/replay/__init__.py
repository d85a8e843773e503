"""A recorded device: recordings (``reports/recordings/*.jsonl``) served on the usual endpoints.

``python -m virtual_chassis --replay FILE...`` answers each recorded command with its recorded
output and prompt, on a console per recorded MSM and on management SSH, so a plan or a
third-party client runs offline against a recorded real session. The recordings are read here,
by the emulator's own code (the harness reads them with its own).
"""
