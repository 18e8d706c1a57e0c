"""One module per route: each is the entry point of one single-purpose Lambda function."""
