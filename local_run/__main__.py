"""``python -m local_run`` (what ``make run`` runs): serve the API locally."""

from local_run.start import main

raise SystemExit(main())
