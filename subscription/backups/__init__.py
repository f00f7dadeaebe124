"""Company backups: made into a catalogue, kept by retention, encrypted and copied, restored and verified.

See docs/backups.md. `catalogue` makes, finds and prunes backups; `restore` puts one back (in place or as
a new company) and verifies one in a scratch database; `tables` is the content checksum both compare;
`crypto` encrypts at rest; `bundle` is the portable export of a company.
"""
