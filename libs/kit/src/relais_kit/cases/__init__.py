"""The cases a service learns from intake's events: their facts, the fold, the directory port.

``facts`` is pure (a domain may rely on what it says); ``learning`` applies it to a record;
``memory`` and ``mongo`` are the directory's adapters, under one contract suite
(``libs/kit/tests/cases/test_directory_contract.py``). Nothing here imports an adapter, so
importing the package does no I/O and pulls in no driver.
"""

from relais_kit.cases.facts import CaseFacts, learn
from relais_kit.cases.learning import learn_case
from relais_kit.cases.ports import CaseDirectory

__all__ = ["CaseDirectory", "CaseFacts", "learn", "learn_case"]
