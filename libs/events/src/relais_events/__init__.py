"""relais_events: the event envelope, catalogue, codec, schemas and integrity of Relais.

Modules: ``vocabulary`` (shared value types), ``catalogue`` (event models), ``envelope``
(CloudEvents envelope, ``new_envelope``, ``payload``), ``codec`` (Kafka records), ``upcasting``,
``canonical``, ``integrity`` (hash chain, signatures, verification), ``keyregistry``, ``pii``
(crypto-shredding), ``schemas`` and ``asyncapi`` (generated contracts). Nothing here does I/O on
import or reads a clock: time is always passed in.
"""
