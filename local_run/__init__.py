"""The local run: the deployed handlers behind a local HTTP server, on moto's DynamoDB."""
