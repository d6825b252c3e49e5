"""The application's core: tag model, project, runtime, engine. Never imports Qt."""
