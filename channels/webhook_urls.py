from django.urls import path

from channels.webhooks.views import receive

app_name = "webhooks"

urlpatterns = [
    path("<str:token>/", receive, name="receive"),
]
