"""What every package stands on: settings, the warehouse connection, errors, labels, record keys.

base imports no other package of the project; pipelines, data_checks and reports import it.
"""
