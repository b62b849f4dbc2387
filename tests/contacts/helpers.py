"""Helpers for the contacts tests."""

import io


def csv_upload(text: str, name: str = "contacts.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload
