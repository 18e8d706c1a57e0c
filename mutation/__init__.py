"""``make mutation``: mutation testing of the rules, the store, the cursors and the identity
code against the unit tier (see docs/mutation.md). Not part of ``make test``."""
