"""A fuzzer for project files: seeded mutations of the demo project, each of which must
get either a clean check or problems as ``file:line: message``, quickly, never a traceback
or a hang. ``python -m tests.fuzz --help`` runs it for longer than the test suite does."""
