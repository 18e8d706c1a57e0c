"""What the tests and the benchmarks share, owned by neither: deterministic session data and
the items stored for it (``dataset``), a probe on the store's DynamoDB calls
(``store_probe``), a real LRS (``ralph_lrs``) and a scripted one (``fake_lrs``), and the
repository's root."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
