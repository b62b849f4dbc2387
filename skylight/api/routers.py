from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """Routes that answer with or without a trailing slash (`/campaigns` and `/campaigns/`)."""

    def __init__(self):
        super().__init__()
        # SimpleRouter reads `trailing_slash` as a boolean; the pattern is set afterwards.
        self.trailing_slash = "/?"
