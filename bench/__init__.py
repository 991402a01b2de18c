"""CareTeam's benchmark harness: seed a database at scale, serve it with gunicorn, load it with wrk.

Every figure is reported as a ratio to a bare Flask "hello" app measured in the same run on the
same gunicorn settings, because the machines we run on are small and shared.
"""
