"""The kernel every capability builds on: who is asking, the request and its reply, the registry and router,
permissions, refusals (Stop), project lookup and person picks. It imports no capability."""
