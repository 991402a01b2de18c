"""What every page shares, below the features: security headers and request ids, error and
outage pages, safe redirects, links, trusted proxies, log redaction, template helpers, the form
base class, and the site-wide pages (front page, dashboard, health check).

It imports the database layer (:mod:`careteam.db`) and nothing above it.
"""
