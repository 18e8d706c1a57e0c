"""``python -m local_run`` (what ``make run`` runs): serve the API locally."""

from local_run.server import main

raise SystemExit(main())
