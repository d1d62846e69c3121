"""Entrypoints: the api, the Faust worker and the auditor's command line."""
