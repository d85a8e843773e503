"""The test plans, in the words of the NETGEAR 8800 manual; shipped with the harness so `hil run` finds them anywhere."""
