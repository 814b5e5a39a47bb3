"""Translation catalogues, one module per area of the app (``MESSAGES = {key: (en, fr)}``)."""
