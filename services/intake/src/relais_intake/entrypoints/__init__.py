"""HTTP entrypoints of the intake api (FastAPI); thin: schema -> handler -> answer."""
