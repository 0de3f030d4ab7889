"""What is computed from a :class:`~polyflow.result.Result` record on demand, mixed into
it: the figures of one stream (:mod:`.stream`) and the plant's balances and per-tonne
tables (:mod:`.plant`). They read only the record's fields; nothing is solved again."""
