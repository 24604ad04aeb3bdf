"""Operations packaging: compose file, Dockerfiles, proxy config, local runner and demo."""
