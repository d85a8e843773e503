"""Recordings of real sessions fed back: read them (``recordings``), put every output through
the plans' parsers (``reading``), hold them against the emulator (``parity``)."""
