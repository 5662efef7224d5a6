"""gunicorn settings, read from the working directory by every `gunicorn` start (Dockerfile, docker-compose).

The access log records the path without its query string: the single sign-on callback carries the sign-in
code and state there, and search pages carry child references, neither of which belongs in a log.
"""

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
