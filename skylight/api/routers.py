from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """Routes that answer with or without a trailing slash (`/campaigns` and `/campaigns/`)."""

    def __init__(self):
        super().__init__(trailing_slash="/?")
