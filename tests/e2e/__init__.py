"""End-to-end tests over HTTP: the local run in each auth mode, or a deployed stage."""
