"""The enterprises app's pages, one module per sub-domain (enterprises, imports, evaluation, pool,
certificates, rewards); urls.py imports the modules directly."""
