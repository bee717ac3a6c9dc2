"""The use cases behind :class:`custmodel.CustomerBook`, one module per capability.

Each function takes the store transaction (or, for a use case that spans several
transactions, the book's runner) plus plain arguments, loads what a rule needs, asks the pure
functions of :mod:`custmodel.rules` and writes the outcome. The facade checks its arguments,
opens the transaction and hands it over; nothing here is public API.

- :mod:`~custmodel._usecases.registration`: registering customers (R1, R4).
- :mod:`~custmodel._usecases.changes`: updates, kind and type changes, status flags, settings.
- :mod:`~custmodel._usecases.bookings`: recording, changing and moving bookings (R4, R7).
- :mod:`~custmodel._usecases.reading`: lookups, selections, paging, statistics, profiles and
  the recipients of letters (R3, R5, R6, R10).
- :mod:`~custmodel._usecases.merge`: planning and applying merges (R8).
- :mod:`~custmodel._usecases.marks`: "not a duplicate" marks, and how merges carry them.
- :mod:`~custmodel._usecases.erasure`: eligibility, anonymization, erasure requests and the
  sweep (R9).
- :mod:`~custmodel._usecases._common`: what several of them share.
"""
