"""Firmware under test: image files (``images``), the harness's TFTP server (``tftp``), what each
MSM runs and has installed (``state``) and a chassis's firmware set-up for the plans (``setup``)."""
