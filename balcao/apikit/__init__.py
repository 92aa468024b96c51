"""What every app's API router uses: the error body, scope and capability checks, the
public throttle and the bounds on ids and texts. Not an app and no models: it sits below
the apps (``balcao.api``, the integration app above them, assembles the routers into
/api/v1/ and owns tokens and webhooks)."""
