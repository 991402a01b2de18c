"""The database layer every other part builds on: the engine and its transaction rules, column
types and public ids, the clock, tokens and their hashes, ``IN`` lists, claims, statements built
once, migrations, and which errors are an outage.

It imports no other CareTeam package but :mod:`careteam.extensions` and :mod:`careteam.paths`.
"""
